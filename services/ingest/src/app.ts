import { RoomAccess, SessionStore, adminUsers, createHttpApp, openQueues, tokenSecret, healthPlugin, redisCheck, type HttpApp, type Logger, type Redis } from '@chitchat/platform';
import { MessageAcceptor } from './accept.ts';
import type { IngestConfig } from './config.ts';
import { createLimits } from './limits.ts';
import { MessageLookup } from './lookup.ts';
import { ReadMarkers } from './read-markers.ts';
import { RoomAdmin } from './rooms.ts';
import { messageRoutes } from './routes/messages.ts';
import { RoomIntegrations } from './integrations.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { roomRoutes } from './routes/rooms.ts';
import { sessionRoutes } from './routes/sessions.ts';

export interface IngestDeps {
  config: IngestConfig;
  log: Logger;
  /** A `command` connection, connected; the caller closes it after the app. */
  redis: Redis;
}

/** The ingest HTTP app: sessions, sending and changing messages, rooms. Not listening; `server.ts` or a test decides. */
export async function buildIngestApp({ config, log, redis }: IngestDeps): Promise<HttpApp> {
  const app = createHttpApp({ log, service: 'ingest', trustProxy: config.TRUST_PROXY, bodyLimit: config.BODY_LIMIT_BYTES });
  const sessions = new SessionStore(redis, { secret: tokenSecret(config, (m) => log.warn(m)), ttlSeconds: config.SESSION_TTL_SECONDS });
  const acceptor = new MessageAcceptor(redis, { partitions: config.INGEST_PARTITIONS, idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS });
  await app.register(healthPlugin, { checks: { redis: redisCheck(redis) } });
  const limits = await createLimits(app, redis, { perIp: config.RATE_LIMIT_IP_PER_MINUTE, perUser: config.RATE_LIMIT_USER_PER_MINUTE });
  await app.register(sessionRoutes, { sessions, limits });
  const access = new RoomAccess(redis, adminUsers(config.ADMIN_USERS));
  const queues = openQueues(redis, log);
  app.addHook('onClose', () => Promise.all(Object.values(queues).map((q) => q.close())));
  const integrations = new RoomIntegrations(redis, { allowPrivateWebhooks: config.WEBHOOK_ALLOW_PRIVATE, webhookQueue: queues.webhooks });
  await app.register(messageRoutes, { sessions, acceptor, reads: new ReadMarkers(redis), limits, access, lookup: new MessageLookup(redis), redis, maxReactions: config.MAX_REACTIONS, integrations });
  await app.register(integrationRoutes, {
    sessions,
    limits,
    access,
    integrations,
    redis,
    retentionDefaults: { maxMessages: config.RETENTION_MAX_MESSAGES, maxAgeSeconds: config.RETENTION_MAX_AGE_SECONDS },
  });
  await app.register(roomRoutes, { sessions, limits, access, rooms: new RoomAdmin(redis) });
  return app;
}
