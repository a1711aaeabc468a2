import { closeRedis, connectRedis, createLogger, createRedis, type HttpApp, type Redis } from '@chitchat/platform';
import { defer, startTestRedis, type TestRedis } from '@chitchat/testing';
import { buildIngestApp } from '../src/app.ts';
import { loadIngestConfig } from '../src/config.ts';

/** An ingest app on its own Redis (not listening: use `app.inject`), closed after the suite. */
export async function buildTestIngest(env: Record<string, string> = {}, shared?: TestRedis): Promise<{ app: HttpApp; redis: Redis; server: TestRedis }> {
  const server = shared ?? (await startTestRedis());
  const config = loadIngestConfig({ REDIS_URL: server.url, LOG_LEVEL: 'silent', ...env });
  const log = createLogger('ingest', config.LOG_LEVEL);
  const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'ingest-test', role: 'command', log }));
  const app = await buildIngestApp({ config, log, redis });
  defer(async () => {
    await app.close();
    await closeRedis(redis);
    if (!shared) await server.stop();
  });
  return { app, redis, server };
}

/** Claims a fresh username and returns its token. */
export async function login(app: HttpApp, username = `u${Math.random().toString(36).slice(2, 10)}`): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username } });
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json<{ token: string }>().token;
}
