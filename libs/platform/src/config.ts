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
  TRUST_PROXY: Type.String({ default: 'loopback,linklocal,uniquelocal', description: 'proxies whose X-Forwarded-For is believed (fastify trustProxy): the client IP for limits and logs' }),
  DRAIN_DELAY_MS: Type.Integer({ minimum: 0, default: 0, description: 'on SIGTERM, how long /readyz fails before the service stops taking work (let load balancers notice; 5000 on Kubernetes)' }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'hard deadline for a graceful shutdown' }),
  ADMIN_USERS: Type.String({ default: '', description: 'comma-separated usernames that may moderate every room' }),
  RETENTION_MAX_MESSAGES: Type.Integer({ minimum: 0, default: 0, description: 'default most log entries a room keeps (0: no limit); a room may set its own' }),
  RETENTION_MAX_AGE_SECONDS: Type.Integer({ minimum: 0, default: 0, description: 'default oldest entry a room keeps, in seconds (0: no limit)' }),
  MAX_REACTIONS: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'most distinct reactions on one message (checked by ingest and again by persistence)' }),
} satisfies TProperties;

/** Variables of the services that verify tokens. */
export const sessionConfig = {
  TOKEN_SECRET: Type.String({ default: '', description: 'HMAC secret that signs session tokens (32+ characters); required when NODE_ENV=production' }),
  NODE_ENV: Type.String({ default: 'development', description: '`production` refuses to start without TOKEN_SECRET' }),
  SESSION_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'an unused session expires and frees its name' }),
} satisfies TProperties;

/** Used only outside production, with a warning: every process of `npm start` and the tests agree on it. */
export const DEVELOPMENT_SECRET = 'chitchat-development-secret-not-for-production-use';

/**
 * The token secret to use: `TOKEN_SECRET`, or outside production a fixed development secret
 * (with a warning). In production a missing or short secret stops the start.
 */
export function tokenSecret(config: { TOKEN_SECRET: string; NODE_ENV: string }, warn: (message: string) => void): string {
  if (config.TOKEN_SECRET.length >= 32) return config.TOKEN_SECRET;
  if (config.TOKEN_SECRET) throw new ConfigError('invalid configuration: TOKEN_SECRET must be at least 32 characters');
  if (config.NODE_ENV === 'production') throw new ConfigError('invalid configuration: TOKEN_SECRET is required when NODE_ENV=production');
  warn('TOKEN_SECRET is not set: using the public development secret. Never do this in production.');
  return DEVELOPMENT_SECRET;
}

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

/** The usernames of `ADMIN_USERS` (comma-separated). */
export function adminUsers(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}
