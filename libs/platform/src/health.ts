import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/** A readiness check: resolves when the dependency works, throws (with why) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface Health {
  /** Set when shutdown begins: `/readyz` fails so load balancers stop sending work. */
  draining: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    health: Health;
  }
}

/**
 * `/healthz`: the process is alive. `/readyz`: it can do its job (every check passes and
 * it is not draining); 503 with the failing checks otherwise.
 */
export const healthPlugin = fp<{ checks: Record<string, ReadinessCheck> }>(
  async (app: FastifyInstance, { checks }) => {
    const health: Health = { draining: false };
    app.decorate('health', health);
    app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
    app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
      const failing: Record<string, string> = {};
      if (health.draining) failing.draining = 'shutting down';
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await check();
          } catch (err) {
            failing[name] = err instanceof Error ? err.message : String(err);
          }
        }),
      );
      const ok = Object.keys(failing).length === 0;
      return reply.status(ok ? 200 : 503).send(ok ? { status: 'ready' } : { status: 'not ready', failing });
    });
  },
  { name: 'chitchat-health', fastify: '5.x' },
);

/** A readiness check that pings Redis. */
export function redisCheck(redis: { ping(): Promise<string> }): ReadinessCheck {
  return async () => {
    await redis.ping();
  };
}
