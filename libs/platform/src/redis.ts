import { Cluster, Redis as Standalone, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { MetricName, counter } from './metrics.ts';

/**
 * A connection to one Redis, or to a Redis Cluster (ioredis `Cluster`): the same commands;
 * every key a script or pipeline touches shares one hash tag, so both work alike.
 */
export type Redis = Standalone | Cluster;

/** `redis+cluster://host:port,host:port` names Redis Cluster seed nodes; anything else one Redis. */
export function clusterNodes(url: string): { host: string; port: number }[] | undefined {
  if (!url.startsWith('redis+cluster://')) return undefined;
  return url
    .slice('redis+cluster://'.length)
    .split(',')
    .map((node) => {
      const [host = '127.0.0.1', port = '6379'] = node.replace(/\/.*$/, '').split(':');
      return { host, port: Number(port) };
    });
}

/**
 * - `command`: request paths; fails fast while Redis is down (no offline queue) so an API
 *   answers 503 instead of hanging.
 * - `worker`: background loops; commands wait for Redis to come back.
 * - `subscriber`: (sharded) pub/sub; waits, and ioredis resubscribes after a reconnect.
 */
export type RedisRole = 'command' | 'worker' | 'subscriber';

export interface RedisConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST as `chitchat:<name>`, so an operator can tell connections apart. */
  name: string;
  role: RedisRole;
  log: Logger;
  /** Extra ioredis options, e.g. `autoResubscribe: false` for a subscriber that resubscribes itself. */
  overrides?: Partial<RedisOptions>;
}

/**
 * Creates a Redis connection with an error listener (an unheard `error` would crash the
 * process) and logging of reconnects. Call `connect()` and await it before use.
 */
export function createRedis({ url, name, role, log, overrides }: RedisConnectionOptions): Redis {
  const options: RedisOptions = {
    connectionName: `chitchat:${name}`,
    lazyConnect: true,
    // RESP2 keeps the reply shapes the code (and BullMQ) are written against; ioredis 6 defaults to RESP3.
    protocol: 2,
    enableOfflineQueue: role !== 'command',
    maxRetriesPerRequest: role === 'command' ? 1 : null,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    // A node demoted to replica (a failover: a restarted master comes back as one) answers
    // writes with READONLY: reconnect and send the command again, which finds the new master
    // (on a Cluster the resent command is redirected with MOVED and the slot map refreshed).
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...overrides,
  };
  const nodes = clusterNodes(url);
  const redis: Redis = nodes
    ? new Cluster(nodes, {
        redisOptions: options,
        lazyConnect: true,
        enableOfflineQueue: options.enableOfflineQueue ?? true,
        clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
        // One subscriber connection per shard, following slot moves (SSUBSCRIBE needs it).
        shardedSubscribers: role === 'subscriber',
        // During a failover, commands wait for the new master instead of failing at once.
        retryDelayOnClusterDown: 200,
        retryDelayOnFailover: 200,
        maxRedirections: 32,
        ...(role === 'command' ? {} : { retryDelayOnTryAgain: 200 }),
      } satisfies ClusterOptions)
    : new Standalone(url, options);
  const rlog = log.child({ module: 'redis', connection: name });
  // Exported at 0 from the start, so a dashboard or alert on it has a series before any drop.
  const reconnects = counter(MetricName.redisReconnects, 'Redis connections re-established after a drop', ['connection']);
  reconnects.inc({ connection: name }, 0);
  let wasReady = false;
  redis.on('error', (err: Error) => rlog.warn({ err }, 'redis connection error'));
  redis.on('ready', () => {
    if (wasReady) {
      rlog.info('redis reconnected');
      reconnects.inc({ connection: name });
    }
    wasReady = true;
  });
  redis.on('end', () => rlog.debug('redis connection closed'));
  return redis;
}

/** Closes a connection politely, or at once if Redis does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}

/**
 * Connects, waiting through failed attempts (ioredis keeps retrying) until Redis answers,
 * so a service started before Redis comes up simply waits for it.
 */
export async function connectRedis(redis: Redis): Promise<Redis> {
  if (redis.status === 'ready') return redis;
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  redis.connect().catch(() => {});
  await ready;
  return redis;
}
