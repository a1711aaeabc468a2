/** Prints this service's part of the OpenAPI document (from its route schemas) as JSON. */
import { printOpenApi } from '@chitchat/platform';
import { buildHistoryApp } from './app.ts';
import { loadHistoryConfig } from './config.ts';

const config = loadHistoryConfig({ LOG_LEVEL: 'silent' });
await printOpenApi('history', config.REDIS_URL, (deps) => buildHistoryApp({ config, ...deps }));
