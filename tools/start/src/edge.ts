import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyReply, type RawServerBase, type RouteGenericInterface } from 'fastify';
import helmet from '@fastify/helmet';
import replyFrom from '@fastify/reply-from';
import fastifyStatic from '@fastify/static';
import { problem, type Logger } from '@chitchat/platform';

export interface EdgeUpstreams {
  /** Base URLs such as `http://127.0.0.1:3001`. */
  ingest: string;
  history: string;
  gateway: string;
}

export interface EdgeOptions {
  upstreams: EdgeUpstreams;
  /** Folder of the built web client, served at `/`. */
  webRoot: string;
  log: Logger;
}

/**
 * The local stand-in for production's edge (nginx under compose, the Ingress on
 * Kubernetes): writes (`POST`/`DELETE /v1/*`) go to ingest, reads (`GET /v1/*`) to history,
 * the `/v1/ws` upgrade to the gateway, everything else is the web client.
 */
export async function buildEdge({ upstreams, webRoot, log }: EdgeOptions) {
  const app = Fastify({ loggerInstance: log.child({ module: 'edge' }, { level: 'warn' }) });
  await app.register(replyFrom, { http: { requestOptions: { timeout: 30_000 } } });
  // Security headers for the web client: scripts and styles only from this origin (no
  // inline script can run, so injected markup cannot execute), WebSocket to this origin.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });
  await app.register(fastifyStatic, { root: webRoot, index: 'index.html' });

  // The edge forwards bodies untouched; the services parse and limit them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.get('/healthz', async () => ({ status: 'ok' }));
  for (const method of ['POST', 'DELETE', 'PATCH', 'PUT'] as const) {
    app.route({ method, url: '/v1/*', handler: (request, reply) => reply.from(upstreams.ingest + request.url, { rewriteRequestHeaders, onError: upstreamDown }) });
  }
  app.get('/v1/*', (request, reply) => reply.from(upstreams.history + request.url, { rewriteRequestHeaders, onError: upstreamDown }));

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith('/v1/ws')) return void socket.destroy();
    pipeUpgrade(upstreams.gateway, req, socket, head);
  });
  return app;
}

/**
 * Passes a WebSocket upgrade through to the gateway byte for byte, as nginx does, so frames,
 * close codes and pings are the gateway's own.
 */
function pipeUpgrade(upstream: string, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const target = new URL(req.url ?? '/', upstream);
  const proxyReq = httpRequest({
    host: target.hostname,
    port: target.port,
    path: target.pathname + target.search,
    method: req.method,
    headers: { ...req.headers, 'x-forwarded-for': forwardedFor(req) },
  });
  proxyReq.on('upgrade', (res, upstreamSocket, upstreamHead) => {
    const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('error', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    socket.on('close', () => upstreamSocket.destroy());
  });
  proxyReq.on('response', (res) => {
    socket.end(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\nconnection: close\r\n\r\n`);
    res.resume();
  });
  proxyReq.on('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n'));
  proxyReq.end();
}

/** The client's address for the services' limits and logs, as a proxy passes it on. */
function forwardedFor(req: IncomingMessage): string {
  const previous = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  return previous ? `${String(previous)}, ${client}` : client;
}

/**
 * A service not answering (still starting, or restarting after a crash) is 503 with
 * Retry-After in the API's problem+json, as the services answer when Redis is down, not an
 * opaque proxy 500.
 */
function upstreamDown(reply: FastifyReply<RouteGenericInterface, RawServerBase>, { error }: { error: Error }): void {
  reply.log.warn({ err: error }, 'service not answering');
  void reply
    .code(503)
    .header('retry-after', '1')
    .type('application/problem+json')
    .send(problem('unavailable', 'ChitChat is starting, or a service is restarting; try again shortly'));
}

function rewriteRequestHeaders(request: { raw: unknown }, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return { ...headers, 'x-forwarded-for': forwardedFor(request.raw as IncomingMessage) };
}
