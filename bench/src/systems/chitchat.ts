import { randomUUID } from 'node:crypto';
import { PERSISTENCE_GROUP, partitionKeys, roomKeys } from '@chitchat/contracts';
import { DEVELOPMENT_SECRET, SessionStore, closeRedis, connectRedis, createLogger, createRedis, type Redis } from '@chitchat/platform';
import { startRedisProcess, type TestRedis } from '@chitchat/testing';
import { join } from 'node:path';
import { ChitChatSocket } from '../clients/chitchat.ts';
import { inBatches } from '../clock.ts';
import type { ClientState, Ledger, SenderUser } from '../traffic.ts';
import { startAll, startNode, type NodeProcess } from './process.ts';
import { commandStats, redisPid, repoRoot, type CommandCounters, type System, type SystemOptions, type SystemProcess } from './system.ts';

const PARTITIONS = 8;

/**
 * ChitChat as in production, on this machine (as tools/chaos does it): a redis-server with
 * AOF, and every service as its own process. Abuse limits are lifted (all load comes from
 * one address), and leases are short so the workers share the partitions within a second.
 */
export class ChitChatSystem implements System {
  readonly kind = 'chitchat';
  readonly socketServers: NodeProcess[] = [];
  readonly profiled: NodeProcess[] = [];
  readonly write = { origins: [] as string[], authorization: (_user: string, token: string): string => `Bearer ${token}` };
  readonly readOrigins: string[] = [];
  readonly #all: NodeProcess[] = [];
  #redis: TestRedis | undefined;
  #admin: Redis | undefined;
  #redisPid = 0;
  #sessions: SessionStore | undefined;

  static async start(o: SystemOptions): Promise<ChitChatSystem> {
    const system = new ChitChatSystem();
    try {
      await system.#start(o);
      return system;
    } catch (err) {
      await system.stop();
      throw err;
    }
  }

  async #start(o: SystemOptions): Promise<void> {
    this.#redis = await startRedisProcess();
    this.#admin = await connectRedis(createRedis({ url: this.#redis.url, name: 'bench-admin', role: 'worker', log: createLogger('bench', 'silent') }));
    this.#redisPid = await redisPid(this.#admin);
    this.#sessions = new SessionStore(this.#admin, { secret: DEVELOPMENT_SECRET });
    const env = {
      REDIS_URL: this.#redis.url,
      HOST: '127.0.0.1',
      LOG_LEVEL: o.logLevel,
      INGEST_PARTITIONS: String(PARTITIONS),
      LEASE_TTL_MS: '2000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000000',
      MAX_CONNECTIONS_PER_IP: '1000000',
      MAX_CONNECTIONS_PER_USER: '1000000',
      CLOSE_SPREAD_MS: '0',
    };
    const root = repoRoot();
    const { gateways, ingests, workers, histories } = o.topology;
    const plan: [service: string, count: number, inspect: boolean][] = [
      ['persistence', workers, o.inspect],
      ['gateway', gateways, o.inspect],
      ['ingest', ingests, o.inspect],
      ['history', histories, o.inspect],
    ];
    const started = await startAll(
      plan.flatMap(([service, count, inspect]) =>
        Array.from({ length: count }, (_, k) => () => startNode(`${service}-${k}`, join(root, 'services', service, 'dist/src/main.js'), { env, logDir: o.logDir, inspect })),
      ),
    );
    this.#all.push(...started);
    const of = (service: string): NodeProcess[] => started.filter((p) => p.name.startsWith(`${service}-`));
    const [w, g, i, h] = [of('persistence'), of('gateway'), of('ingest'), of('history')];
    this.socketServers.push(...g);
    this.profiled.push(...g, ...w, ...i, ...h);
    this.write.origins.push(...i.map((p) => `http://127.0.0.1:${p.port}`));
    this.readOrigins.push(...h.map((p) => `http://127.0.0.1:${p.port}`));
    if (workers > 0) await this.#balanced(workers);
  }

  /** Waits until every partition is leased and the workers hold equal shares. */
  async #balanced(workers: number): Promise<void> {
    const admin = this.#admin as Redis;
    let holders: (string | null)[] = [];
    const fair = async (): Promise<boolean> => {
      holders = await admin.mget(Array.from({ length: PARTITIONS }, (_, p) => partitionKeys.lease(p)));
      const counts = new Map<string, number>();
      for (const h of holders) if (h) counts.set(h, (counts.get(h) ?? 0) + 1);
      return holders.every((h) => h !== null) && counts.size === workers && Math.max(...counts.values()) <= Math.ceil(PARTITIONS / workers);
    };
    const deadline = Date.now() + 20_000;
    while (!(await fair())) {
      if (Date.now() > deadline) throw new Error(`persistence leases not balanced: ${JSON.stringify(holders)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async users(prefix: string, n: number): Promise<SenderUser[]> {
    const sessions = this.#sessions as SessionStore;
    const out: SenderUser[] = new Array<SenderUser>(n);
    await inBatches(
      Array.from({ length: n }, (_, i) => i),
      200,
      async (i) => {
        const name = `${prefix}${i}`;
        out[i] = { name, token: (await sessions.create(name)).token };
      },
    );
    return out;
  }

  socket(user: SenderUser, server: number, state: ClientState, ledger: Ledger): ChitChatSocket {
    const gw = this.socketServers[server % this.socketServers.length] as NodeProcess;
    return new ChitChatSocket({ url: `ws://127.0.0.1:${gw.port}/v1/ws`, user: user.name, token: user.token, state, ledger });
  }

  /** Writes a room log as persistence does: entry `<seq>-0` with id, user, text, ts; then the head seq. */
  async fill(room: string, count: number, text: (i: number) => string): Promise<void> {
    const admin = this.#admin as Redis;
    const ts = Date.now();
    for (let from = 1; from <= count; from += 1000) {
      const pipeline = admin.pipeline();
      for (let seq = from; seq < from + 1000 && seq <= count; seq++) {
        pipeline.xadd(roomKeys.log(room), `${seq}-0`, 'id', randomUUID(), 'user', `filler${seq % 100}`, 'text', text(seq), 'ts', String(ts));
      }
      await pipeline.exec();
    }
    await admin.set(roomKeys.seq(room), String(count));
  }

  processes(): SystemProcess[] {
    return [{ name: 'redis', pid: this.#redisPid }, ...this.#all.map((p) => ({ name: p.name, pid: p.child.pid ?? 0 }))].filter((p) => p.pid > 0);
  }

  pids(): number[] {
    return this.processes().map((p) => p.pid);
  }

  async redisCommands(): Promise<CommandCounters> {
    return commandStats(this.#admin as Redis);
  }

  /** Entries of the ingest partitions not yet read by persistence, plus those read but not acknowledged. */
  async storeBacklog(): Promise<number> {
    const admin = this.#admin as Redis;
    let n = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const groups = (await admin.xinfo('GROUPS', partitionKeys.stream(p)).catch(() => [])) as (string | number | null)[][];
      for (const g of groups) {
        const f = new Map<string, unknown>();
        for (let i = 0; i + 1 < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
        if (f.get('name') === PERSISTENCE_GROUP) n += Number(f.get('lag') ?? 0) + Number(f.get('pending') ?? 0);
      }
    }
    return n;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#all.map((p) => p.stop()));
    if (this.#admin) await closeRedis(this.#admin);
    await this.#redis?.stop();
  }
}
