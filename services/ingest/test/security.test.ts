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
