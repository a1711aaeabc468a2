import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logEntryId, partitionKeys, partitionOf, roomKeys, seqOfLogEntryId, userKeys } from './keys.ts';

/** The hash tag Redis Cluster uses: the first {...} with something inside. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

test('every key of a room carries the room hash tag, so its script touches one slot', () => {
  for (const room of ['general', 'a', 'x-y_z', 'r'.repeat(64)]) {
    const keys = [roomKeys.seq(room), roomKeys.log(room), roomKeys.live(room), roomKeys.meta(room), roomKeys.stored(room, 'm-1'), roomKeys.presence(room), roomKeys.typing(room, 'bob')];
    assert.deepEqual(new Set(keys.map(hashTag)), new Set([`room:${room}`]), room);
    assert.equal(new Set(keys).size, keys.length, 'keys are distinct');
  }
});

test('keys of a partition share one slot, and differ between partitions', () => {
  const p3 = [partitionKeys.stream(3), partitionKeys.idempotency(3, 'general', 'alice', 'c-1'), partitionKeys.lease(3), partitionKeys.attempts(3), partitionKeys.deadLetter(3)];
  assert.deepEqual(new Set(p3.map(hashTag)), new Set(['3']));
  assert.notEqual(hashTag(partitionKeys.stream(4)), hashTag(partitionKeys.stream(3)));
});

test("a user's keys and channel share one slot", () => {
  const keys = [userKeys.claim('alice'), userKeys.session('alice', 'h'), userKeys.reads('alice'), userKeys.rooms('alice'), userKeys.events('alice')];
  assert.deepEqual(new Set(keys.map(hashTag)), new Set(['user:alice']));
});

test('partitionOf is stable, in range and spreads rooms over all partitions', () => {
  assert.equal(partitionOf('general', 8), partitionOf('general', 8));
  const counts = new Array<number>(8).fill(0);
  for (let i = 0; i < 8000; i++) {
    const p = partitionOf(`room-${i}`, 8);
    assert.ok(p >= 0 && p < 8);
    counts[p] = (counts[p] ?? 0) + 1;
  }
  for (const n of counts) assert.ok(n > 700 && n < 1300, `uneven spread: ${counts.join(',')}`);
});

test('a log entry id is the seq and back', () => {
  assert.equal(logEntryId(42), '42-0');
  assert.equal(seqOfLogEntryId('42-0'), 42);
  assert.equal(seqOfLogEntryId(logEntryId(9_007_199_254)), 9_007_199_254);
});
