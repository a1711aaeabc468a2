import type { Logger } from 'pino';
import type { HttpApp } from './http.ts';
import { closeRedis, type Redis } from './redis.ts';
import { stopTracing } from './spans.ts';

/**
 * The steps of a graceful stop, in order: readiness fails (for `drainDelayMs`), the app closes (its `preClose`
 * hooks close WebSockets, requests drain, `onClose` hooks stop consumers), then the Redis
 * connections quit and the last spans are exported. Only a `server.ts` hands this to a signal handler (close-with-grace); this
 * module never touches signals or exits.
 */
export function gracefulStop({ app, log, connections, drainDelayMs = 0 }: { app: HttpApp; log: Logger; connections: Redis[]; drainDelayMs?: number }) {
  return async ({ signal, err }: { signal?: string | undefined; err?: Error | undefined }): Promise<void> => {
    if (err) log.error({ err }, 'stopping after an error');
    else log.info({ signal }, 'stopping');
    app.health.draining = true;
    // Readiness fails first; load balancers stop sending new work before anything closes.
    if (!err && drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
    await app.close();
    for (const redis of connections) await closeRedis(redis);
    // Last: the spans of the work drained above are exported before the process exits.
    await stopTracing();
  };
}
