import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { CloseCode, usernameKey } from '@chitchat/contracts';
import { MetricName, RoomAccess, SessionStore, adminUsers, createHttpApp, gauge, tokenSecret, healthPlugin, redisCheck, type HttpApp, type Logger, type Redis } from '@chitchat/platform';
import type { GatewayConfig } from './config.ts';
import { Connection } from './connection.ts';
import { Presence } from './presence.ts';
import { RoomHub } from './room-hub.ts';
import { UserHub } from './user-hub.ts';

export interface GatewayDeps {
  config: GatewayConfig;
  log: Logger;
  /** A `worker` connection for commands, connected; closed by the caller after the app. */
  redis: Redis;
  /** A `subscriber` connection (autoResubscribe off), connected; closed by the caller. */
  subscriber: Redis;
}

/** The WebSocket gateway: `/v1/ws?token=`, subscribe with resume, live fan-out. */
export async function buildGatewayApp({ config, log, redis, subscriber }: GatewayDeps): Promise<{ app: HttpApp; hub: RoomHub; connections: Set<Connection> }> {
  const app = createHttpApp({ log, service: 'gateway', trustProxy: config.TRUST_PROXY });
  const sessions = new SessionStore(redis, { secret: tokenSecret(config, (m) => log.warn(m)), ttlSeconds: config.SESSION_TTL_SECONDS });
  const presence = new Presence(redis, { ttlMs: config.PRESENCE_TTL_MS, typingThrottleMs: config.TYPING_THROTTLE_MS });
  const hub = new RoomHub({ redis, subscriber, catchUpPage: config.CATCHUP_PAGE, presenceCoalesceMs: config.PRESENCE_COALESCE_MS, presence, log: log.child({ module: 'room-hub' }) });
  const access = new RoomAccess(redis, adminUsers(config.ADMIN_USERS));
  const users = new UserHub(subscriber, log.child({ module: 'user-hub' }));
  const connections = new Set<Connection>();
  gauge(MetricName.connections, 'Open WebSocket connections', function () {
    this.set(connections.size);
  });
  gauge(MetricName.subscriptions, 'Room subscriptions of the open connections', function () {
    let n = 0;
    for (const conn of connections) n += conn.subscriptions;
    this.set(n);
  });

  await app.register(healthPlugin, {
    checks: {
      redis: redisCheck(redis),
      subscriber: async () => {
        if (subscriber.status !== 'ready') throw new Error(`pub/sub connection is ${subscriber.status}`);
      },
    },
  });
  // Every beat pings each socket; one that has not answered the previous ping is dropped.
  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const conn of connections) {
      if (!conn.alive) {
        conn.terminate();
        continue;
      }
      conn.alive = false;
      if (now - conn.lastTouch >= config.SESSION_TOUCH_MS) {
        conn.lastTouch = now;
        sessions.verify(conn.token).then(
          (s) => s ?? conn.close(CloseCode.unauthorized, 'session ended'),
          () => {},
        );
      }
    }
    for (const ws of app.websocketServer.clients) ws.ping();
  }, config.HEARTBEAT_MS);
  heartbeat.unref();

  // Presence is renewed at a third of its TTL, so one missed round does not drop anyone.
  const presenceTimer = setInterval(() => {
    hub.refreshPresence().catch((err: unknown) => log.warn({ err }, 'presence refresh failed'));
  }, Math.max(100, Math.floor(config.PRESENCE_TTL_MS / 3)));
  presenceTimer.unref();

  // The safety net under pub/sub: a live event lost in a failover or a slot move (a shard's
  // subscriber reconnects on its own, with no event to say so) is filled from the room log
  // within GAP_CHECK_MS.
  const gapTimer = setInterval(() => {
    hub.checkGaps().catch((err: unknown) => log.warn({ err }, 'gap check failed'));
  }, config.GAP_CHECK_MS);
  gapTimer.unref();

  // Sockets are closed with 1001 before the server stops (server.close() would wait for
  // them forever), so clients reconnect to another replica and resume with `since`.
  await app.register(websocket, {
    options: { maxPayload: config.MAX_PAYLOAD_BYTES, perMessageDeflate: false },
    preClose: (done) => {
      clearInterval(heartbeat);
      clearInterval(presenceTimer);
      clearInterval(gapTimer);
      app.health.draining = true;
      void closeSpread().then(() => finish(done));
    },
  });

  /** Closes every socket with 1001 in ten waves over CLOSE_SPREAD_MS: no reconnect storm on the other replicas. */
  async function closeSpread(): Promise<void> {
    const all = [...connections];
    const waves = 10;
    for (let i = 0; i < waves; i++) {
      for (const conn of all.slice(Math.floor((i * all.length) / waves), Math.floor(((i + 1) * all.length) / waves))) {
        conn.close(CloseCode.goingAway, 'server shutting down');
      }
      if (config.CLOSE_SPREAD_MS > 0 && i < waves - 1 && all.length > waves) await new Promise((r) => setTimeout(r, config.CLOSE_SPREAD_MS / waves));
    }
  }

  /** Closes what is left (sockets still authenticating) and stops the WebSocket server. */
  function finish(done: () => void): void {
    for (const ws of app.websocketServer.clients) ws.close(CloseCode.goingAway, 'server shutting down');
    // A peer that has gone away never finishes the close handshake: cut it after a moment.
    const cut = setTimeout(() => {
      for (const ws of app.websocketServer.clients) ws.terminate();
    }, 1500);
    cut.unref();
    app.websocketServer.close(() => {
      clearTimeout(cut);
      done();
    });
  }

  const connLog = log.child({ module: 'connection' });
  const origins = new Set(config.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean));
  const perUser = new Map<string, number>();
  const perIp = new Map<string, number>();
  const count = (map: Map<string, number>, key: string, delta: number): number => {
    const n = (map.get(key) ?? 0) + delta;
    if (n > 0) map.set(key, n);
    else map.delete(key);
    return n;
  };

  app.get('/v1/ws', { websocket: true }, (socket, request) => {
    forgetUpgradeRequest(socket, request.raw);
    const token = (request.query as { token?: string }).token;
    // Browsers always send Origin: only pages of the allowed origins may use a user's token
    // (cross-site WebSocket hijacking). Clients that are not browsers send none.
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has('*') && !origins.has(origin)) {
      socket.close(CloseCode.policy, 'origin not allowed');
      return;
    }
    const ip = request.ip;
    if (count(perIp, ip, 1) > config.MAX_CONNECTIONS_PER_IP) {
      count(perIp, ip, -1);
      socket.close(CloseCode.policy, 'too many connections from this address');
      return;
    }
    let counted: string | undefined;
    // Frames that arrive before the token is checked; dropped once it is.
    let early: string[] | undefined = [];
    let conn: Connection | undefined;
    // Listeners are attached at once so frames sent while the token is checked are kept.
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(1003, 'text frames only');
      const text = (data as Buffer).toString('utf8');
      if (conn) conn.onFrame(text);
      else early?.push(text);
    });
    socket.on('pong', () => {
      if (conn) conn.alive = true;
    });
    socket.on('close', () => {
      count(perIp, ip, -1);
      if (counted !== undefined) count(perUser, counted, -1);
      if (!conn) return;
      conn.dispose();
      connections.delete(conn);
      users.remove(conn.username, conn);
    });
    sessions.verify(token).then(
      (session) => {
        if (!session || !token) return socket.close(CloseCode.unauthorized, 'unauthorized');
        if (socket.readyState !== socket.OPEN) return;
        counted = usernameKey(session.username);
        if (count(perUser, counted, 1) > config.MAX_CONNECTIONS_PER_USER) return socket.close(CloseCode.policy, 'too many connections for this user');
        conn = new Connection(socket, {
          username: session.username,
          token,
          sessionId: session.id,
          hub,
          access,
          presence,
          typingThrottleMs: config.TYPING_THROTTLE_MS,
          maxBuffered: config.MAX_BUFFERED_BYTES,
          maxSubscriptions: config.MAX_SUBSCRIPTIONS,
          frameRate: config.FRAME_RATE,
          log: connLog,
        });
        connections.add(conn);
        users.add(conn.username, conn);
        const waiting = early ?? [];
        early = undefined;
        for (const text of waiting) conn.onFrame(text);
      },
      (err: unknown) => {
        connLog.warn({ err, ip }, 'session check failed');
        socket.close(CloseCode.tryAgainLater, 'cannot check the session now');
      },
    );
  });

  return { app, hub, connections };
}

/**
 * Lets the upgrade's request and response objects be collected once the socket is open: a
 * connection lives for hours, and they were about 2 KB of every idle connection's heap.
 * Two references keep them: @fastify/websocket's error listener on the socket (it closes
 * over the fastify request and reply; replaced by one that needs neither), and the TCP
 * socket's HTTP response (`ServerResponse.detachSocket` is the public way to let go).
 */
function forgetUpgradeRequest(socket: WebSocket, raw: IncomingMessage): void {
  socket.removeAllListeners('error');
  socket.on('error', onSocketError);
  const tcp = raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  tcp._httpMessage?.detachSocket(tcp);
}

/** What @fastify/websocket's default handler does, without holding the request. */
function onSocketError(this: WebSocket): void {
  this.terminate();
}
