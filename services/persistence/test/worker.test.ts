import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENCE_GROUP, partitionKeys, partitionOf, roomKeys } from '@chitchat/contracts';
import { liveFrames, startWorker, suiteRedis, testConnection, untilPartitions } from './helper.ts';

const P = 4;
const server = await suiteRedis();
const redis = await testConnection(server.url);
let n = 0;

/** Appends an entry to the room's partition as ingest does. */
async function enqueue(room: string, text: string, extra: Record<string, string> = {}): Promise<string> {
  const id = extra.id ?? `m-${++n}`;
  const fields = { id, room, user: 'alice', text, at: String(Date.now()), ...extra };
  await redis.xadd(partitionKeys.stream(partitionOf(room, P)), '*', ...Object.entries(fields).flat());
  return id;
}

async function logOf(room: string): Promise<{ seq: number; id: string; text: string }[]> {
  const raw = (await redis.xrange(roomKeys.log(room), '-', '+')) as [string, string[]][];
  return raw.map(([entryId, f]) => ({ seq: Number(entryId.split('-')[0]), id: f[f.indexOf('id') + 1] as string, text: f[f.indexOf('text') + 1] as string }));
}

test('messages get seqs 1..n per room in the order accepted, are stored and published once', async () => {
  const live = await liveFrames(server.url, ['alpha', 'beta']);
  const { worker, stop } = await startWorker(server.url, { INGEST_PARTITIONS: String(P), BATCH_SIZE: '7' });
  await untilPartitions(worker, (held) => held.length === P);
  for (let i = 1; i <= 30; i++) {
    await enqueue('alpha', `a${i}`);
    if (i % 2 === 0) await enqueue('beta', `b${i / 2}`);
  }
  await live.until('alpha', 30);
  await live.until('beta', 15);
  const alpha = await logOf('alpha');
  assert.deepEqual(alpha.map((m) => m.seq), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.deepEqual(alpha.map((m) => m.text), Array.from({ length: 30 }, (_, i) => `a${i + 1}`));
  assert.deepEqual(live.frames.get('alpha')?.map((m) => m.seq), alpha.map((m) => m.seq));
  assert.deepEqual((await logOf('beta')).map((m) => m.text), Array.from({ length: 15 }, (_, i) => `b${i + 1}`));
  assert.equal(await redis.get(roomKeys.seq('alpha')), '30');
  await stop();
});

test('an entry delivered twice (a retry after a crash) is stored once', async () => {
  const live = await liveFrames(server.url, ['gamma']);
  const { stop } = await startWorker(server.url, { INGEST_PARTITIONS: String(P) });
  await enqueue('gamma', 'once', { id: 'dup-1' });
  await enqueue('gamma', 'once', { id: 'dup-1' });
  await enqueue('gamma', 'after');
  await live.until('gamma', 2);
  assert.deepEqual((await logOf('gamma')).map((m) => [m.seq, m.text]), [[1, 'once'], [2, 'after']]);
  await stop();
});

test('entries a dead worker read but never acknowledged are stored first, in order', async () => {
  const room = 'delta';
  const p = partitionOf(room, P);
  const stream = partitionKeys.stream(p);
  await redis.xgroup('CREATE', stream, PERSISTENCE_GROUP, '0', 'MKSTREAM').catch(() => {});
  for (let i = 1; i <= 5; i++) await enqueue(room, `old${i}`);
  // A consumer reads them and dies before committing: they stay pending for it.
  await redis.xreadgroup('GROUP', PERSISTENCE_GROUP, 'dead-worker', 'COUNT', 100, 'STREAMS', stream, '>');
  for (let i = 1; i <= 3; i++) await enqueue(room, `new${i}`);
  const live = await liveFrames(server.url, [room]);
  const { stop } = await startWorker(server.url, { INGEST_PARTITIONS: String(P) });
  await live.until(room, 8);
  assert.deepEqual((await logOf(room)).map((m) => m.text), ['old1', 'old2', 'old3', 'old4', 'old5', 'new1', 'new2', 'new3']);
  const [pending] = (await redis.xpending(stream, PERSISTENCE_GROUP)) as [number];
  assert.equal(pending, 0, 'everything is acknowledged');
  await stop();
});

test('an entry that cannot be stored goes to the dead-letter stream with its error; the partition moves on', async () => {
  const room = 'epsilon';
  const live = await liveFrames(server.url, [room]);
  const { stop } = await startWorker(server.url, { INGEST_PARTITIONS: String(P) });
  await enqueue(room, 'before');
  await enqueue(room, 'broken', { user: 'not a valid user!' });
  await enqueue(room, 'after');
  await live.until(room, 2);
  assert.deepEqual((await logOf(room)).map((m) => m.text), ['before', 'after']);
  const dead = (await redis.xrange(partitionKeys.deadLetter(partitionOf(room, P)), '-', '+')) as [string, string[]][];
  const broken = dead.map(([, f]) => f).find((f) => f.includes('broken'));
  assert.ok(broken, 'the bad entry is kept in the dead-letter stream');
  assert.match(broken[broken.indexOf('error') + 1] ?? '', /user/);
  await stop();
});

test('workers share the partitions, and a stopping worker hands its share to the others', async () => {
  const fresh = await suiteRedis();
  const env = { INGEST_PARTITIONS: '8', LEASE_TTL_MS: '800' };
  const a = await startWorker(fresh.url, env);
  await untilPartitions(a.worker, (held) => held.length === 8);
  const b = await startWorker(fresh.url, env);
  await untilPartitions(b.worker, (held) => held.length === 4);
  await untilPartitions(a.worker, (held) => held.length === 4);
  assert.deepEqual([...a.worker.partitions, ...b.worker.partitions].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  await a.stop();
  await untilPartitions(b.worker, (held) => held.length === 8);
});
