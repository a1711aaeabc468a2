import closeWithGrace from 'close-with-grace';
import { closeRedis, connectRedis, createLogger, createRedis, listen } from '@chitchat/platform';
import { buildGatewayApp } from './app.ts';
import { loadGatewayConfig } from './config.ts';

const config = loadGatewayConfig();
const log = createLogger('gateway', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'gateway', role: 'worker', log }));
const subscriber = await connectRedis(
  createRedis({ url: config.REDIS_URL, name: 'gateway-sub', role: 'subscriber', log, overrides: { autoResubscribe: false } }),
);
const { app } = await buildGatewayApp({ config, log, redis, subscriber });

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: log }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'stopping after an error');
  else log.info({ signal }, 'stopping');
  await app.close();
  await closeRedis(subscriber);
  await closeRedis(redis);
});

await listen(app, config.PORT, config.HOST);
