import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { PERSISTENCE_GROUP, globalKeys, partitionKeys, type IngestEntry } from '@chitchat/contracts';
import { MetricName, closeRedis, connectRedis, createRedis, gauge, loadLuaScripts, type Logger, type LuaScript, type Redis } from '@chitchat/platform';
import { Committer } from './committer.ts';
import type { PersistenceConfig } from './config.ts';
import { Failpoints } from './failpoints.ts';
import { PartitionConsumer } from './partition-consumer.ts';

interface Held {
  consumer: PartitionConsumer;
  reader: Redis;
  /** Local time until which the lease is surely ours (its TTL from the last renewal, less a margin). */
  validUntil: number;
}

/**
 * A persistence worker: takes leases on ingest partitions (a fair share of them, given the
 * live workers), runs a consumer for each, renews the leases while it lives, and hands them
 * back on shutdown. A worker that dies stops renewing; after the lease TTL another takes over.
 *
 * Emits `partitions` (the sorted list it now holds) whenever that changes.
 */
export class PersistenceWorker extends EventEmitter<{ partitions: [number[]] }> {
  readonly id: string;
  readonly #config: PersistenceConfig;
  readonly #redis: Redis;
  readonly #log: Logger;
  readonly #committer: Committer;
  readonly #failpoints: Failpoints;
  readonly #scripts: Record<'renew-lease' | 'release-lease', LuaScript>;
  readonly #held = new Map<number, Held>();
  readonly #abort = new AbortController();
  readonly #stopping = new Set<Promise<void>>();
  #loop: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #lastTickOk = false;
  /** What follows a stored message outside its commit (webhook and mention jobs); set by the app. */
  afterCommit: (entry: IngestEntry, seq: number, ts: number) => Promise<void> = async () => {};

  constructor(config: PersistenceConfig, redis: Redis, log: Logger) {
    super();
    this.id = config.WORKER_ID;
    this.#config = config;
    this.#redis = redis;
    this.#log = log.child({ module: 'worker', worker: this.id });
    this.#committer = new Committer(redis, { storedIdTtlSeconds: config.STORED_ID_TTL_SECONDS, maxReactions: config.MAX_REACTIONS });
    this.#failpoints = new Failpoints(config.FAILPOINT);
    this.#scripts = loadLuaScripts(redis, import.meta.url, ['renew-lease', 'release-lease']);
    const owned = gauge(MetricName.partitionsOwned, 'Ingest partitions whose lease this worker holds');
    this.on('partitions', (held) => owned.set(held.length));
    // Read on each scrape for the partitions this worker holds (XINFO GROUPS, Redis 7): one
    // read per partition serves both gauges of the same scrape.
    let snapshot: { at: number; info: Promise<Map<number, { lag: number; pending: number }>> } | undefined;
    const groupInfo = (): Promise<Map<number, { lag: number; pending: number }>> => {
      if (snapshot && Date.now() - snapshot.at < 1000) return snapshot.info;
      const info = (async () => {
        const out = new Map<number, { lag: number; pending: number }>();
        for (const p of this.partitions) {
          const groups = (await this.#redis.xinfo('GROUPS', partitionKeys.stream(p))) as (string | number | null)[][];
          const fields = groups.map((g) => Object.fromEntries(g.flatMap((v, i) => (i % 2 ? [] : [[String(v), g[i + 1]]])))).find((g) => g.name === PERSISTENCE_GROUP);
          out.set(p, { lag: Number(fields?.lag ?? 0), pending: Number(fields?.pending ?? 0) });
        }
        return out;
      })();
      snapshot = { at: Date.now(), info };
      return info;
    };
    for (const [name, help, pick] of [
      [MetricName.partitionLag, 'Entries of a held partition not yet read by the group', 'lag'],
      [MetricName.partitionPending, 'Entries of a held partition read but not yet acknowledged', 'pending'],
    ] as const) {
      gauge(name, help, async function () {
        this.reset();
        for (const [p, info] of await groupInfo()) this.set({ partition: String(p) }, info[pick]);
      }, ['partition']);
    }
  }

  /** Partitions this worker holds now. */
  get partitions(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /** True while the lease loop runs and its last round reached Redis. */
  get running(): boolean {
    return this.#loop !== undefined && !this.#abort.signal.aborted && this.#lastTickOk;
  }

  /** Messages stored by this worker so far. */
  get stored(): number {
    let n = 0;
    for (const { consumer } of this.#held.values()) n += consumer.stored;
    return n;
  }

  /** Takes the first leases, then keeps them renewed in the background. */
  async start(): Promise<void> {
    await this.#tick();
    this.#loop = this.#run();
  }

  /**
   * Stops consumers, returns leases and leaves the worker set; idempotent. Gives up after a
   * few seconds when Redis does not answer: the leases then simply expire.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      const steps = (async () => {
        await this.#loop;
        await Promise.all([...this.partitions.map((p) => this.#release(p)), ...this.#stopping]);
        await this.#redis.zrem(globalKeys.persistenceWorkers, this.id).catch(() => {});
      })();
      const gaveUp = delay(CLOSE_TIMEOUT_MS, undefined, { ref: false }).then(() => this.#log.warn('Redis did not answer; leaving leases to expire'));
      await Promise.race([steps, gaveUp]);
    })();
    return this.#closing;
  }

  async #run(): Promise<void> {
    const interval = Math.max(100, Math.floor(this.#config.LEASE_TTL_MS / 4));
    while (!this.#abort.signal.aborted) {
      await delay(interval, undefined, { signal: this.#abort.signal }).catch(() => {});
      if (this.#abort.signal.aborted) break;
      await this.#tick();
    }
  }

  /** One round: announce liveness, renew held leases, then take or give back to reach a fair share. */
  async #tick(): Promise<void> {
    const ttl = this.#config.LEASE_TTL_MS;
    const P = this.#config.INGEST_PARTITIONS;
    try {
      const now = Date.now();
      const [, , [, live]] = (await this.#redis
        .multi()
        .zadd(globalKeys.persistenceWorkers, now + ttl, this.id)
        .zremrangebyscore(globalKeys.persistenceWorkers, '-inf', now)
        .zcard(globalKeys.persistenceWorkers)
        .exec()) as [unknown, unknown, [Error | null, number]];
      for (const p of this.partitions) {
        const renewedAt = Date.now();
        const ok = await this.#scripts['renew-lease']([partitionKeys.lease(p)], [this.id, ttl]);
        const held = this.#held.get(p);
        if (ok === 1 && held) held.validUntil = renewedAt + ttl * 0.8;
        else void this.#drop(p, 'lease lost');
      }
      const share = Math.ceil(P / Math.max(1, live));
      while (this.#held.size > share) void this.#release(this.partitions.at(-1) as number);
      for (const p of rotate(P, this.id)) {
        if (this.#held.size >= share) break;
        if (this.#held.has(p)) continue;
        const takenAt = Date.now();
        if (await this.#redis.set(partitionKeys.lease(p), this.id, 'PX', ttl, 'NX')) await this.#take(p, takenAt + ttl * 0.8);
      }
      this.#lastTickOk = true;
    } catch (err) {
      this.#lastTickOk = false;
      this.#log.warn({ err }, 'lease round failed');
      for (const [p, held] of this.#held) if (held.validUntil < Date.now()) void this.#drop(p, 'lease expired while Redis was unreachable');
    }
  }

  async #take(p: number, validUntil: number): Promise<void> {
    // The blocking reader never queues or resends a read across a reconnect: a read sent
    // late could run after the lease passed to another worker (see PartitionConsumer).
    const reader = await connectRedis(
      createRedis({
        url: this.#config.REDIS_URL,
        name: `persistence-p${p}`,
        role: 'worker',
        log: this.#log,
        overrides: { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 },
      }),
    );
    const held: Held = { reader, validUntil, consumer: undefined as unknown as PartitionConsumer };
    held.consumer = new PartitionConsumer({
      partition: p,
      workerId: this.id,
      redis: this.#redis,
      reader,
      committer: this.#committer,
      batchSize: this.#config.BATCH_SIZE,
      maxAttempts: this.#config.MAX_ATTEMPTS,
      holdsLease: (marginMs = 0) => Date.now() + marginMs < held.validUntil,
      blockMs: Math.max(50, Math.min(1000, Math.floor(this.#config.LEASE_TTL_MS / 4))),
      failpoints: this.#failpoints,
      afterCommit: (entry, seq, ts) => this.afterCommit(entry, seq, ts),
      log: this.#log,
    });
    this.#held.set(p, held);
    held.consumer.start();
    this.#log.info({ partition: p }, 'partition taken');
    this.emit('partitions', this.partitions);
  }

  /**
   * Stops the partition's consumer (its lease is gone or going). The consumer is no longer
   * counted as held at once; its stop (at most one blocking read) is awaited by `settled`.
   */
  #drop(p: number, why: string): Promise<void> {
    const held = this.#held.get(p);
    if (!held) return Promise.resolve();
    this.#held.delete(p);
    held.validUntil = 0;
    this.#log.info({ partition: p, why }, 'partition dropped');
    this.emit('partitions', this.partitions);
    const stopped = held.consumer.stop().finally(() => closeRedis(held.reader));
    this.#stopping.add(stopped);
    void stopped.finally(() => this.#stopping.delete(stopped));
    return stopped;
  }

  /** Gives a partition back: the lease is deleted once its consumer has stopped, in the background. */
  #release(p: number): Promise<void> {
    return this.#drop(p, 'released').then(async () => {
      await this.#scripts['release-lease']([partitionKeys.lease(p)], [this.id]).catch(() => {});
    });
  }
}

const CLOSE_TIMEOUT_MS = 3000;

/** Partition numbers starting at a point that depends on the worker, so workers try different ones first. */
function rotate(P: number, id: string): number[] {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return Array.from({ length: P }, (_, i) => (h + i) % P);
}
