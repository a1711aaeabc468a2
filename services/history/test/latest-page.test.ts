import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { logEntryId, roomKeys, usernameKey } from '@chitchat/contracts';
import { monitorCommands } from '@chitchat/testing';
import { LatestPages } from '../src/latest-pages.ts';
import { HistoryStore } from '../src/store.ts';
import { startTestHistory } from './helper.ts';

// The latest page is kept in process until the room's head seq or log length moves. These
// tests change rooms with persistence's own commit scripts (and trim them as housekeeping
// does), so they fail if a change that users see leaves the head where it was.

const { app, redis, sessions } = await startTestHistory();
const tokens = { reader: (await sessions.create('reader')).token, bob: (await sessions.create('Bob')).token };
/** Room names unique to this run (REDIS_URL may be a shared server). */
const run = randomBytes(3).toString('hex');
const name = (what: string): string => `${what}-${run}`;

const script = (file: string): string => readFileSync(new URL(`../../persistence/lua/${file}`, import.meta.url), 'utf8');
const COMMIT_MESSAGE = script('commit-message-7.lua');
const COMMIT_EVENT = script('commit-event-8.lua');

/** Stores a message as persistence's commit does; returns its id and seq. */
async function send(room: string, user: string, text: string): Promise<{ id: string; seq: number }> {
  const id = randomUUID();
  const keys = [roomKeys.seq(room), roomKeys.log(room), roomKeys.stored(room, id), roomKeys.meta(room), roomKeys.stored(room, id), roomKeys.ids(room), roomKeys.replies(room, 0)];
  const args = [room, id, user, text, Date.now(), '', roomKeys.live(room), 3600, '0', Date.now(), '', '', '', '0'];
  const [seq, outcome] = (await redis.eval(COMMIT_MESSAGE, keys.length, ...keys, ...args)) as [number, number];
  assert.equal(outcome, 1);
  return { id, seq };
}

/** Applies an edit, delete, react or unreact as persistence's commit does; returns its seq. */
async function change(room: string, kind: 'edit' | 'delete' | 'react' | 'unreact', user: string, target: string, payload = ''): Promise<number> {
  const id = randomUUID();
  const keys = [roomKeys.seq(room), roomKeys.log(room), roomKeys.stored(room, id), roomKeys.meta(room), roomKeys.stored(room, id), roomKeys.ids(room), roomKeys.state(room), roomKeys.stored(room, target)];
  const args = [room, id, kind, user, Date.now(), target, payload, '0', '0', Date.now(), '', roomKeys.live(room), 3600, 20];
  const [seq, outcome, reason] = (await redis.eval(COMMIT_EVENT, keys.length, ...keys, ...args)) as [number, number, string?];
  assert.equal(outcome, 1, reason);
  return seq;
}

interface Page {
  room: string;
  headSeq: number;
  messages: { seq: number; id: string; text: string; user: string; editedAt?: number; deleted?: true; reactions?: { emoji: string; count: number; me: boolean }[] }[];
}

async function get(room: string, query = '', as: keyof typeof tokens = 'reader') {
  const res = await app.inject({ method: 'GET', url: `/v1/rooms/${room}/messages${query}`, headers: { authorization: `Bearer ${tokens[as]}` } });
  return { status: res.statusCode, raw: res.body, type: res.headers['content-type'], body: res.json<Page & { code?: string }>() };
}

const latest = async (room: string, as: keyof typeof tokens = 'reader'): Promise<Page> => {
  const res = await get(room, '?limit=5', as);
  assert.equal(res.status, 200, res.raw);
  return res.body;
};

test('a new message is on the next latest page', async () => {
  const room = name('new');
  for (let i = 1; i <= 6; i++) await send(room, 'alice', `m${i}`);
  assert.deepEqual((await latest(room)).messages.map((m) => m.text), ['m2', 'm3', 'm4', 'm5', 'm6']);
  assert.equal((await latest(room)).headSeq, 6);
  await send(room, 'alice', 'm7');
  const page = await latest(room);
  assert.deepEqual(page.messages.map((m) => m.text), ['m3', 'm4', 'm5', 'm6', 'm7']);
  assert.equal(page.headSeq, 7);
});

test('an edit, a delete, a reaction and its removal are each on the next latest page', async () => {
  const room = name('changes');
  const first = await send(room, 'reader', 'first');
  const second = await send(room, 'alice', 'second');
  await latest(room);

  await change(room, 'edit', 'reader', first.id, 'first, edited');
  let page = await latest(room);
  assert.equal(page.messages[0]?.text, 'first, edited');
  assert.equal(typeof page.messages[0]?.editedAt, 'number');

  await change(room, 'delete', 'alice', second.id);
  page = await latest(room);
  assert.deepEqual({ text: page.messages[1]?.text, deleted: page.messages[1]?.deleted }, { text: '', deleted: true });

  await change(room, 'react', 'bob', first.id, '👍');
  assert.deepEqual((await latest(room)).messages[0]?.reactions, [{ emoji: '👍', count: 1, me: false }]);
  // Whether the viewer is among those who reacted differs by viewer, on the same page.
  assert.deepEqual((await latest(room, 'bob')).messages[0]?.reactions, [{ emoji: '👍', count: 1, me: true }]);
  assert.deepEqual((await latest(room)).messages[0]?.reactions, [{ emoji: '👍', count: 1, me: false }]);

  await change(room, 'unreact', 'bob', first.id, '👍');
  assert.equal((await latest(room, 'bob')).messages[0]?.reactions, undefined);
  assert.equal((await latest(room)).messages[0]?.reactions, undefined);
});

test('messages that retention trims are gone from the next latest page, though the head stays', async () => {
  const room = name('trimmed');
  for (let i = 1; i <= 3; i++) await send(room, 'alice', `m${i}`);
  assert.equal((await latest(room)).messages.length, 3);
  // As housekeeping trims: the oldest entries and their state; the seq counter is left alone.
  await redis.xtrim(roomKeys.log(room), 'MINID', logEntryId(3));
  assert.deepEqual((await latest(room)).messages.map((m) => m.text), ['m3']);
  await redis.xtrim(roomKeys.log(room), 'MINID', logEntryId(4));
  assert.deepEqual(await latest(room), { room, messages: [], headSeq: 3 });
  // One message in, one trimmed: the same length, a new head.
  await send(room, 'alice', 'm4');
  assert.deepEqual((await latest(room)).messages.map((m) => m.text), ['m4']);
  await send(room, 'alice', 'm5');
  await redis.xtrim(roomKeys.log(room), 'MINID', logEntryId(5));
  assert.deepEqual((await latest(room)).messages.map((m) => m.text), ['m5']);
});

test('the latest page is byte for byte the page the serializer makes, with the same content type', async () => {
  const room = name('bytes');
  const a = await send(room, 'alice', 'quote " backslash \\ tab \t emoji 😀 <b>');
  const b = await send(room, 'reader', 'two');
  await send(room, 'alice', 'three');
  await change(room, 'edit', 'reader', b.id, 'two, edited');
  await change(room, 'react', 'bob', a.id, '🎉');
  const head = Number(await redis.get(roomKeys.seq(room)));
  for (const as of ['reader', 'bob'] as const) {
    for (let i = 0; i < 2; i++) {
      // `before` past the head is the same page, made from objects by the route's serializer.
      const [cached, serialized] = [await get(room, '?limit=50', as), await get(room, `?limit=50&before=${head + 1}`, as)];
      assert.equal(cached.raw, serialized.raw);
      assert.equal(cached.type, serialized.type);
      assert.equal(cached.type, 'application/json; charset=utf-8');
    }
  }
  const empty = name('empty');
  assert.equal((await get(empty)).raw, (await get(empty, '?before=1')).raw);
});

test("a private room's latest page: 404 room_not_found for a non-member, as every other read says, even once it is kept", async () => {
  const room = `priv-${run}`;
  await redis.sadd(roomKeys.members(room), usernameKey('reader'));
  await send(room, 'reader', 'secret');
  assert.equal((await latest(room)).messages[0]?.text, 'secret');
  const denied = await get(room, '', 'bob');
  assert.equal(denied.status, 404);
  assert.equal(denied.body.code, 'room_not_found');
  const info = await app.inject({ method: 'GET', url: `/v1/rooms/${room}`, headers: { authorization: `Bearer ${tokens.bob}` } });
  assert.equal(denied.raw, info.body);
  assert.equal(denied.type, info.headers['content-type']);
  assert.equal((await get(room, '?before=5', 'bob')).raw, info.body);

  await redis.sadd(roomKeys.members(room), usernameKey('Bob'));
  assert.equal((await latest(room, 'bob')).messages[0]?.text, 'secret');
  await redis.srem(roomKeys.members(room), usernameKey('Bob'));
  assert.equal((await get(room, '', 'bob')).status, 404);
  // A public room is readable by everyone (a ban stops posting, not reading).
  await redis.sadd(roomKeys.banned(name('public')), usernameKey('Bob'));
  assert.equal((await get(name('public'), '', 'bob')).status, 200);
});

test('an unchanged latest page is not read from the log again; requests that find a change together read it once', async (t) => {
  const room = name('reads');
  for (let i = 1; i <= 10; i++) await send(room, 'alice', `m${i}`);
  const commands = await monitorCommands(redis, t);
  if (!commands) return t.skip('MONITOR sees one node of a cluster');
  /** The log reads of the room's page since the last look. */
  const logReads = (): Promise<number> => commands.count((args) => args[0] === 'xrevrange' && args[1] === roomKeys.log(room));

  await latest(room);
  assert.equal(await logReads(), 1);
  for (let i = 0; i < 5; i++) await latest(room);
  assert.equal(await logReads(), 0);
  await send(room, 'alice', 'm11');
  const pages = await Promise.all(Array.from({ length: 20 }, () => latest(room)));
  assert.ok(pages.every((p) => p.messages.at(-1)?.text === 'm11' && p.headSeq === 11));
  assert.equal(await logReads(), 1);
});

test('the kept pages are bounded in number and in size; a page that went is read again, right', async () => {
  const store = new HistoryStore(redis);
  const serialize = (page: unknown): string => JSON.stringify(page);
  const rooms = [name('lru-a'), name('lru-b'), name('lru-c')];
  for (const room of rooms) await send(room, 'alice', room);
  const few = new LatestPages(store, { maxPages: 2 });
  const small = new LatestPages(store, { maxChars: 10 });
  for (const room of [...rooms, ...rooms]) {
    for (const pages of [few, small]) {
      const body = JSON.parse(await pages.body(room, 5, 'reader', serialize)) as Page;
      assert.deepEqual(body.messages.map((m) => m.text), [room]);
    }
  }
  assert.equal(few.size, 2);
  assert.equal(small.size, 0);
});
