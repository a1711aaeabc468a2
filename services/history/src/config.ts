import { Type } from 'typebox';
import { commonConfig, loadConfig } from '@chitchat/platform';

export const historyConfigSchema = {
  ...commonConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003, description: 'history HTTP port' }),
  SESSION_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'session idle expiry (as ingest)' }),
  ROOM_LIST_MAX: Type.Integer({ minimum: 1, default: 500, description: 'most rooms GET /v1/rooms returns, latest activity first' }),
};

export type HistoryConfig = ReturnType<typeof loadHistoryConfig>;

export function loadHistoryConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(historyConfigSchema, env);
}
