import { randomUUID } from 'node:crypto';
import { roomKeys } from '@chitchat/contracts';
import { DEVELOPMENT_SECRET, SessionStore, closeRedis, connectRedis, createLogger, createRedis, listen, type Redis } from '@chitchat/platform';
import { TestWsClient, defer, startTestRedis, type TestRedis } from '@chitchat/testing';
import { buildGatewayApp } from '../src/app.ts';
import { loadGatewayConfig } from '../src/config.ts';

export interface TestGateway {
  url: string;
  redis: Redis;
  subscriber: Redis;
  server: TestRedis;
  stop(): Promise<void>;
}

/** A gateway listening on a free port, on its own Redis; stopped after the suite. */
export async function startGateway(env: Record<string, string> = {}, server?: TestRedis): Promise<TestGateway> {
  if (!server) {
    server = await startTestRedis();
    const s = server;
    defer(() => s.stop());
  }
  const config = loadGatewayConfig({ REDIS_URL: server.url, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env });
  const log = createLogger('gateway', config.LOG_LEVEL);
  const redis = await connectRedis(createRedis({ url: server.url, name: 'gateway', role: 'worker', log }));
  const subscriber = await connectRedis(createRedis({ url: server.url, name: 'gateway-sub', role: 'subscriber', log, overrides: { autoResubscribe: false } }));
  const { app } = await buildGatewayApp({ config, log, redis, subscriber });
  const port = await listen(app, 0, '127.0.0.1');
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await app.close();
      await closeRedis(subscriber);
      await closeRedis(redis);
    })());
  defer(stop);
  return { url: `ws://127.0.0.1:${port}/v1/ws`, redis, subscriber, server, stop };
}

/**
 * Stores messages the way persistence does (seq, log entry, live event), so the gateway can
 * be tested alone. `publish: false` stores without publishing: a live event that got lost.
 */
export class FakeLog {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /** Like the persistence script, seq and log entry are written atomically (a reader never sees one without the other). */
  async commit(room: string, text: string, { publish = true, user = 'alice' } = {}): Promise<number> {
    const id = randomUUID();
    const ts = Date.now();
    const seq = (await this.#redis.eval(
      `local seq = redis.call('INCR', KEYS[1])
       redis.call('XADD', KEYS[2], seq .. '-0', 'id', ARGV[1], 'user', ARGV[2], 'text', ARGV[3], 'ts', ARGV[4])
       return seq`,
      2,
      roomKeys.seq(room),
      roomKeys.log(room),
      id,
      user,
      text,
      ts,
    )) as number;
    if (publish) await this.#redis.spublish(roomKeys.live(room), JSON.stringify({ type: 'message', room, message: { id, room, seq, user, text, ts } }));
    return seq;
  }
}

/** A session token for a new user on the gateway's Redis. */
export async function tokenFor(redis: Redis, username = `u${Math.random().toString(36).slice(2, 10)}`): Promise<string> {
  return (await new SessionStore(redis, { secret: DEVELOPMENT_SECRET }).create(username)).token;
}

/** A connected client, closed after the suite. */
export async function connect(gateway: TestGateway, token: string): Promise<TestWsClient> {
  const client = new TestWsClient(`${gateway.url}?token=${encodeURIComponent(token)}`);
  defer(() => client.close());
  return client.open();
}

/** The seqs of a client's messages in a room, in arrival order. */
export function seqs(client: TestWsClient, room: string): number[] {
  return client.messages(room).map((m) => m.seq);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
