import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { ConfigError, commonConfig, loadConfig } from '@chitchat/platform';

const schema = { ...commonConfig, PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }) };

test('defaults apply and numbers are read from strings; the result is frozen', () => {
  const config = loadConfig(schema, { PORT: '4000' });
  assert.equal(config.PORT, 4000);
  assert.equal(config.INGEST_PARTITIONS, 8);
  assert.equal(config.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.ok(Object.isFrozen(config));
});

test('a bad value stops the start with an error naming the variable', () => {
  assert.throws(() => loadConfig(schema, { PORT: 'eighty' }), (err: Error) => err instanceof ConfigError && /PORT/.test(err.message));
  assert.throws(() => loadConfig(schema, { INGEST_PARTITIONS: '0' }), /INGEST_PARTITIONS/);
  assert.throws(() => loadConfig(schema, { LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});

test('production refuses to start without a token secret; development warns and uses a public one', async () => {
  const { tokenSecret } = await import('@chitchat/platform');
  assert.throws(() => tokenSecret({ TOKEN_SECRET: '', NODE_ENV: 'production' }, () => {}), /TOKEN_SECRET is required/);
  assert.throws(() => tokenSecret({ TOKEN_SECRET: 'short', NODE_ENV: 'production' }, () => {}), /at least 32/);
  const warnings: string[] = [];
  assert.ok(tokenSecret({ TOKEN_SECRET: '', NODE_ENV: 'development' }, (w) => warnings.push(w)).length >= 32);
  assert.match(warnings[0] ?? '', /never do this in production/i);
  assert.equal(tokenSecret({ TOKEN_SECRET: 's'.repeat(40), NODE_ENV: 'production' }, () => {}), 's'.repeat(40));
});
