import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestIngest } from './helper.ts';

const { app } = await buildTestIngest();

test('a username is claimed once, case-insensitively, and freed by leaving', async () => {
  const first = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'Alice' } });
  assert.equal(first.statusCode, 201);
  const body = first.json<{ token: string; username: string; expiresAt: string }>();
  assert.equal(body.username, 'Alice');
  assert.ok(Date.parse(body.expiresAt) > Date.now() + 23 * 3600_000, 'expires in about 24 h');

  const taken = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'alice' } });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(taken.json<{ code: string }>().code, 'username_taken');

  const left = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: { authorization: `Bearer ${body.token}` } });
  assert.equal(left.statusCode, 204);

  const again = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'alice' } });
  assert.equal(again.statusCode, 201, 'the name is free at once after leaving');

  const oldToken = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: { authorization: `Bearer ${body.token}` } });
  assert.equal(oldToken.statusCode, 401, 'the old token no longer works');
});

test('an invalid username gets 400 invalid_username naming the problem', async () => {
  for (const username of ['ab', 'x'.repeat(33), 'has space', 'bad/char', '']) {
    const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username } });
    assert.equal(res.statusCode, 400, username);
    const problem = res.json<{ code: string; detail: string; status: number; title: string; type: string }>();
    assert.equal(problem.code, 'invalid_username');
    assert.equal(problem.status, 400);
    assert.match(problem.detail, /username/);
  }
  const missing = await app.inject({ method: 'POST', url: '/v1/sessions', payload: {} });
  assert.equal(missing.json<{ code: string }>().code, 'invalid_username');
});

test('leaving without a valid token is 401 unauthorized', async () => {
  const none = await app.inject({ method: 'DELETE', url: '/v1/sessions/current' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json<{ code: string }>().code, 'unauthorized');
  const forged = await app.inject({
    method: 'DELETE',
    url: '/v1/sessions/current',
    headers: { authorization: `Bearer alice.${'A'.repeat(43)}` },
  });
  assert.equal(forged.statusCode, 401);
});
