import { Type } from 'typebox';
import { commonConfig, loadConfig, sessionConfig } from '@chitchat/platform';

export const ingestConfigSchema = {
  ...commonConfig,
  ...sessionConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001, description: 'ingest HTTP port' }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'how long a clientMsgId maps to its message id' }),
  RATE_LIMIT_USER_PER_MINUTE: Type.Integer({ minimum: 1, default: 120, description: 'sends and read reports per user per minute, across all ingest replicas' }),
  RATE_LIMIT_IP_PER_MINUTE: Type.Integer({ minimum: 1, default: 600, description: 'requests per client IP per minute, across all ingest replicas' }),
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false, description: 'allow webhooks to local and private addresses (tests, trusted networks)' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 65_536, description: 'largest request body; larger gets 413' }),
};

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(ingestConfigSchema, env);
}
