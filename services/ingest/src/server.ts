import closeWithGrace from 'close-with-grace';
import { connectRedis, createLogger, createRedis, gracefulStop, listen } from '@chitchat/platform';
import { buildIngestApp } from './app.ts';
import { loadIngestConfig } from './config.ts';

const config = loadIngestConfig();
const log = createLogger('ingest', config.LOG_LEVEL);
const redis = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'ingest', role: 'command', log }));
const app = await buildIngestApp({ config, log, redis });

closeWithGrace({ delay: config.DRAIN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS, logger: log }, gracefulStop({ app, log, drainDelayMs: config.DRAIN_DELAY_MS, connections: [redis] }));

await listen(app, config.PORT, config.HOST);
