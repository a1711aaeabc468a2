import { RoomAccess, SessionStore, adminUsers, createHttpApp, tokenSecret, healthPlugin, redisCheck, type HttpApp, type Logger, type Redis } from '@chitchat/platform';
import type { HistoryConfig } from './config.ts';
import { roomRoutes } from './routes/rooms.ts';
import { HistoryStore } from './store.ts';

export interface HistoryDeps {
  config: HistoryConfig;
  log: Logger;
  /** A `command` connection, connected; the caller closes it after the app. */
  redis: Redis;
}

/** The history HTTP app: pages of room logs, messages and replies, rooms. */
export async function buildHistoryApp({ config, log, redis }: HistoryDeps): Promise<HttpApp> {
  const app = createHttpApp({ log, service: 'history', trustProxy: config.TRUST_PROXY });
  const sessions = new SessionStore(redis, { secret: tokenSecret(config, (m) => log.warn(m)), ttlSeconds: config.SESSION_TTL_SECONDS });
  await app.register(healthPlugin, { checks: { redis: redisCheck(redis) } });
  await app.register(roomRoutes, { sessions, store: new HistoryStore(redis), access: new RoomAccess(redis, adminUsers(config.ADMIN_USERS)), roomListMax: config.ROOM_LIST_MAX });
  return app;
}
