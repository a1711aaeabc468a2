import closeWithGrace from 'close-with-grace';
import { closeRedis, connectRedis, createLogger, createRedis, listen } from '@chitchat/platform';
import { buildHistoryApp } from './app.ts';
import { loadHistoryConfig } from './config.ts';

const config = loadHistoryConfig();
const log = createLogger('history', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'history', role: 'command', log }));
const app = await buildHistoryApp({ config, log, redis });

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: log }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'stopping after an error');
  else log.info({ signal }, 'stopping');
  app.health.draining = true;
  await app.close();
  await closeRedis(redis);
});

await listen(app, config.PORT, config.HOST);
