/** Prints this service's part of the OpenAPI document (from its route schemas) as JSON. */
import { createLogger, createRedis, openApiDocument } from '@chitchat/platform';
import { buildHistoryApp } from './app.ts';
import { loadHistoryConfig } from './config.ts';

const config = loadHistoryConfig({ LOG_LEVEL: 'silent' });
const log = createLogger('history', 'silent');
// Never connected: building the routes needs a client object, not a server.
const redis = createRedis({ url: config.REDIS_URL, name: 'openapi', role: 'command', log });
const app = await buildHistoryApp({ config, log, redis });
await app.ready();
process.stdout.write(JSON.stringify(openApiDocument(app)));
await app.close();
redis.disconnect();
