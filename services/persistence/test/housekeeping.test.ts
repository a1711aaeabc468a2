import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roomKeys, globalKeys, userKeys } from '@chitchat/contracts';
import { createLogger } from '@chitchat/platform';
import { Housekeeping } from '../src/jobs/housekeeping.ts';
import { suiteRedis, testConnection } from './helper.ts';

const server = await suiteRedis();
const redis = await testConnection(server.url);
const log = createLogger('test', 'silent');

/** A room log of `n` messages, the first `old` of them stored long ago, the first edited. */
async function room(name: string, n: number, old: number): Promise<void> {
  const now = Date.now();
  for (let seq = 1; seq <= n; seq++) {
    const ts = seq <= old ? now - 3_600_000 : now;
    await redis.xadd(roomKeys.log(name), `${seq}-0`, 'id', `m${seq}`, 'user', 'alice', 'text', `t${seq}`, 'ts', String(ts));
    await redis.hset(roomKeys.ids(name), `m${seq}`, seq);
  }
  await redis.hset(roomKeys.state(name), '1', JSON.stringify({ text: 'edited' }));
  await redis.rpush(roomKeys.replies(name, 1), 2);
  await redis.zadd(globalKeys.rooms, now, name);
}

test('age and count limits trim exactly, with the state, ids and replies the trimmed messages left', async () => {
  await room('aged', 10, 4);
  await room('counted', 10, 0);
  await redis.hset(roomKeys.retention('counted'), 'maxMessages', '7');
  const housekeeping = new Housekeeping(redis, { maxMessages: 0, maxAgeSeconds: 600 }, log);
  const result = await housekeeping.run();
  assert.equal(result.trimmed, 4 + 3);
  const seqs = async (name: string) => ((await redis.xrange(roomKeys.log(name), '-', '+')) as [string, string[]][]).map(([id]) => Number(id.split('-')[0]));
  assert.deepEqual(await seqs('aged'), [5, 6, 7, 8, 9, 10], 'older than 10 minutes: gone');
  assert.deepEqual(await seqs('counted'), [4, 5, 6, 7, 8, 9, 10], 'its own limit (7) over the default');
  assert.equal(await redis.hexists(roomKeys.state('aged'), '1'), 0);
  assert.equal(await redis.hexists(roomKeys.ids('aged'), 'm1'), 0);
  assert.equal(await redis.hexists(roomKeys.ids('aged'), 'm5'), 1);
  assert.equal(await redis.exists(roomKeys.replies('aged', 1)), 0);
  assert.equal((await housekeeping.run()).trimmed, 0, 'a second run has nothing to do');
});

test('expired presence entries and claims without a session are cleaned; live ones are kept', async () => {
  const now = Date.now();
  await redis.zadd(roomKeys.presence('aged'), now - 1000, 'ghost|c1', now + 60_000, 'alive|c2');
  await redis.set(userKeys.claim('stale'), 'sid-gone');
  await redis.set(userKeys.claim('held'), 'sid-live');
  await redis.set(userKeys.session('held', 'sid-live'), 'held');
  const result = await new Housekeeping(redis, { maxMessages: 0, maxAgeSeconds: 0 }, log).run();
  assert.equal(result.presence, 1);
  assert.equal(result.claims, 1);
  assert.deepEqual(await redis.zrange(roomKeys.presence('aged'), '0', '-1'), ['alive|c2']);
  assert.equal(await redis.exists(userKeys.claim('stale')), 0, 'the name is free again');
  assert.equal(await redis.get(userKeys.claim('held')), 'sid-live');
});
