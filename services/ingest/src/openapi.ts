/** Prints this service's part of the OpenAPI document (from its route schemas) as JSON. */
import { printOpenApi } from '@chitchat/platform';
import { buildIngestApp } from './app.ts';
import { loadIngestConfig } from './config.ts';

const config = loadIngestConfig({ LOG_LEVEL: 'silent' });
await printOpenApi('ingest', config.REDIS_URL, (deps) => buildIngestApp({ config, ...deps }));
