/**
 * Room life across two gateway processes: presence, typing, read markers, unread counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestWsClient, defer } from '@chitchat/testing';
import { Cluster } from '../src/cluster.ts';

const c = await new Cluster({ gateways: 2, workers: 1, env: { PRESENCE_TTL_MS: '1500', TYPING_THROTTLE_MS: '60000' } }).start();
defer(() => c.stop());

async function api<T>(token: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function connect(gateway: number, token: string): Promise<TestWsClient> {
  const port = c.gateways[gateway]?.port;
  const client = await new TestWsClient(`ws://127.0.0.1:${port}/v1/ws?token=${encodeURIComponent(token)}`).open();
  defer(() => client.close());
  return client;
}

async function subscribe(client: TestWsClient, room: string): Promise<void> {
  const from = client.frames.length;
  client.send({ type: 'subscribe', room });
  await client.next('presence', from);
}

/** The users of the latest presence frame of a room. */
function presence(client: TestWsClient, room: string): string[] | undefined {
  return client.frames.filter((f) => f.type === 'presence' && f.room === room).at(-1)?.users as string[] | undefined;
}

const same = (expected: string[]) => (users: string[] | undefined) => JSON.stringify(users) === JSON.stringify(expected);

test('presence agrees across gateways, counts a user with two tabs once, and follows join and leave', async () => {
  const alice = await c.token('alice');
  const bob = await c.token('bob');
  const a = await connect(0, alice);
  const b1 = await connect(1, bob);
  const b2 = await connect(0, bob);
  await subscribe(a, 'lobby');
  assert.deepEqual(presence(a, 'lobby'), ['alice']);
  await subscribe(b1, 'lobby');
  await subscribe(b2, 'lobby');
  for (const client of [a, b1, b2]) await client.until(() => same(['alice', 'bob'])(presence(client, 'lobby')), 'alice and bob');
  const rest = await api<{ users: string[] }>(alice, 'GET', `${c.historyUrl}/v1/rooms/lobby/presence`);
  assert.deepEqual(rest.body, { room: 'lobby', users: ['alice', 'bob'] });
  const rooms = await api<{ rooms: { room: string; online: number }[] }>(alice, 'GET', `${c.historyUrl}/v1/rooms`);
  assert.equal(rooms.body.rooms.find((r) => r.room === 'lobby')?.online, 2, 'two tabs of bob count once');
  // One of bob's tabs leaving changes nothing; the last one leaving does.
  const before = a.frames.length;
  b2.send({ type: 'unsubscribe', room: 'lobby' });
  await b2.next('unsubscribed');
  b1.send({ type: 'unsubscribe', room: 'lobby' });
  await a.until(() => same(['alice'])(presence(a, 'lobby')), 'bob gone');
  assert.equal(a.frames.slice(before).filter((f) => f.type === 'presence').length, 1, 'a single change was announced');
});

test("a killed gateway's users leave presence within the presence TTL", async () => {
  const erin = await c.token('erin');
  const frank = await c.token('frank');
  const e = await connect(0, erin);
  const f = await connect(1, frank);
  await subscribe(e, 'doomed');
  await subscribe(f, 'doomed');
  await e.until(() => same(['erin', 'frank'])(presence(e, 'doomed')), 'both');
  await c.gateways[1]?.kill('SIGKILL');
  await e.until(() => same(['erin'])(presence(e, 'doomed')), 'frank dropped out');
  const rest = await api<{ users: string[] }>(erin, 'GET', `${c.historyUrl}/v1/rooms/doomed/presence`);
  assert.deepEqual(rest.body.users, ['erin']);
  await c.startGateway(1);
});

test('typing reaches the other gateway once per throttle window and never the typist', async () => {
  const gina = await c.token('gina');
  const hank = await c.token('hank');
  const g = await connect(0, gina);
  const h1 = await connect(1, hank);
  const h2 = await connect(0, hank);
  for (const client of [g, h1, h2]) await subscribe(client, 'typing');
  h1.send({ type: 'typing', room: 'typing' });
  await g.until((fs) => fs.some((fr) => fr.type === 'typing'), 'hank is typing');
  assert.deepEqual(g.frames.find((fr) => fr.type === 'typing'), { type: 'typing', room: 'typing', user: 'hank' });
  // Hank's other tab types too, then subscribes elsewhere: its gateway sends that after the typing call.
  h2.send({ type: 'typing', room: 'typing' });
  h2.send({ type: 'typing', room: 'typing' });
  h2.send({ type: 'subscribe', room: 'typing-other' });
  await h2.until((fs) => fs.some((fr) => fr.type === 'subscribed' && fr.room === 'typing-other'), 'the marker subscribe');
  const marker = await api(hank, 'POST', `${c.ingestUrl}/v1/rooms/typing/messages`, { text: 'marker' });
  assert.equal(marker.status, 202);
  await g.until(() => g.messages('typing').length === 1, 'the marker message');
  assert.equal(g.frames.filter((fr) => fr.type === 'typing').length, 1, 'throttled across tabs and gateways');
  for (const own of [h1, h2]) assert.ok(!own.frames.some((fr) => fr.type === 'typing'), 'not echoed to the typist');
  // Typing in a room one has not subscribed to is refused.
  const from = g.frames.length;
  g.send({ type: 'typing', room: 'elsewhere' });
  assert.equal((await g.next('error', from)).code, 'not_subscribed');
});

test('read markers reach every device of the user, never move back, and unread counts are exact', async () => {
  const ivy = await c.token('ivy');
  const jack = await c.token('jack');
  const d1 = await connect(0, ivy);
  const d2 = await connect(1, ivy);
  await subscribe(d1, 'burst');
  for (let i = 1; i <= 100; i++) assert.equal((await api(jack, 'POST', `${c.ingestUrl}/v1/rooms/burst/messages`, { text: `m${i}` })).status, 202);
  await d1.until(() => d1.messages('burst').length === 100, 'the burst');
  const read = await api<{ room: string; seq: number }>(ivy, 'POST', `${c.ingestUrl}/v1/rooms/burst/read`, { seq: 60 });
  assert.deepEqual(read.body, { room: 'burst', seq: 60 });
  for (const device of [d1, d2]) {
    await device.until((fs) => fs.some((f) => f.type === 'read'), 'the read frame');
    assert.deepEqual(device.frames.find((f) => f.type === 'read'), { type: 'read', room: 'burst', seq: 60 });
  }
  const back = await api<{ seq: number }>(ivy, 'POST', `${c.ingestUrl}/v1/rooms/burst/read`, { seq: 10 });
  assert.equal(back.body.seq, 60, 'never backwards');
  const ahead = await api<{ seq: number }>(ivy, 'POST', `${c.ingestUrl}/v1/rooms/burst/read`, { seq: 5000 });
  assert.equal(ahead.body.seq, 100, 'never past the head');
  await api(ivy, 'POST', `${c.ingestUrl}/v1/rooms/burst/read`, { seq: 100 }).then(() => api(ivy, 'POST', `${c.ingestUrl}/v1/rooms/burst/read`, { seq: 60 }));
  const { body } = await api<{ rooms: { room: string; unread?: number; readSeq?: number; joined: boolean; headSeq: number; lastMessageAt: number }[] }>(ivy, 'GET', `${c.historyUrl}/v1/rooms`);
  const { lastMessageAt: _ts, ...burst } = body.rooms.find((r) => r.room === 'burst') ?? {};
  assert.deepEqual(burst, { room: 'burst', headSeq: 100, online: 1, joined: true, readSeq: 100, unread: 0 });
  const fresh = await c.token('kim');
  await api(fresh, 'POST', `${c.ingestUrl}/v1/rooms/burst/read`, { seq: 60 });
  const kim = await api<{ rooms: { room: string; unread?: number; joined: boolean }[] }>(fresh, 'GET', `${c.historyUrl}/v1/rooms`);
  assert.equal(kim.body.rooms.find((r) => r.room === 'burst')?.unread, 40, '100 messages, read up to 60');
  const general = kim.body.rooms.find((r) => r.room === 'general');
  assert.equal(general?.joined, false);
  assert.equal(general?.unread, undefined, 'no unread count for a room not joined');
});
