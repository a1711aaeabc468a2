/**
 * Message life end to end, every service a process, two gateways: edits, deletes, reactions,
 * replies and mentions reach every client in the room's one order and are recovered on
 * resume; private rooms and DMs are invisible to non-members by every endpoint and frame;
 * muted and banned users are refused and nothing of theirs is stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestWsClient, defer } from '@chitchat/testing';
import type { Cluster } from '../src/cluster.ts';
import { cluster } from './helper.ts';

type Frame = Record<string, unknown> & { type: string };
const SEQ_FRAMES = new Set(['message', 'edited', 'deleted', 'reaction']);

/** A user with a session: REST calls as them, WebSocket clients on a chosen gateway. */
class User {
  readonly c: Cluster;
  readonly name: string;
  readonly token: string;

  constructor(c: Cluster, name: string, token: string) {
    this.c = c;
    this.name = name;
    this.token = token;
  }

  async call(method: string, base: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  write(method: string, path: string, body?: unknown) {
    return this.call(method, this.c.ingestUrl, path, body);
  }

  read(path: string) {
    return this.call('GET', this.c.historyUrl, path);
  }

  async post(room: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await this.write('POST', `/v1/rooms/${room}/messages`, { text, ...extra });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  }

  async ws(gateway: number): Promise<TestWsClient> {
    const client = await new TestWsClient(`${this.c.gatewayUrls()[gateway]}?token=${this.token}`).open();
    return client;
  }
}

async function users<const N extends readonly string[]>(c: Cluster, ...names: N): Promise<{ [K in keyof N]: User }> {
  return (await Promise.all(names.map(async (name) => new User(c, name, await c.token(name))))) as { [K in keyof N]: User };
}

/** Seq-carrying frames of a room, in arrival order. */
function logFrames(client: TestWsClient, room: string): Frame[] {
  return client.frames.filter((f) => SEQ_FRAMES.has(f.type) && f.room === room);
}

function seqOf(f: Frame): number {
  return f.type === 'message' ? (f.message as { seq: number }).seq : (f.seq as number);
}

/** Subscribes and waits until the client has every log frame up to `head`. */
async function subscribed(client: TestWsClient, room: string, since?: number): Promise<void> {
  const from = client.frames.length;
  client.send(since === undefined ? { type: 'subscribe', room } : { type: 'subscribe', room, since });
  await client.until((fs) => fs.slice(from).some((f) => f.type === 'subscribed' && f.room === room), `subscribed to ${room}`);
}

async function untilSeq(client: TestWsClient, room: string, seq: number): Promise<void> {
  await client.until(() => logFrames(client, room).some((f) => seqOf(f) >= seq), `${room} up to seq ${seq}`);
}

test('edits, deletes, reactions and replies reach both gateways in one order, and history shows the current state', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1 });
  const [alice, bob] = await users(c, 'alice', 'bob');
  const [a, b] = [await alice.ws(0), await bob.ws(1)];
  defer(() => [a, b].forEach((w) => w.close()), t);
  await Promise.all([subscribed(a, 'life'), subscribed(b, 'life')]);

  const first = await alice.post('life', 'frist post');
  const reply = await bob.post('life', 'welcome!', { replyTo: 1 });
  assert.equal((await bob.write('POST', '/v1/rooms/life/messages', { text: 'to nowhere', replyTo: 99 })).status, 404, 'a reply needs a parent');
  await untilSeq(b, 'life', 2);

  const edit = await alice.write('PATCH', `/v1/rooms/life/messages/${first}`, { text: 'first post' });
  assert.equal(edit.status, 202);
  assert.equal(edit.body.messageId, first);
  const notYours = await bob.write('PATCH', `/v1/rooms/life/messages/${first}`, { text: 'mine now' });
  assert.equal(notYours.status, 403);
  assert.equal(notYours.body.code, 'forbidden');
  assert.equal((await bob.write('PUT', `/v1/rooms/life/messages/${first}/reactions/${encodeURIComponent('👍')}`)).status, 202);
  assert.equal((await alice.write('PUT', `/v1/rooms/life/messages/${first}/reactions/${encodeURIComponent('👍')}`)).status, 202);
  assert.equal((await bob.write('PUT', `/v1/rooms/life/messages/${first}/reactions/banana`)).body.code, 'invalid_emoji');
  await untilSeq(a, 'life', 5);

  // History: the current text, when it was edited, the reactions with "me" for the caller.
  const page = (await alice.read('/v1/rooms/life/messages')).body as { messages: Record<string, unknown>[]; headSeq: number };
  assert.equal(page.headSeq, 5, 'two messages and three events');
  assert.deepEqual(page.messages.map((m) => m.seq), [1, 2], 'events are not messages');
  assert.equal(page.messages[0]?.text, 'first post');
  assert.equal(typeof page.messages[0]?.editedAt, 'number');
  assert.deepEqual(page.messages[0]?.reactions, [{ emoji: '👍', count: 2, me: true }]);
  assert.equal(page.messages[1]?.replyTo, 1);
  const replies = (await bob.read('/v1/rooms/life/messages/1/replies')).body as { messages: { id: string }[] };
  assert.deepEqual(replies.messages.map((m) => m.id), [reply]);
  assert.equal((await bob.read('/v1/rooms/life/messages/2')).body.replyTo, 1);

  assert.equal((await bob.write('DELETE', `/v1/rooms/life/messages/${first}/reactions/${encodeURIComponent('👍')}`)).status, 202);
  assert.equal((await bob.write('DELETE', `/v1/rooms/life/messages/${first}`)).status, 403, 'not yours to delete');
  assert.equal((await alice.write('DELETE', `/v1/rooms/life/messages/${first}`)).status, 202);
  await Promise.all([untilSeq(a, 'life', 7), untilSeq(b, 'life', 7)]);
  assert.equal((await alice.write('PATCH', `/v1/rooms/life/messages/${first}`, { text: 'back' })).body.code, 'message_deleted');

  // Both gateways delivered the same log, seq 1..7 without a gap, in one order.
  for (const client of [a, b]) {
    const frames = logFrames(client, 'life');
    assert.deepEqual(frames.map(seqOf), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(frames.map((f) => f.type), ['message', 'message', 'edited', 'reaction', 'reaction', 'reaction', 'deleted']);
    assert.deepEqual(frames.filter((f) => f.type === 'reaction').map((f) => [f.user, f.added, f.count]), [['bob', true, 1], ['alice', true, 2], ['bob', false, 1]]);
    assert.equal(frames[2]?.text, 'first post');
    assert.equal(frames[6]?.messageId, first);
  }
  const after = (await bob.read('/v1/rooms/life/messages')).body as { messages: Record<string, unknown>[] };
  assert.equal(after.messages[0]?.deleted, true);
  assert.equal(after.messages[0]?.text, '');
  assert.equal(after.messages[0]?.reactions, undefined);
});

test('a client away during an edit and a delete gets both on resume, and never the deleted text', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1 });
  const [alice, carol] = await users(c, 'alice2', 'carol2');
  const kept = await alice.post('away', 'typo hree');
  const gone = await alice.post('away', 'something regrettable');
  const first = await carol.ws(0);
  await subscribed(first, 'away', 0);
  await untilSeq(first, 'away', 2);
  first.close();
  await first.closed;

  assert.equal((await alice.write('PATCH', `/v1/rooms/away/messages/${kept}`, { text: 'typo here' })).status, 202);
  assert.equal((await alice.write('PATCH', `/v1/rooms/away/messages/${gone}`, { text: 'even more regrettable' })).status, 202);
  assert.equal((await alice.write('DELETE', `/v1/rooms/away/messages/${gone}`)).status, 202);
  const head = async () => ((await alice.read('/v1/rooms/away/messages')).body as { headSeq: number }).headSeq;
  const observer = await alice.ws(1);
  defer(() => observer.close(), t);
  await subscribed(observer, 'away', 2);
  await untilSeq(observer, 'away', 5);
  assert.equal(await head(), 5);

  // Resume from where it left off: exactly the three events, in order; the edit of the
  // message deleted since comes without its text.
  const resumed = await carol.ws(1);
  defer(() => resumed.close(), t);
  await subscribed(resumed, 'away', 2);
  await untilSeq(resumed, 'away', 5);
  assert.deepEqual(logFrames(resumed, 'away').map((f) => [seqOf(f), f.type, f.text]), [[3, 'edited', 'typo here'], [4, 'edited', ''], [5, 'deleted', undefined]]);
  assert.ok(!JSON.stringify(resumed.frames).includes('regrettable'), 'a deleted text is never sent again, edited or not');

  // From the start: messages in their current state, then the events.
  const fresh = await carol.ws(0);
  defer(() => fresh.close(), t);
  await subscribed(fresh, 'away', 0);
  await untilSeq(fresh, 'away', 5);
  const messages = fresh.messages('away') as { seq: number; text: string; deleted?: boolean }[];
  assert.deepEqual(messages.map((m) => [m.seq, m.text, m.deleted]), [[1, 'typo here', undefined], [2, '', true]]);
  assert.ok(!JSON.stringify(fresh.frames).includes('regrettable'), 'a deleted text is never sent again');
});

test('a mention reaches every connection of the mentioned user on any gateway, subscribed or not', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1 });
  const [alice, dave] = await users(c, 'alice3', 'dave3');
  const [d0, d1] = [await dave.ws(0), await dave.ws(1)];
  defer(() => [d0, d1].forEach((w) => w.close()), t);
  // Dave is not in the room; his connections are open (the user channel is subscribed on connect).
  await Promise.all([d0, d1].map((w) => subscribed(w, 'elsewhere')));
  const id = await alice.post('lobby', 'hey @Dave3, and @nobody-here, and mail@dave3.example');
  for (const w of [d0, d1]) {
    const mention = await w.next('mention');
    assert.deepEqual(
      { room: mention.room, messageId: mention.messageId, user: mention.user, seq: mention.seq },
      { room: 'lobby', messageId: id, user: 'alice3', seq: 1 },
    );
  }
  const stored = (await alice.read('/v1/rooms/lobby/messages/1')).body;
  assert.deepEqual(stored.mentions, ['Dave3', 'nobody-here'], 'an e-mail address is not a mention');
});

test('a private room: members only by every endpoint and frame; a DM is found again by the same pair', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1 });
  const [alice, bob, carol] = await users(c, 'alice4', 'bob4', 'carol4');
  const early = await bob.ws(0);
  defer(() => early.close(), t);
  const created = await alice.write('POST', '/v1/rooms', { private: true, title: 'Surprise party', members: ['bob4'] });
  assert.equal(created.status, 201);
  const room = created.body.room as string;
  assert.match(room, /^priv-[a-z0-9]{20}$/);
  assert.deepEqual(created.body.members, ['alice4', 'bob4']);
  const told = await early.next('room');
  assert.deepEqual([told.room, told.title, told.members], [room, 'Surprise party', ['alice4', 'bob4']], "a new member's connections learn of the room");
  assert.equal((await alice.read(`/v1/rooms/${room}`)).body.admin, true, 'the creator moderates it');
  assert.equal((await bob.read(`/v1/rooms/${room}`)).body.admin, false);

  const b = await bob.ws(1);
  const spy = await carol.ws(0);
  defer(() => [b, spy].forEach((w) => w.close()), t);
  await subscribed(b, room, 0);
  await alice.post(room, 'cake at 5, @carol4 must not know; @bob4 bring candles');
  await untilSeq(b, room, 1);
  assert.equal((await b.next('mention')).room, room);

  // Carol: the same 404 as for a room that does not exist, from every endpoint.
  const missing = 'priv-doesnotexist00000';
  for (const [method, path, body] of [
    ['GET', `/v1/rooms/${room}/messages`],
    ['GET', `/v1/rooms/${room}/messages/1`],
    ['GET', `/v1/rooms/${room}/presence`],
    ['GET', `/v1/rooms/${room}`],
    ['POST', `/v1/rooms/${room}/messages`, { text: 'let me in' }],
    ['POST', `/v1/rooms/${room}/read`, { seq: 1 }],
    ['PUT', `/v1/rooms/${room}/messages/x/reactions/${encodeURIComponent('🎉')}`],
  ] as [string, string, unknown?][]) {
    const res = await carol.call(method, method === 'GET' ? c.historyUrl : c.ingestUrl, path, body);
    const none = await carol.call(method, method === 'GET' ? c.historyUrl : c.ingestUrl, path.replace(room, missing), body);
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.body.code, 'room_not_found');
    assert.deepEqual({ ...res.body, detail: (res.body.detail as string).replace(room, 'R') }, { ...none.body, detail: (none.body.detail as string).replace(missing, 'R') }, 'no hint that it exists');
  }
  spy.send({ type: 'subscribe', room, since: 0 });
  const refused = await spy.next('error');
  assert.deepEqual([refused.code, refused.room], ['room_not_found', room]);
  assert.ok(!spy.frames.some((f) => f.type === 'mention' || f.type === 'message'), 'no frame of the room reaches carol');
  const carolRooms = (await carol.read('/v1/rooms')).body.rooms as { room: string }[];
  assert.ok(!carolRooms.some((r) => r.room === room));
  const bobRooms = (await bob.read('/v1/rooms')).body.rooms as { room: string; private?: boolean; title?: string }[];
  assert.deepEqual(bobRooms.find((r) => r.room === room), { ...bobRooms.find((r) => r.room === room), private: true, title: 'Surprise party' });

  const dm = await alice.write('POST', '/v1/dms', { user: 'BOB4' });
  const again = await bob.write('POST', '/v1/dms', { user: 'alice4' });
  assert.equal(dm.status, 200);
  assert.equal(again.body.room, dm.body.room, 'the same pair finds the same room');
  assert.match(dm.body.room as string, /^dm-[0-9a-f]{24}$/);
  await bob.post(dm.body.room as string, 'psst');
  assert.equal((await carol.read(`/v1/rooms/${dm.body.room as string}/messages`)).status, 404);
  assert.equal((await alice.read(`/v1/rooms/${dm.body.room as string}/messages`)).body.headSeq, 1);
  assert.equal((await carol.write('POST', `/v1/rooms/${missing}/messages`, { text: 'creating?' })).status, 404, 'a private name cannot be created by posting');
});

test('moderation: a muted user is refused and nothing is stored; a ban ends subscriptions; admins delete anything', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1, env: { ADMIN_USERS: 'mod5' } });
  const [mod, alice, bob] = await users(c, 'mod5', 'alice5', 'bob5');
  const bw = await bob.ws(1);
  const aw = await alice.ws(0);
  defer(() => [bw, aw].forEach((w) => w.close()), t);
  await Promise.all([subscribed(bw, 'town'), subscribed(aw, 'town')]);
  const rude = await alice.post('town', 'something rude');
  await untilSeq(aw, 'town', 1);

  const notAdmin = await bob.write('POST', '/v1/rooms/town/mutes', { user: 'alice5', seconds: 60 });
  assert.equal(notAdmin.status, 403);
  assert.equal(notAdmin.body.code, 'forbidden');
  const muted = await mod.write('POST', '/v1/rooms/town/mutes', { user: 'alice5', seconds: 600 });
  assert.equal(muted.status, 200);
  const refused = await alice.write('POST', '/v1/rooms/town/messages', { text: 'more rudeness' });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 'muted');
  assert.match(refused.body.detail as string, /until \d{4}-/);

  assert.equal((await mod.write('DELETE', `/v1/rooms/town/messages/${rude}`)).status, 202, 'an admin deletes any message');
  const deleted = await aw.next('deleted');
  assert.equal(deleted.user, 'mod5');
  await untilSeq(bw, 'town', 2);
  assert.equal(((await bob.read('/v1/rooms/town/messages')).body as { headSeq: number }).headSeq, 2, "the muted user's post was never stored");

  assert.equal((await mod.write('DELETE', '/v1/rooms/town/mutes/alice5')).status, 204);
  await alice.post('town', 'sorry');

  assert.equal((await mod.write('POST', '/v1/rooms/town/bans', { user: 'bob5' })).status, 200);
  const banned = await bw.next('error');
  assert.deepEqual([banned.code, banned.room], ['banned', 'town']);
  assert.equal((await bob.write('POST', '/v1/rooms/town/messages', { text: 'hello?' })).body.code, 'banned');
  bw.send({ type: 'subscribe', room: 'town' });
  await bw.until((fs) => fs.filter((f) => f.type === 'error' && f.code === 'banned').length === 2, 'a second banned error');
  // Alice's next message reaches alice, not the banned bob.
  await alice.post('town', 'he is gone');
  await untilSeq(aw, 'town', 4);
  assert.ok(!logFrames(bw, 'town').some((f) => seqOf(f) === 4), 'nothing more reaches a banned user');
  assert.equal((await mod.write('DELETE', '/v1/rooms/town/bans/bob5')).status, 204);
  await subscribed(bw, 'town');
});
