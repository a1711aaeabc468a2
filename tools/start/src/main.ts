/**
 * `npm start`: the whole of ChitChat on one machine. Finds or starts Redis, runs every
 * service as its own process and serves the web client and API at http://localhost:8080
 * through a local edge. Ctrl-C stops everything it started.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { createLogger } from '@chitchat/platform';
import { buildEdge } from './edge.ts';
import { redisAnswers, redisServerInstalled, startRedisServer } from './redis.ts';
import { Supervisor } from './supervisor.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const log = createLogger('start', 'info');
const edgePort = Number(process.env.EDGE_PORT ?? 8080);
const ports = { ingest: 3001, gateway: 3002, history: 3003, persistence: 3004 };

let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let ownRedis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
if (!(await redisAnswers(redisUrl))) {
  if (process.env.REDIS_URL) {
    log.fatal(`REDIS_URL=${redisUrl} does not answer. Start that Redis, or unset REDIS_URL to use a local one.`);
    process.exit(1);
  }
  if (!redisServerInstalled()) {
    log.fatal('No Redis answers on 127.0.0.1:6379 and redis-server is not installed. Install Redis 7 (e.g. `apt-get install redis-server` or `brew install redis`), or set REDIS_URL to one.');
    process.exit(1);
  }
  const port = Number(process.env.LOCAL_REDIS_PORT ?? 6379);
  ownRedis = await startRedisServer(port, `${root}.data/redis`);
  redisUrl = `redis://127.0.0.1:${port}`;
  log.info({ redis: redisUrl, data: `${root}.data/redis` }, 'started redis-server (AOF on)');
}

const env = { REDIS_URL: redisUrl, HOST: '127.0.0.1' };
const supervisor = new Supervisor(log);
for (const [name, port] of Object.entries(ports)) {
  supervisor.start({ name, entry: `${root}services/${name}/dist/src/main.js`, env: { ...env, PORT: String(port) } });
}

const edge = await buildEdge({
  upstreams: {
    ingest: `http://127.0.0.1:${ports.ingest}`,
    history: `http://127.0.0.1:${ports.history}`,
    gateway: `http://127.0.0.1:${ports.gateway}`,
  },
  webRoot: `${root}services/web/dist`,
  log,
});

closeWithGrace({ delay: 15_000, logger: log }, async ({ signal }) => {
  log.info({ signal }, 'stopping ChitChat');
  // Ctrl-C reaches the services too; mark them as stopping first so none is restarted.
  const services = supervisor.stop();
  await edge.close();
  await services;
  if (ownRedis && ownRedis.exitCode === null) {
    ownRedis.kill('SIGTERM');
    await once(ownRedis, 'exit');
  }
});

await edge.listen({ port: edgePort, host: process.env.EDGE_HOST ?? '0.0.0.0' });
// Said once every service answers /readyz (meanwhile the edge answers 503 + Retry-After).
await Promise.all(Object.entries(ports).map(([name, port]) => untilReady(name, port)));
log.info(`ChitChat is running: open http://localhost:${edgePort}`);

/** Waits for a service's /readyz to answer 200 (it is a process starting up: nothing to subscribe to). */
async function untilReady(name: string, port: number): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (waited > 0 && waited % 10_000 === 0) log.warn({ service: name }, 'still waiting for the service to be ready');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
