import { once } from 'node:events';
import { closeRedis, connectRedis, createLogger, createRedis, type Redis } from '@chitchat/platform';
import { defer, startTestRedis, type TestRedis } from '@chitchat/testing';
import { buildPersistenceApp } from '../src/app.ts';
import { loadPersistenceConfig } from '../src/config.ts';
import type { PersistenceWorker } from '../src/worker.ts';

/** One Redis for the suite, stopped after it. */
export async function suiteRedis(): Promise<TestRedis> {
  const server = await startTestRedis();
  defer(() => server.stop());
  return server;
}

/** A connection for the test itself, closed after the suite. */
export async function testConnection(url: string, role: 'worker' | 'subscriber' = 'worker'): Promise<Redis> {
  const redis = await connectRedis(createRedis({ url, name: `test-${role}`, role, log: createLogger('test', 'silent') }));
  defer(() => closeRedis(redis));
  return redis;
}

/** A persistence worker with its app; `stop()` closes it as SIGTERM would. */
export async function startWorker(url: string, env: Record<string, string> = {}): Promise<{ worker: PersistenceWorker; stop: () => Promise<void> }> {
  const config = loadPersistenceConfig({ REDIS_URL: url, LOG_LEVEL: 'silent', ...env });
  const log = createLogger('persistence', config.LOG_LEVEL);
  const redis = await connectRedis(createRedis({ url, name: 'persistence-test', role: 'worker', log }));
  const { app, worker } = await buildPersistenceApp({ config, log, redis });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await app.close();
      await closeRedis(redis);
    })());
  defer(stop);
  return { worker, stop };
}

/** Waits until the worker holds partitions satisfying `predicate`. */
export async function untilPartitions(worker: PersistenceWorker, predicate: (held: number[]) => boolean): Promise<void> {
  while (!predicate(worker.partitions)) await once(worker, 'partitions');
}

/** Collects the frames published on rooms' live channels. */
export async function liveFrames(url: string, rooms: string[]): Promise<{ frames: Map<string, { seq: number; id: string; text: string; user: string }[]>; until: (room: string, n: number) => Promise<void> }> {
  const { roomKeys } = await import('@chitchat/contracts');
  const sub = await testConnection(url, 'subscriber');
  const frames = new Map<string, { seq: number; id: string; text: string; user: string }[]>(rooms.map((r) => [r, []]));
  const waiters: (() => void)[] = [];
  sub.on('smessage', (_channel: string, raw: string) => {
    const { room, message } = JSON.parse(raw) as { room: string; message: { seq: number; id: string; text: string; user: string } };
    frames.get(room)?.push(message);
    for (const w of waiters.splice(0)) w();
  });
  for (const room of rooms) await sub.ssubscribe(roomKeys.live(room));
  const until = async (room: string, n: number): Promise<void> => {
    while ((frames.get(room)?.length ?? 0) < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { frames, until };
}
