import type { FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { usernameKey } from '@chitchat/contracts';
import { ApiError, type HttpApp, type Redis } from '@chitchat/platform';

type LimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
type RequestHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | undefined;

/**
 * One hook that runs `hooks` at the same time and fails with the first of them (in the order
 * given) that failed: the answer is what running them one after another would give, but the
 * request waits for one Redis round trip instead of one per hook (a POST used to wait for six
 * in a row, most of its time under load). Every hook must be safe to run before the earlier
 * ones passed: a rate limit and a session check are.
 */
export function concurrently(...hooks: RequestHook[]): LimitHook {
  return async (request, reply) => {
    const results = await Promise.allSettled(hooks.map(async (hook) => hook(request, reply)));
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  };
}

/** Rate-limit hooks: per client IP (before authentication) and per user (after it). */
export interface Limits {
  perIp: LimitHook;
  perUser: LimitHook;
}

/**
 * The two limits as route hooks, counted in Redis so they hold across ingest replicas.
 *
 * @fastify/rate-limit lets one of its limiters run per request; each limit therefore gets
 * its own registration (in its own encapsulated context). Keys are prefixed so that a
 * username that looks like an IP address has its own counter.
 */
export async function createLimits(app: HttpApp, redis: Redis, { perIp, perUser }: { perIp: number; perUser: number }): Promise<Limits> {
  const limiter = async (max: number, key: (request: FastifyRequest) => string): Promise<LimitHook> => {
    let hook: LimitHook | undefined;
    await app.register(async (scope) => {
      await scope.register(rateLimit, {
        global: false,
        redis,
        nameSpace: 'chat:ratelimit:',
        errorResponseBuilder: (_request, context) => new ApiError('rateLimited', `too many requests: at most ${context.max} per minute; retry in ${context.after}`),
      });
      const limit = scope.rateLimit({ max, timeWindow: 60_000, keyGenerator: key });
      hook = (request, reply) => limit.call(scope, request as never, reply as never) as Promise<void>;
    });
    return hook as LimitHook;
  };
  return {
    perIp: await limiter(perIp, (request) => `ip:${request.ip}`),
    // A bot counts as itself, never as the person who holds its name.
    perUser: await limiter(perUser, (request) => (request.bot ? `bot:${request.bot.id}` : `user:${usernameKey(request.session?.username ?? '')}`)),
  };
}
