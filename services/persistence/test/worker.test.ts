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

test('an entry whose commit keeps failing is retried, then dead-lettered with its error; the partition moves on', async () => {
  // Two rooms that share a partition; one room's seq key is corrupted so its commit fails.
  const broken = 'zeta';
  const healthy = Array.from({ length: 100 }, (_, i) => `zeta-${i}`).find((r) => partitionOf(r, P) === partitionOf(broken, P)) as string;
  await redis.rpush(roomKeys.seq(broken), 'not a counter');
  const live = await liveFrames(server.url, [healthy]);
  const { stop } = await startWorker(server.url, { INGEST_PARTITIONS: String(P), MAX_ATTEMPTS: '3' });
  await enqueue(healthy, 'first');
  const poison = await enqueue(broken, 'cannot be stored');
  await enqueue(healthy, 'second');
  await live.until(healthy, 2);
  assert.deepEqual((await logOf(healthy)).map((m) => m.text), ['first', 'second']);
  // Wait for the dead-letter entry itself (it follows the retries).
  const blocking = await testConnection(server.url);
  const [[, dead]] = (await blocking.xread('BLOCK', 20_000, 'STREAMS', partitionKeys.deadLetter(partitionOf(broken, P)), '0')) as [[string, [string, string[]][]]];
  const entry = dead.map(([, f]) => f).find((f) => f.includes(poison));
  assert.ok(entry, 'the failing entry is in the dead-letter stream');
  assert.match(entry[entry.indexOf('error') + 1] ?? '', /WRONGTYPE/);
  assert.equal(entry[entry.indexOf('attempts') + 1], '3', 'it was tried MAX_ATTEMPTS times first');
  assert.equal(await redis.hget(partitionKeys.attempts(partitionOf(broken, P)), entry[entry.indexOf('entryId') + 1] ?? ''), null, 'its attempt count is cleared');
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

test('trimming a partition keeps every entry still pending for any consumer', async () => {
  const { trimAcknowledged } = await import('../src/partition-consumer.ts');
  const stream = partitionKeys.stream(99);
  await redis.xgroup('CREATE', stream, PERSISTENCE_GROUP, '0', 'MKSTREAM');
  const ids: string[] = [];
  for (let i = 0; i < 300; i++) ids.push((await redis.xadd(stream, '*', 'n', String(i))) as string);
  // A consumer reads 100 entries and crashes; another reads and acknowledges the other 200.
  await redis.xreadgroup('GROUP', PERSISTENCE_GROUP, 'crashed', 'COUNT', 100, 'STREAMS', stream, '>');
  await redis.xreadgroup('GROUP', PERSISTENCE_GROUP, 'alive', 'COUNT', 200, 'STREAMS', stream, '>');
  await redis.xack(stream, PERSISTENCE_GROUP, ...ids.slice(100));
  await trimAcknowledged(redis, stream, ids.at(-1) as string);
  const [, claimed, deleted] = (await redis.xautoclaim(stream, PERSISTENCE_GROUP, 'heir', 0, '0-0', 'COUNT', 1000)) as [string, [string, string[]][], string[]];
  assert.deepEqual(deleted, [], 'no pending entry lost its data');
  assert.deepEqual(claimed.map(([id]) => id), ids.slice(0, 100));
  // Once those are acknowledged, the whole stream can go.
  await redis.xack(stream, PERSISTENCE_GROUP, ...ids.slice(0, 100));
  await trimAcknowledged(redis, stream, ids.at(-1) as string);
  assert.equal(await redis.xlen(stream), 0);
});
