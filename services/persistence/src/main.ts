import closeWithGrace from 'close-with-grace';
import { closeRedis, connectRedis, createLogger, createRedis, listen } from '@chitchat/platform';
import { buildPersistenceApp } from './app.ts';
import { loadPersistenceConfig } from './config.ts';

const config = loadPersistenceConfig();
const log = createLogger('persistence', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'persistence', role: 'worker', log }));
const { app } = await buildPersistenceApp({ config, log, redis });

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: log }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'stopping after an error');
  else log.info({ signal }, 'stopping');
  app.health.draining = true;
  await app.close();
  await closeRedis(redis);
});

await listen(app, config.PORT, config.HOST);
