import { existsSync } from 'node:fs';
import { Cluster as ClusterClient } from 'ioredis';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVELOPMENT_SECRET, SessionStore, connectRedis, createLogger, createRedis, closeRedis, type Redis } from '@chitchat/platform';
import { startRedisCluster, startRedisProcess, startServiceProcess, type ServiceProcess, type TestRedis } from '@chitchat/testing';

/** The repository root: the nearest folder above with the workspace's package-lock.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package-lock.json'))) dir = dirname(dir);
  return `${dir}/`;
}

const root = repoRoot();
const entry = (service: string): string => `${root}services/${service}/dist/src/main.js`;

export interface ClusterOptions {
  gateways?: number;
  workers?: number;
  /** Environment for every service (e.g. `LEASE_TTL_MS`). */
  env?: Record<string, string>;
  /** Run on a local Redis Cluster instead of one redis-server (default: `TEST_REDIS_CLUSTER=1`). */
  redisCluster?: boolean;
  /** Environment for one worker by index (e.g. a `FAILPOINT`). */
  workerEnv?: (index: number) => Record<string, string>;
}

/**
 * ChitChat as in production, on this machine: a `redis-server` with AOF, and every service
 * as its own process (N gateways, M persistence workers), each of which can be killed,
 * restarted, or have its Redis restarted under it.
 */
export class Cluster {
  redis!: TestRedis;
  ingest!: ServiceProcess;
  history!: ServiceProcess;
  readonly gateways: (ServiceProcess | undefined)[] = [];
  readonly workers: (ServiceProcess | undefined)[] = [];
  /** A connection for the test's own checks. */
  admin!: Redis;
  readonly #o: Required<ClusterOptions>;
  #env: Record<string, string> = {};

  constructor(options: ClusterOptions = {}) {
    this.#o = { gateways: 2, workers: 2, env: {}, workerEnv: () => ({}), redisCluster: process.env.TEST_REDIS_CLUSTER === '1', ...options };
  }

  /** Starts everything; if any part fails to start, stops what did and throws. */
  async start(): Promise<this> {
    try {
      return await this.#start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async #start(): Promise<this> {
    // TEST_REDIS_CLUSTER=1: the same, on a local Redis Cluster (3 masters, 3 replicas).
    this.redis = this.#o.redisCluster ? await startRedisCluster() : await startRedisProcess();
    // Load comes from one address and few users here: the abuse limits would only get in the way.
    this.#env = {
      REDIS_URL: this.redis.url,
      HOST: '127.0.0.1',
      LEASE_TTL_MS: '1000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      MAX_CONNECTIONS_PER_IP: '100000',
      ...this.#o.env,
    };
    this.admin = await connectRedis(createRedis({ url: this.redis.url, name: 'chaos-admin', role: 'worker', log: createLogger('chaos', 'silent') }));
    // Workers start one after another so that the first holds every partition at first.
    for (let i = 0; i < this.#o.workers; i++) await this.startWorker(i);
    const [ingest, history] = await Promise.all([
      startServiceProcess('ingest', entry('ingest'), this.#env),
      startServiceProcess('history', entry('history'), this.#env),
      ...Array.from({ length: this.#o.gateways }, (_, i) => this.startGateway(i)),
    ]);
    this.ingest = ingest;
    this.history = history;
    return this;
  }

  /** Base URL of ingest (writes). */
  get ingestUrl(): string {
    return `http://127.0.0.1:${this.ingest.port}`;
  }

  get historyUrl(): string {
    return `http://127.0.0.1:${this.history.port}`;
  }

  /** WebSocket URLs of the gateways that are running now. */
  gatewayUrls(): string[] {
    return this.gateways.filter((g): g is ServiceProcess => g !== undefined && isRunning(g)).map((g) => `ws://127.0.0.1:${g.port}/v1/ws`);
  }

  async startWorker(i: number): Promise<ServiceProcess> {
    const worker = await startServiceProcess(`persistence-${i}`, entry('persistence'), { ...this.#env, ...this.#o.workerEnv(i) });
    this.workers[i] = worker;
    return worker;
  }

  async startGateway(i: number): Promise<ServiceProcess> {
    const gateway = await startServiceProcess(`gateway-${i}`, entry('gateway'), this.#env);
    this.gateways[i] = gateway;
    return gateway;
  }

  /** A session token, made directly in Redis. */
  async token(username: string): Promise<string> {
    return (await new SessionStore(this.admin, { secret: DEVELOPMENT_SECRET }).create(username)).token;
  }

  /** Every message of a room, from the history service. */
  async historyOf(room: string, token: string): Promise<{ id: string; seq: number; user: string; text: string }[]> {
    const all: { id: string; seq: number; user: string; text: string }[] = [];
    for (let after = 0; ; ) {
      const res = await fetch(`${this.historyUrl}/v1/rooms/${room}/messages?after=${after}&limit=200`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`history of ${room}: ${res.status} ${await res.text()}`);
      const page = (await res.json()) as { messages: { id: string; seq: number; user: string; text: string }[] };
      if (page.messages.length === 0) return all;
      all.push(...page.messages);
      after = page.messages.at(-1)?.seq ?? after;
    }
  }

  /** Runs a server command (CLIENT KILL, …) on every Redis server (each master and replica of a Cluster). */
  async onEveryServer(...args: (string | number)[]): Promise<void> {
    const servers = this.admin instanceof ClusterClient ? this.admin.nodes('all') : [this.admin];
    await Promise.all(servers.map((server) => server.call(String(args[0]), ...args.slice(1))));
  }

  async stop(): Promise<void> {
    const all = [this.ingest, this.history, ...this.gateways, ...this.workers].filter((p): p is ServiceProcess => p !== undefined);
    await Promise.all(all.map((p) => p.kill('SIGTERM')));
    if (this.admin) await closeRedis(this.admin);
    await this.redis?.stop();
  }
}

export function isRunning(p: ServiceProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}
