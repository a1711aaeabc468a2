import closeWithGrace from 'close-with-grace';
import { connectRedis, createLogger, createRedis, gracefulStop, listen } from '@chitchat/platform';
import { buildPersistenceApp } from './app.ts';
import { loadPersistenceConfig } from './config.ts';

const config = loadPersistenceConfig();
const log = createLogger('persistence', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'persistence', role: 'worker', log }));
const { app } = await buildPersistenceApp({ config, log, redis });

closeWithGrace({ delay: config.DRAIN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS, logger: log }, gracefulStop({ app, log, drainDelayMs: config.DRAIN_DELAY_MS, connections: [redis] }));

await listen(app, config.PORT, config.HOST);
