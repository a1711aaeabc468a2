import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionKeys, partitionOf } from '@chitchat/contracts';
import { buildTestIngest, login } from './helper.ts';

const PARTITIONS = 8;
const { app, redis } = await buildTestIngest({ INGEST_PARTITIONS: String(PARTITIONS) });
const token = await login(app, 'alice');
const auth = { authorization: `Bearer ${token}` };

type Entry = [string, string[]];
async function entriesOf(room: string): Promise<Record<string, string>[]> {
  const raw = (await redis.xrange(partitionKeys.stream(partitionOf(room, PARTITIONS)), '-', '+')) as Entry[];
  return raw
    .map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 ? [] : [[f[i], f[i + 1]]]))) as Record<string, string>)
    .filter((e) => e.room === room);
}

function send(room: string, payload: unknown, headers: Record<string, string> = auth) {
  return app.inject({ method: 'POST', url: `/v1/rooms/${room}/messages`, headers, payload: payload as object });
}

test('a message is accepted with 202 and its id, and is on its room partition with the author from the token', async () => {
  const res = await send('lobby', { text: 'hello there' });
  assert.equal(res.statusCode, 202);
  const body = res.json<{ id: string; room: string }>();
  assert.equal(body.room, 'lobby');
  const entries = await entriesOf('lobby');
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.id, body.id);
  assert.equal(entries[0]?.user, 'alice');
  assert.equal(entries[0]?.text, 'hello there');
});

test('the same clientMsgId gives the same id and one entry, however often it is retried', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const res = await send('retries', { text: 'once', clientMsgId: 'c-42' });
    assert.equal(res.statusCode, 202);
    const body = res.json<{ id: string; clientMsgId: string }>();
    assert.equal(body.clientMsgId, 'c-42');
    ids.add(body.id);
  }
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => send('retries', { text: 'once', clientMsgId: 'c-43' })));
  for (const r of concurrent) ids.add(r.json<{ id: string }>().id);
  assert.equal(ids.size, 2);
  assert.equal((await entriesOf('retries')).length, 2);
});

test('a 5000-character text is refused with 400 invalid_message and nothing is queued', async () => {
  const res = await send('limits', { text: 'x'.repeat(5000) });
  assert.equal(res.statusCode, 400);
  const problem = res.json<{ code: string; detail: string }>();
  assert.equal(problem.code, 'invalid_message');
  assert.match(problem.detail, /5000 characters/);
  assert.equal((await entriesOf('limits')).length, 0);
});

test('empty, blank or missing text and a bad clientMsgId are 400 invalid_message', async () => {
  for (const payload of [{ text: '' }, { text: '  \n ' }, {}, { text: 42 }, { text: 'ok', clientMsgId: 'x'.repeat(65) }]) {
    const res = await send('limits', payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.json<{ code: string }>().code, 'invalid_message');
  }
  assert.equal((await entriesOf('limits')).length, 0);
});

test('a body over the limit is 413 payload_too_large', async () => {
  const res = await send('limits', { text: 'x'.repeat(100_000) });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json<{ code: string }>().code, 'payload_too_large');
});

test('a malformed room name is 404 invalid_room naming it', async () => {
  const res = await send('No%20Such', { text: 'hi' });
  assert.equal(res.statusCode, 404);
  const problem = res.json<{ code: string; detail: string }>();
  assert.equal(problem.code, 'invalid_room');
  assert.match(problem.detail, /No Such/);
});

test('sending without a valid token is 401 and queues nothing', async () => {
  for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: token }] as Record<string, string>[]) {
    const res = await send('private', { text: 'hi' }, headers);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ code: string }>().code, 'unauthorized');
  }
  assert.equal((await entriesOf('private')).length, 0);
});
