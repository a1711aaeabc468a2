/**
 * Integrations on BullMQ, every service a process: signed webhooks retried with backoff
 * (also across a SIGKILLed worker), disabled when they keep failing; bots that post only to
 * their room; retention run by the repeatable housekeeping job; unread mentions to the inbox.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueEvents } from 'bullmq';
import { QUEUE_PREFIX, QueueName } from '@chitchat/contracts';
import { TestWsClient, defer } from '@chitchat/testing';
import type { Cluster } from '../src/cluster.ts';
import { cluster } from './helper.ts';

const ENV = { ADMIN_USERS: 'admin', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_BACKOFF_MS: '50', JOB_LOCK_MS: '1000', HOUSEKEEPING_EVERY_MS: '300', MENTION_NOTIFY_DELAY_MS: '300' };

interface Received {
  delivery: string;
  signature: string;
  body: string;
  /** Set once the answer went out completely. */
  answered?: number;
}

/** A webhook receiver: each request is answered by `answer` (a status, or 'hold' to never answer). */
async function receiver(t: TestContext, answer: (n: number) => number | 'hold') {
  const received: Received[] = [];
  const events = new EventEmitter();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { delivery: String(req.headers['x-chitchat-delivery']), signature: String(req.headers['x-chitchat-signature']), body: Buffer.concat(chunks).toString() };
      received.push(r);
      const status = answer(received.length);
      events.emit('request', r);
      if (status === 'hold') return;
      res.on('finish', () => {
        r.answered = status;
        events.emit('answered', r);
      });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(() => new Promise<void>((resolve) => server.close(() => resolve())), t);
  defer(() => server.closeAllConnections(), t);
  const until = async (what: string, done: () => boolean): Promise<void> => {
    while (!done()) await once(events, what, { signal: AbortSignal.timeout(20_000) });
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, events, until };
}

async function api(c: Cluster, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const base = method === 'GET' ? c.historyUrl : c.ingestUrl;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function verify(secret: string, signature: string, body: string): boolean {
  const [t, v1] = signature.split(',').map((part) => part.slice(part.indexOf('=') + 1));
  return v1 === createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

/** Resolves when `n` jobs of a queue have completed from now on. */
function completions(c: Cluster, queue: string, n: number): Promise<void> {
  const events = new QueueEvents(queue, { connection: { url: c.redis.url }, prefix: QUEUE_PREFIX });
  let seen = 0;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${queue}: ${seen} of ${n} jobs completed`)), 20_000);
    events.on('completed', () => {
      if (++seen < n) return;
      clearTimeout(timer);
      void events.close().then(() => resolve());
    });
  }).finally(() => void events.close());
}

test('a webhook that fails twice then succeeds is delivered once, signed; one that keeps failing is disabled and its admin told', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 1, env: { ...ENV, WEBHOOK_ATTEMPTS: '3', WEBHOOK_DISABLE_AFTER: '2' } });
  const admin = await c.token('admin');
  const flaky = await receiver(t, (n) => (n <= 2 ? 500 : 200));
  const created = await api(c, admin, 'POST', '/v1/rooms/hooked/webhooks', { url: flaky.url });
  assert.equal(created.status, 201);
  const secret = created.body.secret as string;
  assert.equal((await api(c, await c.token('someone'), 'POST', '/v1/rooms/hooked/webhooks', { url: flaky.url })).status, 403, 'admins only');
  assert.equal((await api(c, admin, 'POST', '/v1/rooms/hooked/webhooks', { url: 'ftp://example.com/x' })).status, 400);

  await api(c, await c.token('poster'), 'POST', '/v1/rooms/hooked/messages', { text: 'ship it' });
  await flaky.until('answered', () => flaky.received.some((r) => r.answered === 200));
  assert.equal(flaky.received.length, 3, 'two failures, then the success');
  assert.equal(new Set(flaky.received.map((r) => r.delivery)).size, 1, 'the same delivery each time');
  assert.equal(flaky.received.filter((r) => r.answered === 200).length, 1);
  const ok = flaky.received[2] as Received;
  assert.ok(verify(secret, ok.signature, ok.body), 'the signature verifies with the secret');
  assert.ok(!verify('not-the-secret', ok.signature, ok.body));
  assert.equal((JSON.parse(ok.body) as { message: { text: string; seq: number } }).message.text, 'ship it');

  // A webhook that always fails: each delivery fails every try; after two, it is disabled.
  const broken = await receiver(t, () => 503);
  const hook = await api(c, admin, 'POST', '/v1/rooms/doomed/webhooks', { url: broken.url });
  const adminWs = await new TestWsClient(`${c.gatewayUrls()[0]}?token=${admin}`).open();
  defer(() => adminWs.close(), t);
  adminWs.send({ type: 'subscribe', room: 'elsewhere' });
  await adminWs.next('subscribed');
  const poster = await c.token('poster2');
  await api(c, poster, 'POST', '/v1/rooms/doomed/messages', { text: 'one' });
  await api(c, poster, 'POST', '/v1/rooms/doomed/messages', { text: 'two' });
  const notice = await adminWs.next('notification');
  assert.deepEqual((notice.notification as { type: string; webhookId: string }).type, 'webhook_disabled');
  const list = (await api(c, admin, 'GET', '/v1/rooms/doomed/webhooks')).body.webhooks as { id: string; active: boolean; secret?: string }[];
  assert.deepEqual(list.map((w) => [w.id, w.active, w.secret]), [[hook.body.id, false, undefined]]);
  const inbox = (await api(c, admin, 'GET', '/v1/notifications')).body.notifications as { type: string }[];
  assert.equal(inbox[0]?.type, 'webhook_disabled');
  const failures = (await api(c, admin, 'GET', `/v1/rooms/doomed/webhooks/${hook.body.id as string}/failures`)).body.failures as { jobId: string; attempts: number; error: string }[];
  assert.equal(failures.length, 2);
  assert.ok(failures.every((f) => f.attempts === 3 && /503/.test(f.error)));
  const metrics = await (await fetch(`http://127.0.0.1:${c.workers[0]?.port}/metrics`)).text();
  assert.match(metrics, /chitchat_queue_jobs\{[^}]*queue="webhooks"[^}]*state="failed"[^}]*\} 2/);

  // Fixed: turned on again and a failure retried, it is delivered.
  const fixed = await receiver(t, () => 200);
  await c.admin.hset('{room:doomed}:webhooks', hook.body.id as string, JSON.stringify({ ...(JSON.parse((await c.admin.hget('{room:doomed}:webhooks', hook.body.id as string)) ?? '{}') as object), url: fixed.url }));
  assert.equal((await api(c, admin, 'PATCH', `/v1/rooms/doomed/webhooks/${hook.body.id as string}`, { active: true })).body.active, true);
  assert.equal((await api(c, admin, 'POST', `/v1/rooms/doomed/webhooks/${hook.body.id as string}/failures/${failures[0]?.jobId ?? ''}/retry`)).status, 202);
  await fixed.until('answered', () => fixed.received.length === 1);
  assert.equal(fixed.received[0]?.delivery, failures[0]?.jobId);
});

test('a worker SIGKILLed in the middle of a delivery: another run of the job delivers it, once', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 1, env: ENV });
  const admin = await c.token('admin');
  const slow = await receiver(t, (n) => (n === 1 ? 'hold' : 200));
  await api(c, admin, 'POST', '/v1/rooms/killed/webhooks', { url: slow.url });
  await api(c, await c.token('poster'), 'POST', '/v1/rooms/killed/messages', { text: 'survive this' });
  await slow.until('request', () => slow.received.length === 1);
  await c.workers[0]?.kill('SIGKILL');
  await c.startWorker(0);
  await slow.until('answered', () => slow.received.some((r) => r.answered === 200));
  assert.equal(slow.received.filter((r) => r.answered === 200).length, 1, 'one successful delivery');
  assert.equal(new Set(slow.received.map((r) => r.delivery)).size, 1, 'of the same job');
});

test('a bot posts to its room only, marked as a bot; deleting it ends its token', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 1, env: ENV });
  const admin = await c.token('admin');
  const bot = await api(c, admin, 'POST', '/v1/rooms/ops/bots', { name: 'deploybot' });
  assert.equal(bot.status, 201);
  const token = bot.body.token as string;
  const posted = await api(c, token, 'POST', '/v1/rooms/ops/messages', { text: 'deployed v2' });
  assert.equal(posted.status, 202);
  const elsewhere = await api(c, token, 'POST', '/v1/rooms/general/messages', { text: 'hi all' });
  assert.equal(elsewhere.status, 403);
  assert.equal(elsewhere.body.code, 'forbidden');
  assert.equal((await api(c, token, 'GET', '/v1/rooms/ops/messages')).status, 401, 'a bot token only posts');
  const reader = await c.token('reader');
  const ws = await new TestWsClient(`${c.gatewayUrls()[0]}?token=${reader}`).open();
  defer(() => ws.close(), t);
  ws.send({ type: 'subscribe', room: 'ops', since: 0 });
  const frame = await ws.next('message');
  assert.deepEqual(frame.message, { ...(frame.message as object), user: 'deploybot', text: 'deployed v2', bot: true });
  assert.equal(((await api(c, reader, 'GET', '/v1/rooms/ops/messages')).body.messages as { bot?: boolean }[])[0]?.bot, true);

  // A person who holds the bot's name is not its author: no editing its messages, no sharing retry keys.
  const namesake = await api(c, admin, 'POST', '/v1/rooms/ops/bots', { name: 'reader' });
  const botPost = await api(c, namesake.body.token as string, 'POST', '/v1/rooms/ops/messages', { text: 'from the bot', clientMsgId: 'c-1' });
  const personPost = await api(c, reader, 'POST', '/v1/rooms/ops/messages', { text: 'from the person', clientMsgId: 'c-1' });
  assert.notEqual(botPost.body.id, personPost.body.id, 'one clientMsgId, two senders, two messages');
  await ws.until((fs) => fs.filter((f) => f.type === 'message').length === 3, 'both messages');
  assert.equal((await api(c, reader, 'PATCH', `/v1/rooms/ops/messages/${botPost.body.id as string}`, { text: 'hijacked' })).status, 403);
  assert.equal((await api(c, reader, 'DELETE', `/v1/rooms/ops/messages/${botPost.body.id as string}`)).status, 403);

  assert.equal((await api(c, admin, 'DELETE', `/v1/rooms/ops/bots/${bot.body.id as string}`)).status, 204);
  assert.equal((await api(c, token, 'POST', '/v1/rooms/ops/messages', { text: 'still here?' })).status, 401);
});

test('retention: the housekeeping job trims a room to exactly its limit, and a resume from a trimmed seq is told', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 1, env: ENV });
  const admin = await c.token('admin');
  const limits = await api(c, admin, 'PUT', '/v1/rooms/short/retention', { maxMessages: 3 });
  assert.deepEqual(limits.body, { maxMessages: 3, maxAgeSeconds: 0 });
  const poster = await c.token('poster');
  for (let i = 1; i <= 5; i++) await api(c, poster, 'POST', '/v1/rooms/short/messages', { text: `m${i}` });
  const reader = await c.token('reader');
  const ws = await new TestWsClient(`${c.gatewayUrls()[0]}?token=${reader}`).open();
  defer(() => ws.close(), t);
  ws.send({ type: 'subscribe', room: 'short' });
  await ws.next('subscribed');
  assert.equal(ws.frames.find((f) => f.type === 'subscribed')?.headSeq, 5, 'all five stored');
  // Two runs from now: the first may have started before the last message was stored.
  await completions(c, QueueName.housekeeping, 2);
  const page = (await api(c, reader, 'GET', '/v1/rooms/short/messages')).body as { messages: { seq: number; text: string }[]; headSeq: number };
  assert.deepEqual(page.messages.map((m) => m.text), ['m3', 'm4', 'm5']);
  assert.equal(page.headSeq, 5);
  const late = await new TestWsClient(`${c.gatewayUrls()[0]}?token=${reader}`).open();
  defer(() => late.close(), t);
  late.send({ type: 'subscribe', room: 'short', since: 1 });
  const told = await late.next('error');
  assert.deepEqual([told.code, told.oldestSeq], ['history_trimmed', 3]);
  await late.until((fs) => fs.filter((f) => f.type === 'message').length === 3, 'the kept messages');
});

test('a mention still unread after the delay goes to the inbox; one read in time does not', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 1, env: ENV });
  const [alice, bob, carol] = [await c.token('alice'), await c.token('bob'), await c.token('carol')];
  const done = completions(c, QueueName.mentions, 2);
  assert.equal((await api(c, alice, 'POST', '/v1/rooms/team/messages', { text: '@bob @carol standup?' })).status, 202);
  // Bob reads it at once (his marker reaches seq 1 before the delay is over).
  const bobWs = await new TestWsClient(`${c.gatewayUrls()[0]}?token=${bob}`).open();
  defer(() => bobWs.close(), t);
  bobWs.send({ type: 'subscribe', room: 'team', since: 0 });
  await bobWs.next('message');
  assert.equal((await api(c, bob, 'POST', '/v1/rooms/team/read', { seq: 1 })).body.seq, 1);
  await done;
  const carolInbox = (await api(c, carol, 'GET', '/v1/notifications')).body.notifications as { type: string; room: string; user: string; text: string }[];
  assert.deepEqual(carolInbox.map((n) => [n.type, n.room, n.user, n.text]), [['mention', 'team', 'alice', '@bob @carol standup?']]);
  assert.deepEqual((await api(c, bob, 'GET', '/v1/notifications')).body.notifications, []);
  assert.equal((await api(c, carol, 'DELETE', '/v1/notifications')).status, 204);
  assert.deepEqual((await api(c, carol, 'GET', '/v1/notifications')).body.notifications, []);
});
