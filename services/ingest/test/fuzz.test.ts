/**
 * Hostile input: random and malicious bodies, room names and raw payloads never crash
 * ingest or store anything they should not. Fixed seed; FUZZ_RUNS for more runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { partitionKeys } from '@chitchat/contracts';
import { buildTestIngest, login } from './helper.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 150);
const settings = { seed: 20261124, numRuns: runs };
const { app, redis } = await buildTestIngest({ RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_IP_PER_MINUTE: '1000000', INGEST_PARTITIONS: '1' });
const token = await login(app, 'fuzzer');
const auth = { authorization: `Bearer ${token}` };

/** Values that break naive code: prototype keys, control characters, huge and odd numbers. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '<script>alert(1)</script>', '{room:x}', '../../etc', ' '.repeat(10)),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 1e308, null, true, [], {}),
  fc.string({ minLength: 4001, maxLength: 6000 }),
);
const body = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom('text', 'clientMsgId', 'username', 'seq', '__proto__', 'constructor', 'user'), fc.string()), nasty),
  fc.jsonValue(),
  nasty,
);
const room = fc.oneof(fc.constantFrom('general', 'ok-room'), fc.string({ unit: 'binary', maxLength: 80 }).map(encodeURIComponent));

async function entries(): Promise<number> {
  return (await redis.xlen(partitionKeys.stream(0))) ?? 0;
}

test('random JSON bodies and room names: never a 5xx, every refusal is problem+json, only 202s are stored', async () => {
  const before = await entries();
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/v1/sessions', 'messages', 'read'), room, body, async (kind, r, payload) => {
      const url = kind === '/v1/sessions' ? kind : `/v1/rooms/${r}/${kind}`;
      const res = await app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      assert.ok(res.statusCode < 500, `${url} ${JSON.stringify(payload)?.slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (res.statusCode >= 400) {
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
        const problem = res.json<{ code: string; detail: string }>();
        assert.ok(problem.code && problem.detail, 'a code and a detail');
        assert.doesNotMatch(res.body, /\bat .+\.(js|ts):\d+/, 'no stack trace');
      }
      if (kind === 'messages' && res.statusCode === 202) accepted++;
    }),
    settings,
  );
  assert.equal((await entries()) - before, accepted, 'exactly the accepted messages were queued');
});

test('raw payloads: invalid UTF-8, deep nesting, wrong content types, huge bodies get 4xx and queue nothing', async () => {
  const before = await entries();
  const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
  const payloads: [string, string | Buffer][] = [
    ['application/json', Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['application/json', `{"text":${deep}}`],
    ['application/json', '{"text": "a", "text": {"__proto__": {"polluted": true}}}'],
    ['application/json', '{"text":"unterminated'],
    ['text/plain', 'hello'],
    ['application/json', JSON.stringify({ text: 'x'.repeat(200_000) })],
    ['application/x-www-form-urlencoded', 'text=hi'],
  ];
  for (const [type, payload] of payloads) {
    const res = await app.inject({ method: 'POST', url: '/v1/rooms/raw/messages', headers: { ...auth, 'content-type': type }, payload });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${type} ${String(payload).slice(0, 40)} -> ${res.statusCode}`);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  assert.equal(await entries(), before);
});
