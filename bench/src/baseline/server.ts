/**
 * The baseline: a minimal chat server as one would write it with Socket.IO and
 * @socket.io/redis-adapter, run as two instances like ChitChat's two gateways. It takes the
 * same REST calls the benchmark makes of ChitChat (POST a message, GET the latest page) and
 * stores every message in Redis (XADD to a per-room stream) before broadcasting it, so both
 * systems do durable work per message. It has no sessions, ordering, idempotency, presence
 * or delivery guarantees: what it does is the floor of what a chat server must do.
 *
 * Socket events: `join {room, since?}` (ack when joined; with `since`, a stream id, the
 * room's stored messages after it are sent first), then `message` events.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { connectRedis, createLogger, createRedis } from '@chitchat/platform';

const port = Number(process.env.PORT ?? 3100);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger('baseline', 'warn');
const redis = await connectRedis(createRedis({ url: redisUrl, name: 'baseline', role: 'worker', log }));
const sub = await connectRedis(createRedis({ url: redisUrl, name: 'baseline-sub', role: 'subscriber', log }));

const logKey = (room: string): string => `baseline:{${room}}:log`;
const ROOM = /^[a-z0-9_-]{1,64}$/;

interface Message {
  id: string;
  room: string;
  user: string;
  text: string;
  ts: number;
}

function toMessage(room: string, [id, fields]: [string, string[]]): Message {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return { id, room, user: f.user ?? '', text: f.text ?? '', ts: Number(f.ts) };
}

const http = createServer((req, res) => {
  route(req, res).catch((err: unknown) => {
    log.error({ err }, 'request failed');
    if (!res.headersSent) send(res, 500, { error: 'internal' });
  });
});
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, httpCompression: false, adapter: createAdapter(redis, sub) });

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
  const match = /^\/v1\/rooms\/([^/]+)\/messages$/.exec(url.pathname);
  const room = match?.[1];
  if (!room || !ROOM.test(room)) return send(res, 404, { error: 'not found' });
  if (req.method === 'POST') {
    const user = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!user) return send(res, 401, { error: 'unauthorized' });
    const { text } = JSON.parse(await body(req)) as { text?: unknown };
    if (typeof text !== 'string' || text.length === 0) return send(res, 400, { error: 'invalid message' });
    const ts = Date.now();
    const id = (await redis.xadd(logKey(room), '*', 'user', user, 'text', text, 'ts', String(ts))) as string;
    const message: Message = { id, room, user, text, ts };
    io.to(room).emit('message', message);
    return send(res, 202, { id, room });
  }
  if (req.method === 'GET') {
    const limit = Math.min(200, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
    const entries = (await redis.xrevrange(logKey(room), '+', '-', 'COUNT', limit)) as [string, string[]][];
    return send(res, 200, { room, messages: entries.reverse().map((e) => toMessage(room, e)) });
  }
  return send(res, 405, { error: 'method not allowed' });
}

io.on('connection', (socket) => {
  socket.on('join', async (frame: { room?: unknown; since?: unknown }, ack?: (reply: unknown) => void) => {
    const room = typeof frame?.room === 'string' && ROOM.test(frame.room) ? frame.room : undefined;
    if (!room) return ack?.({ error: 'invalid room' });
    await socket.join(room);
    // Joined first, then the stored messages after `since`: a message stored meanwhile may
    // come twice (the client drops it by id), never not at all.
    if (typeof frame.since === 'string') {
      for (let from = `(${frame.since}`; ; ) {
        const page = (await redis.xrange(logKey(room), from, '+', 'COUNT', 500)) as [string, string[]][];
        for (const entry of page) socket.emit('message', toMessage(room, entry));
        const last = page.at(-1);
        if (!last || page.length < 500) break;
        from = `(${last[0]}`;
      }
    }
    ack?.({ room });
  });
});

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const stop = (): void => {
  void io.close();
  redis.disconnect();
  sub.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
http.listen(port, '127.0.0.1');
