/**
 * The whole path with every service as its own process, two gateways, and the edge in
 * front: three users in two rooms exchange 200 messages over REST and WebSocket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@chitchat/platform';
import { TestWsClient, defer, startServiceProcess, startTestRedis } from '@chitchat/testing';
import { buildEdge } from '../src/edge.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const redis = await startTestRedis();
defer(() => redis.stop());
const env = { REDIS_URL: redis.url, HOST: '127.0.0.1' };
const start = async (name: string, service: string) => {
  const proc = await startServiceProcess(name, `${root}services/${service}/dist/src/main.js`, env);
  defer(() => proc.kill());
  return proc;
};
const [ingest, history, gateway1, gateway2] = await Promise.all([
  start('ingest', 'ingest'),
  start('history', 'history'),
  start('gateway-1', 'gateway'),
  start('gateway-2', 'gateway'),
  start('persistence', 'persistence'),
]);
const edge = await buildEdge({
  upstreams: { ingest: `http://127.0.0.1:${ingest.port}`, history: `http://127.0.0.1:${history.port}`, gateway: `http://127.0.0.1:${gateway1.port}` },
  webRoot: `${root}services/web/dist`,
  log: createLogger('edge', 'silent'),
});
await edge.listen({ port: 0, host: '127.0.0.1' });
defer(() => edge.close());
const base = `http://127.0.0.1:${(edge.server.address() as { port: number }).port}`;
const wsUrls = [`${base.replace('http', 'ws')}/v1/ws`, `ws://127.0.0.1:${gateway2.port}/v1/ws`];

interface Msg {
  id: string;
  seq: number;
  user: string;
  text: string;
}

async function call<T>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
}

async function join(username: string): Promise<string> {
  const res = await call<{ token: string }>('POST', '/v1/sessions', undefined, { username });
  assert.equal(res.status, 201);
  return res.body.token;
}

async function client(token: string, gateway: number, rooms: Record<string, number | undefined>): Promise<TestWsClient> {
  const c = await new TestWsClient(`${wsUrls[gateway]}?token=${encodeURIComponent(token)}`).open();
  defer(() => c.close());
  for (const [room, since] of Object.entries(rooms)) {
    const from = c.frames.length;
    c.send(since === undefined ? { type: 'subscribe', room } : { type: 'subscribe', room, since });
    await c.next('subscribed', from);
  }
  return c;
}

async function historyOf(room: string, token: string): Promise<Msg[]> {
  const all: Msg[] = [];
  for (let after = 0; ; ) {
    const { body } = await call<{ messages: Msg[] }>('GET', `/v1/rooms/${room}/messages?after=${after}&limit=200`, token);
    if (body.messages.length === 0) return all;
    all.push(...body.messages);
    after = body.messages.at(-1)?.seq ?? after;
  }
}

const MAIN = 'e2e-main';
const SIDE = 'e2e-side';
const users = { alice: await join('alice'), bob: await join('bob'), carol: await join('carol') };
const memberships: Record<keyof typeof users, string[]> = { alice: [MAIN, SIDE], bob: [MAIN, SIDE], carol: [MAIN] };

test('three users in two rooms: every client gets every message of its rooms once, in seq order, matching history', async () => {
  const clients = {
    alice: await client(users.alice, 0, { [MAIN]: undefined, [SIDE]: undefined }),
    bob: await client(users.bob, 1, { [MAIN]: undefined, [SIDE]: undefined }),
    carol: await client(users.carol, 0, { [MAIN]: undefined }),
  };
  const sent: Record<string, { user: string; text: string; id: string }[]> = { [MAIN]: [], [SIDE]: [] };
  const names = Object.keys(users) as (keyof typeof users)[];
  // Each user sends its share one after another (waiting for each 202); the three run at once.
  await Promise.all(
    names.map(async (user, u) => {
      for (let i = u; i < 200; i += names.length) {
        const rooms = memberships[user];
        const room = rooms[i % rooms.length] as string;
        const text = `${user} #${i}`;
        const res = await call<{ id: string }>('POST', `/v1/rooms/${room}/messages`, users[user], { text, clientMsgId: `c-${i}` });
        assert.equal(res.status, 202);
        sent[room]?.push({ user, text, id: res.body.id });
      }
    }),
  );
  const total = (sent[MAIN]?.length ?? 0) + (sent[SIDE]?.length ?? 0);
  assert.equal(total, 200);

  for (const room of [MAIN, SIDE]) {
    const expected = sent[room]?.length ?? 0;
    const stored = await (async () => {
      // History is checked once every client has the room's messages.
      for (const name of names) {
        if (!memberships[name].includes(room)) continue;
        const c = clients[name];
        await c.until(() => c.messages(room).length >= expected, `${name}: ${expected} messages in ${room}`);
      }
      return historyOf(room, users.alice);
    })();
    assert.deepEqual(stored.map((m) => m.seq), Array.from({ length: expected }, (_, i) => i + 1), `${room}: seqs 1..n`);
    assert.deepEqual(new Set(stored.map((m) => m.id)), new Set(sent[room]?.map((m) => m.id)), `${room}: every accepted message stored`);
    for (const name of names) {
      if (!memberships[name].includes(room)) continue;
      const got = clients[name].messages(room);
      assert.deepEqual(got.map((m) => m.id), stored.map((m) => m.id), `${name} sees ${room} exactly as history has it`);
    }
    // Per-sender FIFO: each user's messages are stored in the order that user sent them.
    for (const name of names) {
      const order = (list: { user: string; id: string }[]) => list.filter((m) => m.user === name).map((m) => m.id);
      assert.deepEqual(order(stored), order(sent[room] ?? []), `${name}'s order in ${room}`);
    }
  }
});

test('a client that subscribes with since after 100 messages gets exactly the missed ones, then live ones', async () => {
  const head = (await historyOf(MAIN, users.bob)).length;
  assert.ok(head > 100, `the main room has ${head} messages`);
  const late = await client(users.carol, 1, { [MAIN]: 100 });
  await late.until(() => late.messages(MAIN).length === head - 100, 'the missed messages');
  const res = await call('POST', `/v1/rooms/${MAIN}/messages`, users.bob, { text: 'one more' });
  assert.equal(res.status, 202);
  await late.until(() => late.messages(MAIN).length === head - 99, 'the live one');
  assert.deepEqual(late.messages(MAIN).map((m) => m.seq), Array.from({ length: head - 99 }, (_, i) => 101 + i));
  assert.equal(late.messages(MAIN).at(-1)?.text, 'one more');
});

test('a taken username gets 409; a bad token gets 401 and WebSocket close 4401', async () => {
  const taken = await call<{ code: string }>('POST', '/v1/sessions', undefined, { username: 'ALICE' });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, 'username_taken');
  const rest = await call<{ code: string }>('GET', '/v1/rooms', 'alice.not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxx');
  assert.equal(rest.status, 401);
  assert.equal(rest.body.code, 'unauthorized');
  for (const url of wsUrls) assert.equal(await new TestWsClient(`${url}?token=bad`).closed, 4401);
});

test('a 5000-character text gets 400 and nothing is stored', async () => {
  const before = await historyOf(SIDE, users.alice);
  const res = await call<{ code: string }>('POST', `/v1/rooms/${SIDE}/messages`, users.alice, { text: 'x'.repeat(5000) });
  assert.equal(res.status, 400);
  assert.equal(res.body.code, 'invalid_message');
  // A message sent afterwards takes the very next seq: nothing was stored in between.
  const watcher = await client(users.bob, 1, { [SIDE]: before.length });
  const ok = await call('POST', `/v1/rooms/${SIDE}/messages`, users.alice, { text: 'short' });
  assert.equal(ok.status, 202);
  await watcher.until(() => watcher.messages(SIDE).length === 1, 'the next message');
  assert.deepEqual(watcher.messages(SIDE).map((m) => [m.seq, m.text]), [[before.length + 1, 'short']]);
});

test('ten concurrent sends with one clientMsgId give one stored message and the same id ten times', async () => {
  const room = 'e2e-retry';
  const watcher = await client(users.carol, 1, { [room]: 0 });
  const replies = await Promise.all(
    Array.from({ length: 10 }, () => call<{ id: string }>('POST', `/v1/rooms/${room}/messages`, users.carol, { text: 'only once', clientMsgId: 'same-every-time' })),
  );
  assert.deepEqual(replies.map((r) => r.status), new Array(10).fill(202));
  assert.equal(new Set(replies.map((r) => r.body.id)).size, 1, 'the same id every time');
  const marker = await call('POST', `/v1/rooms/${room}/messages`, users.carol, { text: 'after' });
  assert.equal(marker.status, 202);
  await watcher.until(() => watcher.messages(room).some((m) => m.text === 'after'), 'the marker');
  assert.deepEqual((await historyOf(room, users.carol)).map((m) => m.text), ['only once', 'after']);
  assert.deepEqual(watcher.messages(room).map((m) => m.text), ['only once', 'after']);
});

test('the edge serves the web client', async () => {
  const res = await fetch(`${base}/`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>ChitChat<\/title>/);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.doesNotMatch(html, /<script>|\sstyle=|\son[a-z]+=/, 'no inline script, style or handler that the CSP would block');
});
