import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { Ajv } from 'ajv';
import sjson from 'secure-json-parse';
import addFormats from 'ajv-formats';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ErrorCodeName } from '@chitchat/contracts';
import type { Logger } from 'pino';
import { ApiError, problem } from './errors.ts';
import { createLogger, redactUrl } from './logger.ts';
import { createRedis, type Redis } from './redis.ts';
import { metricsPlugin } from './metrics.ts';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error code for a body or query that fails its schema (default `invalid_request`). */
    invalidCode?: ErrorCodeName;
  }
}

export interface HttpAppOptions {
  log: Logger;
  /** Service name, used as the OpenAPI title. */
  service: string;
  /** Largest request body in bytes; larger ones get 413 `payload_too_large`. */
  bodyLimit?: number;
  /** Proxies whose X-Forwarded-For is believed (fastify `trustProxy`). */
  trustProxy?: string;
}

/**
 * A fastify instance with what every ChitChat HTTP service shares: the process logger
 * with a request id, TypeBox schemas, and one error handler that answers problem+json
 * (RFC 9457) and never shows the internals of a 5xx.
 */
export function createHttpApp({ log, service, bodyLimit = 16 * 1024, trustProxy = 'loopback' }: HttpAppOptions): HttpApp {
  const app = Fastify({
    loggerInstance: log,
    trustProxy,
    bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    logController: new OneLinePerRequest(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Query strings and path parameters arrive as text and are coerced to the schema's types;
  // JSON bodies are checked as sent, so `{"text": 42}` is refused rather than turned into "42".
  const coercing = withFormats(new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false }));
  const strict = withFormats(new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));

  // JSON bodies must be UTF-8 as sent: invalid bytes are refused rather than turned into
  // U+FFFD, and __proto__ / constructor keys are refused (prototype pollution).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new ApiError('invalidRequest', 'the body is not valid UTF-8'), undefined);
    }
    try {
      done(null, text.length === 0 ? undefined : sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      done(new ApiError('invalidRequest', `the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  // Routes with `tags` form the public OpenAPI document (`app.swagger()`); health routes have none.
  void app.register(swagger, {
    hideUntagged: true,
    openapi: {
      openapi: '3.1.0',
      info: { title: `ChitChat ${service}`, version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const { status, body, headers } = toProblem(err, request);
    if (status >= 500) request.log.error({ err }, 'request failed');
    reply.status(status).headers(headers).type('application/problem+json').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .type('application/problem+json')
      .send(problem('notFound', `no route for ${request.method} ${redactUrl(request.url.split('?')[0] ?? '')}`));
  });

  void app.register(metricsPlugin, { service });
  return app;
}

function toProblem(err: FastifyError | ApiError, request: FastifyRequest) {
  if (err instanceof ApiError) return { status: err.status, body: problem(err.code, err.message), headers: err.headers };
  const fe = err;
  if (fe.validation) {
    const where = fe.validationContext ?? 'body';
    const detail = fe.validation
      .map((v) => `${where}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''} ${v.message ?? 'is invalid'}`)
      .join('; ');
    if (where === 'params' && fe.validation.some((v) => v.instancePath === '/room')) {
      const room = (request.params as { room: string }).room;
      return { status: 404, body: problem('invalidRoom', `'${room}' is not a room name: 1-64 of a-z 0-9 _ -`), headers: {} };
    }
    const code = request.routeOptions.config.invalidCode ?? 'invalidRequest';
    return { status: 400, body: problem(code, detail), headers: {} };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: problem('payloadTooLarge', 'request body is larger than the server accepts'), headers: {} };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { ...problem('invalidRequest', fe.message), status: fe.statusCode }, headers: {} };
  }
  if (isRedisUnavailable(err)) {
    return { status: 503, body: problem('unavailable', 'storage is unavailable; try again shortly'), headers: { 'retry-after': '1' } };
  }
  return { status: 500, body: problem('internal', 'internal error'), headers: {} };
}

function isRedisUnavailable(err: Error): boolean {
  // Lost connections, and a Redis (Cluster) in a passing state: failing over, loading, busy.
  return (
    /Stream isn't writeable|Connection is closed|max retries per request|ECONNREFUSED|enableOfflineQueue|Cluster isn't ready|Too many Cluster redirections/i.test(err.message) ||
    /^(READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING|BUSY)\b/.test(err.message)
  );
}

/** Starts listening and logs `ready` with the bound port (tests and `npm start` wait for it). */
export async function listen(app: HttpApp, port: number, host: string): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = address && typeof address === 'object' ? address.port : port;
  app.log.info({ port: bound }, 'ready');
  return bound;
}

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per request, written once it is answered (fastify's default is two): with
 * the request id and, when tracing is on, the trace id. Probes and scrapes come every few
 * seconds and say nothing new, so they are logged at debug unless they fail.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    const quiet = QUIET_ROUTES.has(request.routeOptions.url ?? '') && reply.statusCode < 400;
    reply.log[quiet ? 'debug' : 'info']({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function withFormats(ajv: Ajv): Ajv {
  (addFormats as unknown as (a: Ajv) => Ajv)(ajv);
  return ajv;
}

/**
 * Writes the OpenAPI document of an app's tagged routes to stdout as JSON. The app is built
 * with a Redis client that never connects: routes need a client object, not a server.
 */
export async function printOpenApi(service: string, redisUrl: string, build: (deps: { redis: Redis; log: Logger }) => Promise<HttpApp>): Promise<void> {
  const log = createLogger(service, 'silent');
  const redis = createRedis({ url: redisUrl, name: 'openapi', role: 'command', log });
  const app = await build({ redis, log });
  await app.ready();
  process.stdout.write(JSON.stringify(app.swagger()));
  await app.close();
  redis.disconnect();
}
