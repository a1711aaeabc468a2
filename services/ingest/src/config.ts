import { Type } from 'typebox';
import { commonConfig, loadConfig } from '@chitchat/platform';

export const ingestConfigSchema = {
  ...commonConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001, description: 'ingest HTTP port' }),
  SESSION_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'an unused session expires and frees its name after this' }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'how long a clientMsgId maps to its message id' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 65_536, description: 'largest request body; larger gets 413' }),
};

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(ingestConfigSchema, env);
}
