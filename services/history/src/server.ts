import closeWithGrace from 'close-with-grace';
import { connectRedis, createLogger, createRedis, gracefulStop, listen } from '@chitchat/platform';
import { buildHistoryApp } from './app.ts';
import { loadHistoryConfig } from './config.ts';

const config = loadHistoryConfig();
const log = createLogger('history', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'history', role: 'command', log }));
const app = await buildHistoryApp({ config, log, redis });

closeWithGrace({ delay: config.DRAIN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS, logger: log }, gracefulStop({ app, log, drainDelayMs: config.DRAIN_DELAY_MS, connections: [redis] }));

await listen(app, config.PORT, config.HOST);
