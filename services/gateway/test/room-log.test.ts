import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { roomKeys } from '@chitchat/contracts';
import { monitorCommands } from '@chitchat/testing';
import { RoomLog } from '../src/room-log.ts';
import { FakeLog, range, startGateway } from './helper.ts';

const gateway = await startGateway();
const log = new FakeLog(gateway.redis);

test('subscribers resuming together from the same seq share one read of the log; a later read reads again', async (t) => {
  const { redis } = gateway;
  const room = `herd-${randomUUID().slice(0, 8)}`;
  for (let i = 1; i <= 30; i++) await log.commit(room, `m${i}`);
  const commands = await monitorCommands(redis, t);
  if (!commands) return t.skip('MONITOR sees one node of a cluster');
  /** The log reads of the room since the last look. */
  const logReads = (): Promise<number> => commands.count((args) => args[0] === 'xrange' && args[1] === roomKeys.log(room));

  const reader = new RoomLog(redis, 100);
  const pages = await Promise.all(Array.from({ length: 20 }, () => reader.frames(room, 6, 30)));
  for (const page of pages) {
    assert.deepEqual(page.map(([seq]) => seq), range(6, 30));
    assert.deepEqual(page.map(([, frame]) => (JSON.parse(frame) as { message: { text: string } }).message.text), range(6, 30).map((i) => `m${i}`));
  }
  assert.equal(await logReads(), 1, 'one read for the 20 at once');
  // Once done, a read is not kept: a new one sees the log as it is now.
  await log.commit(room, 'm31');
  const later = await reader.frames(room, 6, 31);
  assert.deepEqual(later.map(([seq]) => seq), range(6, 31));
  await reader.frames(room, 6, 30);
  assert.equal(await logReads(), 2);
});
