import { DEVELOPMENT_SECRET, SessionStore, closeRedis, connectRedis, createLogger, createRedis, type HttpApp, type Redis } from '@chitchat/platform';
import { defer, startTestRedis } from '@chitchat/testing';
import { buildHistoryApp } from '../src/app.ts';
import { loadHistoryConfig } from '../src/config.ts';

/** A history app on its own test Redis (stopped when the test file ends), and a session store to log in with. */
export async function startTestHistory(): Promise<{ app: HttpApp; redis: Redis; sessions: SessionStore }> {
  const server = await startTestRedis();
  defer(() => server.stop());
  const config = loadHistoryConfig({ REDIS_URL: server.url, LOG_LEVEL: 'silent' });
  const log = createLogger('history', 'silent');
  const redis = await connectRedis(createRedis({ url: server.url, name: 'history-test', role: 'command', log }));
  defer(() => closeRedis(redis));
  const app = await buildHistoryApp({ config, log, redis });
  defer(() => app.close());
  return { app, redis, sessions: new SessionStore(redis, { secret: DEVELOPMENT_SECRET }) };
}
