import { pino, type Logger, type LevelWithSilent } from 'pino';
import { logTraceFields } from './spans.ts';

export type { Logger };

/** The one logger of a process: JSON on stdout, tagged with the service, secrets redacted. */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    // The active span's ids on every line, so a log line leads to its trace (and back).
    mixin: logTraceFields,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'token', '*.token', 'text', '*.text'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      err: pino.stdSerializers.err,
      // Fastify's request line, without the WebSocket's `?token=`.
      req: (req: { method?: string; url?: string; headers?: Record<string, string | undefined>; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        remoteAddress: req.headers?.['x-forwarded-for'] ?? req.socket?.remoteAddress,
      }),
    },
  });
}

/** Removes a `token` query parameter from a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/g, '$1[redacted]');
}
