import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { commonConfig, loadConfig } from '@chitchat/platform';

export const persistenceConfigSchema = {
  ...commonConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3004, description: 'persistence health and metrics port' }),
  WORKER_ID: Type.String({ default: '', description: 'consumer name; default <hostname>-<pid>-<random>' }),
  LEASE_TTL_MS: Type.Integer({ minimum: 500, default: 10_000, description: 'a dead worker\'s partitions are taken over after this' }),
  BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 200, description: 'entries read per XREADGROUP' }),
  MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 3, description: 'failed tries before an entry is dead-lettered' }),
  FAILPOINT: Type.String({ default: '', description: 'tests only: crash-before-commit:<n> or crash-after-commit:<n>' }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000, description: 'a webhook POST not answered within this fails (and is retried)' }),
  WEBHOOK_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 6, description: 'tries of one webhook delivery before it is kept as failed' }),
  WEBHOOK_BACKOFF_MS: Type.Integer({ minimum: 10, default: 2000, description: 'first retry delay of a webhook delivery; doubles each try, with jitter' }),
  WEBHOOK_DISABLE_AFTER: Type.Integer({ minimum: 1, default: 5, description: 'failed deliveries in a row after which a webhook is disabled' }),
  WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, default: 20, description: 'webhook POSTs in flight per worker' }),
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false, description: 'allow webhooks to local and private addresses (tests, trusted networks)' }),
  MENTION_NOTIFY_DELAY_MS: Type.Integer({ minimum: 0, default: 300_000, description: 'a mention still unread after this goes to the inbox' }),
  HOUSEKEEPING_EVERY_MS: Type.Integer({ minimum: 100, default: 60_000, description: 'how often retention and clean-up run' }),
  JOB_LOCK_MS: Type.Integer({ minimum: 500, default: 30_000, description: 'a job whose worker died is run again after this' }),
  STORED_ID_TTL_SECONDS: Type.Integer({ minimum: 60, default: 7 * 86_400, description: 'how long a stored message id is remembered against redelivery' }),
};

export type PersistenceConfig = ReturnType<typeof loadPersistenceConfig>;

export function loadPersistenceConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(persistenceConfigSchema, env);
  if (config.WORKER_ID) return config;
  return Object.freeze({ ...config, WORKER_ID: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}` });
}
