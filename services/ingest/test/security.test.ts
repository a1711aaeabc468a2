import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { partitionKeys, partitionOf } from '@chitchat/contracts';
import { buildTestIngest, login } from './helper.ts';

const limits = { RATE_LIMIT_USER_PER_MINUTE: '5', RATE_LIMIT_IP_PER_MINUTE: '1000' };
const a = await buildTestIngest(limits);
const b = await buildTestIngest(limits, a.server);

async function stored(room: string): Promise<Record<string, string>[]> {
  const raw = (await a.redis.xrange(partitionKeys.stream(partitionOf(room, 8)), '-', '+')) as [string, string[]][];
  return raw.map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 ? [] : [[f[i], f[i + 1]]]))) as Record<string, string>).filter((e) => e.room === room);
}

test('the per-user limit holds across two ingest replicas sharing Redis: 429 with Retry-After, nothing stored', async () => {
  const token = await login(a.app, 'limited');
  const headers = { authorization: `Bearer ${token}` };
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const app = i % 2 === 0 ? a.app : b.app;
    const res = await app.inject({ method: 'POST', url: '/v1/rooms/limits/messages', headers, payload: { text: `m${i}` } });
    statuses.push(res.statusCode);
    if (res.statusCode === 429) {
      assert.equal(res.json<{ code: string }>().code, 'rate_limited');
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.ok(Number(res.headers['retry-after']) > 0, 'Retry-After says when to come back');
    }
  }
  assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
  assert.equal((await stored('limits')).length, 5);
  // Another user is not affected.
  const other = await login(b.app, 'unlimited');
  const res = await a.app.inject({ method: 'POST', url: '/v1/rooms/limits/messages', headers: { authorization: `Bearer ${other}` }, payload: { text: 'hi' } });
  assert.equal(res.statusCode, 202);
});

test('the per-IP limit counts requests before authentication, across replicas', async () => {
  const x = await buildTestIngest({ RATE_LIMIT_IP_PER_MINUTE: '3' });
  const y = await buildTestIngest({ RATE_LIMIT_IP_PER_MINUTE: '3' }, x.server);
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const app = i % 2 === 0 ? x.app : y.app;
    statuses.push((await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: `flood${i}` }, remoteAddress: '203.0.113.9' })).statusCode);
  }
  assert.deepEqual(statuses, [201, 201, 201, 429]);
  const elsewhere = await x.app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'calm' }, remoteAddress: '203.0.113.10' });
  assert.equal(elsewhere.statusCode, 201);
});

test('checks run together answer as if run in order: the limit first, then the session, then the room', async () => {
  // The rate limits and the session and room checks are waited for at the same time; which
  // one fails must not depend on which Redis answered first.
  const x = await buildTestIngest({ RATE_LIMIT_IP_PER_MINUTE: '2', RATE_LIMIT_USER_PER_MINUTE: '1' });
  const remoteAddress = '203.0.113.20';
  const token = await login(x.app, 'orderly');
  const post = (room: string, authorization: string) =>
    x.app.inject({ method: 'POST', url: `/v1/rooms/${room}/messages`, headers: { authorization }, payload: { text: 'hi' }, remoteAddress });
  assert.equal((await post('orderly', `Bearer ${token}`)).statusCode, 202);
  // The user's limit is spent: a room that does not exist for them is still a 429, not a 404.
  const limited = await post('priv-nosuchroom0', `Bearer ${token}`);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<{ code: string }>().code, 'rate_limited');
  // The address's limit is spent too: a bad token gets 429, not 401.
  const flood = await post('orderly', 'Bearer not-a-token');
  assert.equal(flood.statusCode, 429);
  // Another address with the bad token: 401, and an unknown private room for a fresh user: 404.
  const other = await x.app.inject({ method: 'POST', url: '/v1/rooms/orderly/messages', headers: { authorization: 'Bearer not-a-token' }, payload: { text: 'hi' }, remoteAddress: '203.0.113.21' });
  assert.equal(other.statusCode, 401);
  const fresh = await login(x.app, 'orderly2');
  const hidden = await x.app.inject({ method: 'POST', url: '/v1/rooms/priv-nosuchroom0/messages', headers: { authorization: `Bearer ${fresh}` }, payload: { text: 'hi' }, remoteAddress: '203.0.113.22' });
  assert.equal(hidden.statusCode, 404);
  assert.equal((await stored('priv-nosuchroom0')).length, 0);
});

test('the author comes from the token only: a user field in the body is ignored', async () => {
  const token = await login(a.app, 'honest');
  const res = await a.app.inject({ method: 'POST', url: '/v1/rooms/imposter/messages', headers: { authorization: `Bearer ${token}` }, payload: { text: 'hi', user: 'admin' } });
  assert.equal(res.statusCode, 202);
  assert.deepEqual((await stored('imposter')).map((e) => e.user), ['honest']);
});

test('forged tokens are refused: another secret, alg none, a changed username, a mangled signature', async () => {
  const token = await login(a.app, 'victim');
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const otherSecret = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(48)));
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
  const renamed = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${signature}`;
  const mangled = `${header}.${payload}.${signature.slice(0, -2)}xx`;
  for (const forged of [otherSecret, none, renamed, mangled, 'not-a-token', '']) {
    const res = await a.app.inject({ method: 'POST', url: '/v1/rooms/forged/messages', headers: { authorization: `Bearer ${forged}` }, payload: { text: 'hi' } });
    assert.equal(res.statusCode, 401, forged);
  }
  assert.equal((await stored('forged')).length, 0);
});
