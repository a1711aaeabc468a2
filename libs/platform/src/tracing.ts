/**
 * OpenTelemetry for a service process. `main.ts` calls `startTracing` first and only then
 * imports the service, so that the modules instrumentation patches (ioredis) are loaded
 * after the hooks are in place: this module must not import ioredis or fastify itself.
 *
 * Tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * is set; everything else follows the standard `OTEL_*` variables (protocol, headers,
 * sampler, batch delays). Off, the SDK is not even loaded and nothing is patched.
 */
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { tracingState } from './spans.ts';

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Span processors to use instead of the OTLP exporter of the environment (tests). */
  spanProcessors?: NodeSDKConfiguration['spanProcessors'];
}

/** Starts tracing if configured; returns whether it is on. */
export async function startTracing(service: string, { env = process.env, spanProcessors }: TracingOptions = {}): Promise<boolean> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if ((!endpoint && !spanProcessors) || env.OTEL_SDK_DISABLED === 'true') return false;
  const [{ register: registerImportHooks }, { startNodeSdk }, { IORedisInstrumentation }, { FastifyOtelInstrumentation }] = await Promise.all([
    import('import-in-the-middle/register-hooks.mjs'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@fastify/otel'),
  ]);
  // ESM imports do not go through require(): ioredis is patched by a module hook, limited to
  // ioredis so no other module is wrapped.
  registerImportHooks({ include: ['ioredis'] });
  const sdk = startNodeSdk({
    // The diagnostic logger writes plain text to the console: only problems, unless asked.
    logLevel: env.OTEL_LOG_LEVEL ?? 'warn',
    resourceAttributes: { 'service.name': env.OTEL_SERVICE_NAME || `chitchat-${service}`, 'service.namespace': 'chitchat' },
    // Metrics are Prometheus' (/metrics) and logs are pino's on stdout: only traces go out.
    metricReaders: [],
    logRecordProcessors: [],
    ...(spanProcessors ? { spanProcessors } : {}),
    instrumentations: [
      // Only commands sent inside a span (a request, a commit, a delivery): not the polling.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisStatement }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // Lifecycle hooks as spans would triple a request's spans and say little.
        instrumentHooks: false,
        // Probes and scrapes are not traced; a WebSocket's upgrade would make a span as long
        // as the connection, parent of everything sent on it.
        // (Called with a route's pattern, and with each request's URL, query string included.)
        ignorePaths: (route: { url: string }) => IGNORED.has(route.url.split('?', 1)[0] ?? ''),
        // Named as HTTP server spans are (method and route), not just "request".
        requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? ''}`.trim()),
      }),
    ],
  });
  tracingState.enabled = true;
  tracingState.shutdown = () => sdk.shutdown();
  return true;
}

/**
 * A Redis command as a span shows it: the name and the keys, never the values. The library's
 * default shows every argument of EVALSHA, which would put message texts into traces.
 */
export function redisStatement(command: string, args: readonly unknown[]): string {
  if (/^(EVAL|EVALSHA|FCALL)(_RO)?$/i.test(command)) {
    const keys = Number(args[1]);
    return [command, ...(Number.isInteger(keys) ? args.slice(2, 2 + keys) : [])].join(' ');
  }
  return args.length > 0 ? `${command} ${String(args[0])}` : command;
}

const IGNORED = new Set(['/healthz', '/readyz', '/metrics', '/v1/ws']);
