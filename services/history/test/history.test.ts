import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globalKeys, logEntryId, roomKeys } from '@chitchat/contracts';
import { DEVELOPMENT_SECRET, SessionStore } from '@chitchat/platform';
import { startTestHistory } from './helper.ts';

const { app, redis, sessions } = await startTestHistory();
const { token } = await sessions.create('reader');
const auth = { authorization: `Bearer ${token}` };

/** Writes a room log as persistence does: seqs 1..n. */
async function seed(room: string, n: number): Promise<void> {
  for (let seq = 1; seq <= n; seq++) {
    await redis.xadd(roomKeys.log(room), logEntryId(seq), 'id', `id-${seq}`, 'user', 'alice', 'text', `t${seq}`, 'ts', String(1_700_000_000_000 + seq));
  }
  await redis.set(roomKeys.seq(room), n);
  await redis.hset(roomKeys.meta(room), 'lastMessageAt', 1_700_000_000_000 + n);
  await redis.zadd(globalKeys.rooms, 1_700_000_000_000 + n, room);
}

async function page(room: string, query = '') {
  const res = await app.inject({ method: 'GET', url: `/v1/rooms/${room}/messages${query}`, headers: auth });
  return { status: res.statusCode, body: res.json<{ room: string; headSeq: number; messages: { seq: number; id: string; text: string; user: string; ts: number; room: string }[]; code?: string; detail?: string }>() };
}

await seed('books', 120);

test('the newest page by default: 50 messages in ascending seq, with the head seq', async () => {
  const { status, body } = await page('books');
  assert.equal(status, 200);
  assert.equal(body.headSeq, 120);
  assert.deepEqual(body.messages.map((m) => m.seq), Array.from({ length: 50 }, (_, i) => 71 + i));
  assert.deepEqual(body.messages[0], { id: 'id-71', room: 'books', seq: 71, user: 'alice', text: 't71', ts: 1_700_000_000_071 });
});

test('before and after page backwards and forwards without overlap', async () => {
  const older = await page('books', '?before=71&limit=30');
  assert.deepEqual(older.body.messages.map((m) => m.seq), Array.from({ length: 30 }, (_, i) => 41 + i));
  const oldest = await page('books', '?before=3');
  assert.deepEqual(oldest.body.messages.map((m) => m.seq), [1, 2]);
  const newer = await page('books', '?after=110&limit=200');
  assert.deepEqual(newer.body.messages.map((m) => m.seq), Array.from({ length: 10 }, (_, i) => 111 + i));
  const none = await page('books', '?after=120');
  assert.deepEqual(none.body.messages, []);
});

test('an empty or unknown room is an empty page with head 0', async () => {
  const { status, body } = await page('nobody-here');
  assert.equal(status, 200);
  assert.deepEqual(body, { room: 'nobody-here', messages: [], headSeq: 0 });
});

test('bad queries are 400 naming the parameter; a bad room name is 404 invalid_room', async () => {
  for (const q of ['?limit=0', '?limit=201', '?limit=ten', '?before=0', '?before=5&after=1']) {
    const { status, body } = await page('books', q);
    assert.equal(status, 400, q);
    assert.equal(body.code, 'invalid_request', q);
    assert.match(body.detail ?? '', /limit|before|after/, q);
  }
  const bad = await page('Books');
  assert.equal(bad.status, 404);
  assert.equal(bad.body.code, 'invalid_room');
});

test('a revoked session can no longer read', async () => {
  const store = new SessionStore(redis, { secret: DEVELOPMENT_SECRET });
  const { token: gone } = await store.create('leaving');
  const ok = await app.inject({ method: 'GET', url: '/v1/rooms', headers: { authorization: `Bearer ${gone}` } });
  assert.equal(ok.statusCode, 200);
  const session = await store.verify(gone);
  assert.ok(session);
  await store.revoke(session);
  const res = await app.inject({ method: 'GET', url: '/v1/rooms', headers: { authorization: `Bearer ${gone}` } });
  assert.equal(res.statusCode, 401);
});

test('reading needs a session', async () => {
  const res = await app.inject({ method: 'GET', url: '/v1/rooms/books/messages' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json<{ code: string }>().code, 'unauthorized');
  const rooms = await app.inject({ method: 'GET', url: '/v1/rooms' });
  assert.equal(rooms.statusCode, 401);
});

test('the room list has every room by latest activity, and general always', async () => {
  await seed('cooking', 3);
  const res = await app.inject({ method: 'GET', url: '/v1/rooms', headers: auth });
  assert.equal(res.statusCode, 200);
  const { rooms } = res.json<{ rooms: { room: string; headSeq: number; lastMessageAt: number | null; online: number }[] }>();
  assert.deepEqual(rooms, [
    { room: 'books', headSeq: 120, lastMessageAt: 1_700_000_000_120, online: 0, joined: false },
    { room: 'cooking', headSeq: 3, lastMessageAt: 1_700_000_000_003, online: 0, joined: false },
    { room: 'general', headSeq: 0, lastMessageAt: null, online: 0, joined: false },
  ]);
});

test('random query strings and room names never get a 5xx (fuzz, fixed seed)', async () => {
  const { default: fc } = await import('fast-check');
  const part = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer().map(String), fc.constantFrom('-1', '1e309', 'NaN', '__proto__', '0x10', '', '9007199254740993'));
  await fc.assert(
    fc.asyncProperty(part, part, part, part, async (room, limit, before, after) => {
      const q = new URLSearchParams({ limit, before, after }).toString();
      const res = await app.inject({ method: 'GET', url: `/v1/rooms/${encodeURIComponent(room)}/messages?${q}`, headers: auth });
      assert.ok(res.statusCode < 500, `${room} ${q} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
    }),
    { seed: 20261124, numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
  );
});

test('events between messages are skipped: a page still holds `limit` messages, read in as many stretches as it takes', async () => {
  // seq 1-3 messages, 4-9 reactions on seq 3, 10 a message.
  for (let seq = 1; seq <= 10; seq++) {
    const event = seq >= 4 && seq <= 9;
    const fields = event ? ['kind', 'react', 'id', `e-${seq}`, 'target', '3', 'messageId', 'id-3', 'user', 'bob', 'ts', '1', 'emoji', '👍', 'count', '1'] : ['id', `id-${seq}`, 'user', 'alice', 'text', `t${seq}`, 'ts', '1'];
    await redis.xadd(roomKeys.log('thinned'), logEntryId(seq), ...fields);
  }
  await redis.set(roomKeys.seq('thinned'), 10);
  assert.deepEqual((await page('thinned', '?limit=2')).body.messages.map((m) => m.seq), [3, 10]);
  assert.deepEqual((await page('thinned', '?limit=3&before=10')).body.messages.map((m) => m.seq), [1, 2, 3]);
  assert.deepEqual((await page('thinned', '?limit=2&after=2')).body.messages.map((m) => m.seq), [3, 10]);
  assert.equal((await page('thinned', '?limit=2')).body.headSeq, 10);
});
