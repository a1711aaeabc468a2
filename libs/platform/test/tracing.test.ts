import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisStatement } from '@chitchat/platform/tracing';

test('a traced Redis command shows its keys, never the values it writes', () => {
  // The commit script: 5 keys, then the message's fields (its text among them).
  const commit = redisStatement('evalsha', ['9f1c', '2', '{room:r}:seq', '{room:r}:log', 'r', 'id-1', 'alice', 'a secret text']);
  assert.equal(commit, 'evalsha {room:r}:seq {room:r}:log');
  assert.equal(redisStatement('xadd', ['chat:ingest:{3}', '*', 'text', 'a secret text']), 'xadd chat:ingest:{3}');
  assert.equal(redisStatement('ping', []), 'ping');
});
