import envSchema from 'env-schema';
import { Type, type Static, type TProperties, type TObject } from 'typebox';

/** Thrown at start when the environment holds a bad value; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Variables every service reads. */
export const commonConfig = {
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', description: 'Redis to use (redis:// or rediss://)' }),
  LOG_LEVEL: Type.Union(
    [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
    { default: 'info', description: 'pino log level' },
  ),
  HOST: Type.String({ default: '0.0.0.0', description: 'address the HTTP server binds' }),
  INGEST_PARTITIONS: Type.Integer({ minimum: 1, maximum: 1024, default: 8, description: 'number of ingest partition streams; the same for every service' }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'hard deadline for a graceful shutdown' }),
} satisfies TProperties;

/**
 * Reads the service's variables from `env` once, applies defaults, coerces numbers and
 * returns a frozen object. A missing or bad value throws a ConfigError naming it.
 */
export function loadConfig<P extends TProperties>(properties: P, env: NodeJS.ProcessEnv = process.env): Readonly<Static<TObject<P>>> {
  const schema = Type.Object(properties);
  try {
    const config = envSchema<Static<TObject<P>>>({ schema, data: env, dotenv: false });
    return Object.freeze(config);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^env\//, '').replace(/^env /, '') : String(err);
    throw new ConfigError(`invalid configuration: ${detail.replace(/, env\//g, '; ')}`, { cause: err });
  }
}
