import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVELOPMENT_SECRET, SessionStore } from '@chitchat/platform';
import { TestWsClient, defer } from '@chitchat/testing';
import WebSocket from 'ws';
import { connect, startGateway, tokenFor } from './helper.ts';

const gateway = await startGateway({ MAX_CONNECTIONS_PER_USER: '3', MAX_SUBSCRIPTIONS: '2', FRAME_RATE: '5' });
const sessions = new SessionStore(gateway.redis, { secret: DEVELOPMENT_SECRET });

test('an Origin that is not allowed is closed with 1008; allowed and absent Origins connect', async () => {
  const token = await tokenFor(gateway.redis);
  const url = `${gateway.url}?token=${encodeURIComponent(token)}`;
  const evil = new WebSocket(url, { origin: 'https://evil.example' });
  const code = await new Promise<number>((resolve) => evil.on('close', (c) => resolve(c)));
  assert.equal(code, 1008);
  const good = new WebSocket(url, { origin: 'http://localhost:8080' });
  defer(() => good.close());
  await new Promise((resolve, reject) => {
    good.on('message', resolve);
    good.on('open', () => good.send(JSON.stringify({ type: 'ping' })));
    good.on('close', reject);
  });
});

test('leaving closes every socket of that session with 4401 at once; other sessions stay', async () => {
  const { token } = await sessions.create('leaver');
  const keep = await connect(gateway, await tokenFor(gateway.redis));
  const a = await connect(gateway, token);
  const b = await connect(gateway, token);
  const session = await sessions.verify(token);
  assert.ok(session);
  await sessions.revoke(session);
  assert.equal(await a.closed, 4401);
  assert.equal(await b.closed, 4401);
  assert.equal(await new TestWsClient(`${gateway.url}?token=${encodeURIComponent(token)}`).closed, 4401, 'the token no longer opens a socket');
  const from = keep.frames.length;
  keep.send({ type: 'ping' });
  await keep.next('pong', from);
});

test('too many connections for one user are refused with 1008', async () => {
  const token = await tokenFor(gateway.redis);
  const open = [];
  for (let i = 0; i < 3; i++) open.push(await connect(gateway, token));
  const fourth = new TestWsClient(`${gateway.url}?token=${encodeURIComponent(token)}`);
  assert.equal(await fourth.closed, 1008);
  // The three that are open still work.
  const from = open[2]?.frames.length ?? 0;
  open[2]?.send({ type: 'ping' });
  await open[2]?.next('pong', from);
});

test('subscriptions per connection are capped', async () => {
  const client = await connect(gateway, await tokenFor(gateway.redis));
  for (const room of ['cap-a', 'cap-b']) {
    client.send({ type: 'subscribe', room });
    await client.until((fs) => fs.some((f) => f.type === 'subscribed' && f.room === room), room);
  }
  const from = client.frames.length;
  client.send({ type: 'subscribe', room: 'cap-c' });
  const error = await client.next('error', from);
  assert.equal(error.code, 'too_many_subscriptions');
  assert.equal(error.room, 'cap-c');
});

test('a frame flood is limited: excess frames get one error and are dropped; the socket stays usable', async () => {
  const client = await connect(gateway, await tokenFor(gateway.redis));
  for (let i = 0; i < 50; i++) client.send({ type: 'ping' });
  await client.until((fs) => fs.some((f) => f.type === 'error'), 'the rate-limit error');
  const pongs = client.frames.filter((f) => f.type === 'pong').length;
  assert.ok(pongs >= 10 && pongs < 50, `only the burst was answered (${pongs} pongs)`);
  assert.equal(client.frames.find((f) => f.type === 'error')?.code, 'rate_limited');
  assert.equal(client.frames.filter((f) => f.type === 'error').length, 1, 'one notice, not one per dropped frame');
  assert.equal(client.closeCode, undefined);
});

test('a 1 MB frame is closed with 1009', async () => {
  const client = await connect(gateway, await tokenFor(gateway.redis));
  client.ws.send('x'.repeat(1024 * 1024));
  assert.equal(await client.closed, 1009);
});
