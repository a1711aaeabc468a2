import { RoomAccess, SessionStore, adminUsers, createHttpApp, openQueues, requireSession, tokenSecret, healthPlugin, redisCheck, type HttpApp, type Logger, type Redis } from '@chitchat/platform';
import type { HistoryConfig } from './config.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { roomRoutes } from './routes/rooms.ts';
import { LatestPages } from './latest-pages.ts';
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
  const access = new RoomAccess(redis, adminUsers(config.ADMIN_USERS));
  const queues = openQueues(redis, log);
  app.addHook('onClose', () => Promise.all(Object.values(queues).map((q) => q.close())));
  await app.register(async (scope) => {
    // Every route here needs a session.
    scope.addHook('onRequest', requireSession(sessions));
    const store = new HistoryStore(redis);
    await scope.register(roomRoutes, { store, latest: new LatestPages(store), access, roomListMax: config.ROOM_LIST_MAX });
    await scope.register(integrationRoutes, {
      access,
      redis,
      webhookQueue: queues.webhooks,
      retentionDefaults: { maxMessages: config.RETENTION_MAX_MESSAGES, maxAgeSeconds: config.RETENTION_MAX_AGE_SECONDS },
    });
  });
  return app;
}
