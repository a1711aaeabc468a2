import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roomKeys } from '@chitchat/contracts';
import { ChatClient, TestWsClient } from '@chitchat/testing';
import { FakeLog, connect, range, seqs, startGateway, tokenFor } from './helper.ts';

const gateway = await startGateway();
const log = new FakeLog(gateway.redis);
const token = await tokenFor(gateway.redis, 'alice');

test('a bad or missing token is closed with 4401 at once', async () => {
  for (const url of [`${gateway.url}?token=nope`, gateway.url, `${gateway.url}?token=${encodeURIComponent(token)}x`]) {
    const client = new TestWsClient(url);
    assert.equal(await client.closed, 4401, url);
  }
});

test('subscribe without since: subscribed with the head, then only new messages, in order', async () => {
  await log.commit('plain', 'before 1');
  await log.commit('plain', 'before 2');
  const client = await connect(gateway, token);
  client.send({ type: 'subscribe', room: 'plain' });
  const subscribed = await client.next('subscribed');
  assert.deepEqual(subscribed, { type: 'subscribed', room: 'plain', headSeq: 2 });
  for (let i = 0; i < 5; i++) await log.commit('plain', `live ${i}`);
  await client.until((fs) => fs.filter((f) => f.type === 'message').length === 5, '5 messages');
  assert.deepEqual(seqs(client, 'plain'), range(3, 7));
  assert.equal(client.messages('plain')[0]?.text, 'live 0');
});

test('subscribe with since: exactly the missed messages, then live ones, none twice', async () => {
  for (let i = 1; i <= 100; i++) await log.commit('resume', `m${i}`);
  const client = await connect(gateway, token);
  client.send({ type: 'subscribe', room: 'resume', since: 40 });
  // Messages committed while the catch-up runs must be neither lost nor repeated.
  const during = (async () => {
    for (let i = 101; i <= 150; i++) await log.commit('resume', `m${i}`);
  })();
  await client.until((fs) => fs.filter((f) => f.type === 'message').length >= 110, 'catch-up');
  await during;
  await client.until((fs) => fs.filter((f) => f.type === 'message').length >= 110 && seqs(client, 'resume').at(-1) === 150, 'all 150');
  assert.deepEqual(seqs(client, 'resume'), range(41, 150));
  assert.equal(client.frames[0]?.type, 'subscribed', 'subscribed comes first');
});

test('since 0 replays the whole room; since beyond the head is treated as the head', async () => {
  for (let i = 1; i <= 3; i++) await log.commit('replay', `r${i}`);
  const client = await connect(gateway, token);
  client.send({ type: 'subscribe', room: 'replay', since: 0 });
  await client.until(() => seqs(client, 'replay').length === 3, '3 messages');
  assert.deepEqual(client.messages('replay').map((m) => m.text), ['r1', 'r2', 'r3']);
  const ahead = await connect(gateway, token);
  ahead.send({ type: 'subscribe', room: 'replay', since: 999 });
  await ahead.next('subscribed');
  await log.commit('replay', 'r4');
  await ahead.until(() => seqs(ahead, 'replay').length === 1, 'r4');
  assert.deepEqual(seqs(ahead, 'replay'), [4]);
});

test('a live event that never arrives is filled from the room log when the next one does', async () => {
  const client = await connect(gateway, token);
  client.send({ type: 'subscribe', room: 'gaps' });
  await client.next('subscribed');
  await log.commit('gaps', 'g1');
  await log.commit('gaps', 'g2', { publish: false });
  await log.commit('gaps', 'g3', { publish: false });
  await log.commit('gaps', 'g4');
  await client.until(() => seqs(client, 'gaps').length === 4, '4 messages');
  assert.deepEqual(client.messages('gaps').map((m) => m.text), ['g1', 'g2', 'g3', 'g4']);
});

test('messages committed while the pub/sub connection is down still arrive, once, in order', async () => {
  const client = await connect(gateway, token);
  client.send({ type: 'subscribe', room: 'outage' });
  await client.next('subscribed');
  await log.commit('outage', 'o1');
  await client.until(() => seqs(client, 'outage').length === 1, 'o1');
  const reconnected = new Promise((resolve) => gateway.subscriber.once('ready', resolve));
  await gateway.redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await log.commit('outage', 'o2');
  await log.commit('outage', 'o3');
  await reconnected;
  await client.until(() => seqs(client, 'outage').length === 3, 'o2 and o3 after the reconnect');
  await log.commit('outage', 'o4');
  await client.until(() => seqs(client, 'outage').length === 4, 'o4 live');
  assert.deepEqual(client.messages('outage').map((m) => m.text), ['o1', 'o2', 'o3', 'o4']);
});

test('two clients in a room each get every message once; an unsubscribed one gets no more', async () => {
  const a = await connect(gateway, token);
  const b = await connect(gateway, await tokenFor(gateway.redis));
  for (const c of [a, b]) c.send({ type: 'subscribe', room: 'pair', since: 0 });
  await a.next('subscribed');
  await b.next('subscribed');
  for (let i = 1; i <= 20; i++) await log.commit('pair', `p${i}`);
  await a.until(() => seqs(a, 'pair').length === 20, 'a: 20');
  await b.until(() => seqs(b, 'pair').length === 20, 'b: 20');
  assert.deepEqual(seqs(a, 'pair'), range(1, 20));
  assert.deepEqual(seqs(b, 'pair'), range(1, 20));
  b.send({ type: 'unsubscribe', room: 'pair' });
  await b.next('unsubscribed');
  await log.commit('pair', 'p21');
  await a.until(() => seqs(a, 'pair').length === 21, 'a: 21');
  // b's ping is answered after anything sent before it, so no p21 can still be on its way.
  const from = b.frames.length;
  b.send({ type: 'ping' });
  await b.next('pong', from);
  assert.equal(seqs(b, 'pair').length, 20);
});

test('a resume from a seq the log no longer keeps is told so, then continues from the oldest kept', async () => {
  for (let i = 1; i <= 30; i++) await log.commit('trimmed', `t${i}`);
  await gateway.redis.xtrim(roomKeys.log('trimmed'), 'MINID', '21-0');
  const client = await connect(gateway, token);
  client.send({ type: 'subscribe', room: 'trimmed', since: 5 });
  const warning = await client.next('error');
  assert.equal(warning.code, 'history_trimmed');
  assert.equal(warning.oldestSeq, 21);
  assert.match(String(warning.detail), /after seq 5 up to 20/);
  await client.until(() => seqs(client, 'trimmed').length === 10, 'the kept messages');
  assert.deepEqual(seqs(client, 'trimmed'), range(21, 30));
  const fine = await connect(gateway, token);
  fine.send({ type: 'subscribe', room: 'trimmed', since: 25 });
  await fine.until(() => seqs(fine, 'trimmed').length === 5, 'the rest');
  assert.ok(!fine.frames.some((f) => f.type === 'error'), 'no warning when nothing is missing');
});

test('a client that stops reading is closed with 4408, resumes with since and misses nothing; others are unaffected', async () => {
  const small = await startGateway({ MAX_BUFFERED_BYTES: '65536' }, gateway.server);
  const slow = new ChatClient({ urls: () => [small.url], token, rooms: ['flood'] });
  const steady = new ChatClient({ urls: () => [small.url], token, rooms: ['flood'] });
  await Promise.all([slow.start(), steady.start()]);
  slow.pause();
  const text = 'x'.repeat(3900);
  // Enough to fill the socket buffers of the stalled client many times over.
  for (let i = 1; i <= 1500; i++) await log.commit('flood', `${i} ${text}`);
  await steady.until('flood', 1500);
  assert.equal(steady.reconnects, 0, 'the reading client was never cut off');
  slow.resume();
  await slow.until('flood', 1500);
  assert.ok(slow.closeCodes.includes(4408), `closed as a slow consumer (got ${slow.closeCodes.join(',')})`);
  for (const c of [slow, steady]) {
    assert.equal(c.duplicates, 0, `${c === slow ? 'slow' : 'steady'}: no duplicates (reconnects ${c.reconnects}, closes ${c.closeCodes.join(',')})`);
    assert.equal(c.gaps, 0);
    assert.deepEqual(c.received.get('flood')?.map((m) => m.seq), range(1, 1500));
    c.stop();
  }
});

test('bad frames get an error frame naming the problem and the connection stays open', async () => {
  const client = await connect(gateway, token);
  const cases: [string, string, RegExp][] = [
    ['not json', 'invalid_frame', /JSON/],
    [JSON.stringify({ type: 'dance' }), 'invalid_frame', /dance/],
    [JSON.stringify({ type: 'subscribe', room: 'Bad Room' }), 'invalid_room', /Bad Room/],
    [JSON.stringify({ type: 'subscribe', room: 'ok', since: -1 }), 'invalid_frame', /since/],
    [JSON.stringify({ type: 'unsubscribe', room: 'never' }), 'not_subscribed', /never/],
  ];
  for (const [raw, code, detail] of cases) {
    const from = client.frames.length;
    client.ws.send(raw);
    const error = await client.next('error', from);
    assert.equal(error.code, code, raw);
    assert.match(String(error.detail), detail, raw);
  }
  const from = client.frames.length;
  client.send({ type: 'ping' });
  assert.deepEqual(await client.next('pong', from), { type: 'pong' });
  assert.equal(client.closeCode, undefined);
});

test('a frame over the size limit closes with 1009', async () => {
  const client = await connect(gateway, token);
  client.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(20_000) }));
  assert.equal(await client.closed, 1009);
});

test('a socket that stops answering pings is dropped; the others carry on', async () => {
  const fast = await startGateway({ HEARTBEAT_MS: '100' }, gateway.server);
  const silent = await new TestWsClient(`${fast.url}?token=${encodeURIComponent(token)}`, { autoPong: false }).open();
  const healthy = await connect(fast, token);
  silent.send({ type: 'subscribe', room: 'beat' });
  healthy.send({ type: 'subscribe', room: 'beat' });
  await silent.next('subscribed');
  await healthy.next('subscribed');
  assert.equal(await silent.closed, 1006, 'terminated without a close frame');
  await log.commit('beat', 'still here');
  await healthy.until(() => seqs(healthy, 'beat').length === 1, 'the healthy client keeps getting messages');
  assert.equal(healthy.closeCode, undefined);
});

test('shutdown closes sockets with 1001 so clients resume elsewhere', async () => {
  const own = await startGateway({}, gateway.server);
  const client = await connect(own, token);
  client.send({ type: 'subscribe', room: 'bye' });
  await client.next('subscribed');
  await own.stop();
  assert.equal(await client.closed, 1001);
});

test('a crowd joining at once costs a member a few presence frames, not one per joiner; the last lists everyone', async () => {
  const observer = await connect(gateway, await tokenFor(gateway.redis, 'watcher'));
  observer.send({ type: 'subscribe', room: 'crowd' });
  await observer.next('presence');
  const before = observer.frames.length;
  const names = Array.from({ length: 30 }, (_, i) => `joiner${i}`);
  const crowd = await Promise.all(names.map(async (name) => connect(gateway, await tokenFor(gateway.redis, name))));
  for (const client of crowd) client.send({ type: 'subscribe', room: 'crowd' });
  const everyone = [...names, 'watcher'].sort();
  const presence = () => observer.frames.slice(before).filter((f) => f.type === 'presence');
  await observer.until(() => JSON.stringify(presence().at(-1)?.users) === JSON.stringify(everyone), 'a presence frame with all 31');
  assert.ok(presence().length <= 10, `${presence().length} presence frames for 30 joins`);
  for (const client of crowd) client.close();
  observer.close();
});
