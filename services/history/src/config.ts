import { Type } from 'typebox';
import { commonConfig, loadConfig, sessionConfig } from '@chitchat/platform';

export const historyConfigSchema = {
  ...commonConfig,
  ...sessionConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003, description: 'history HTTP port' }),
  ROOM_LIST_MAX: Type.Integer({ minimum: 1, default: 500, description: 'most rooms GET /v1/rooms returns, latest activity first' }),
};

export type HistoryConfig = ReturnType<typeof loadHistoryConfig>;

export function loadHistoryConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(historyConfigSchema, env);
}
