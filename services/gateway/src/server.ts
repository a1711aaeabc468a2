import closeWithGrace from 'close-with-grace';
import { connectRedis, createLogger, createRedis, gracefulStop, listen } from '@chitchat/platform';
import { buildGatewayApp } from './app.ts';
import { loadGatewayConfig } from './config.ts';

const config = loadGatewayConfig();
const log = createLogger('gateway', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'gateway', role: 'worker', log }));
const subscriber = await connectRedis(
  createRedis({ url: config.REDIS_URL, name: 'gateway-sub', role: 'subscriber', log, overrides: { autoResubscribe: false } }),
);
const { app } = await buildGatewayApp({ config, log, redis, subscriber });

closeWithGrace({ delay: config.DRAIN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS, logger: log }, gracefulStop({ app, log, drainDelayMs: config.DRAIN_DELAY_MS, connections: [subscriber, redis] }));

await listen(app, config.PORT, config.HOST);
