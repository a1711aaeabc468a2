import { setTimeout as delay } from 'node:timers/promises';
import { PERSISTENCE_GROUP, fieldsToRecord, parseIngestEntry, partitionKeys, type IngestEntry } from '@chitchat/contracts';
import { MetricName, counter, endSpan, startSpanFrom, traceparentOf, withSpan, type Logger, type Redis, type Span } from '@chitchat/platform';
import type { Committed, Committer } from './committer.ts';
import type { Failpoints } from './failpoints.ts';

type RawEntry = [id: string, fields: string[]];

const storedTotal = counter(MetricName.stored, 'Messages stored in room logs (redeliveries not counted)');
const deadLettered = counter(MetricName.deadLettered, 'Entries moved to a dead-letter stream');

export interface PartitionConsumerOptions {
  partition: number;
  workerId: string;
  /** Non-blocking commands (commits, acks). */
  redis: Redis;
  /** This consumer's own connection for the blocking XREADGROUP. */
  reader: Redis;
  committer: Committer;
  batchSize: number;
  maxAttempts: number;
  /** False once the lease may have passed to another worker (or will within `marginMs`). */
  holdsLease: (marginMs?: number) => boolean;
  /** How long one XREADGROUP blocks. */
  blockMs: number;
  failpoints: Failpoints;
  /** Runs for each stored message (also a redelivered one) before it is acknowledged. */
  afterCommit: (entry: IngestEntry, seq: number, ts: number) => Promise<void>;
  log: Logger;
}

/**
 * Moves one ingest partition into the room logs, in order, while this worker holds the
 * partition's lease. It first finishes the entries its predecessor read but did not
 * acknowledge (oldest first), then reads new ones. An entry is acknowledged only after its
 * commit; a redelivered entry is recognised by the commit script and not stored twice.
 */
export class PartitionConsumer {
  readonly partition: number;
  readonly #o: PartitionConsumerOptions;
  readonly #stream: string;
  readonly #abort = new AbortController();
  #done: Promise<void> | undefined;
  #stored = 0;
  #trimmedAt = 0;

  constructor(options: PartitionConsumerOptions) {
    this.#o = options;
    this.partition = options.partition;
    this.#stream = partitionKeys.stream(options.partition);
  }

  /** Messages this consumer stored (not counting redeliveries). */
  get stored(): number {
    return this.#stored;
  }

  start(): void {
    this.#done ??= this.#run().catch((err: unknown) => {
      if (!this.#abort.signal.aborted) this.#o.log.error({ err, partition: this.partition }, 'partition consumer stopped');
    });
  }

  /** Stops after the batch in hand (a blocking read in progress is cut short); idempotent. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#o.reader.disconnect();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { redis, log } = this.#o;
    const signal = this.#abort.signal;
    let backoff = 100;
    let grouped = false;
    let drainedAt = 0;
    while (!signal.aborted) {
      try {
        if (!grouped) {
          await redis.xgroup('CREATE', this.#stream, PERSISTENCE_GROUP, '0', 'MKSTREAM').catch((err: Error) => {
            if (!err.message.includes('BUSYGROUP')) throw err;
          });
          grouped = true;
        }
        // Pending entries go first: at the start, after any failure, and every few seconds
        // as a safety net (an entry read by a consumer that lost its lease mid-read).
        if (Date.now() - drainedAt > DRAIN_EVERY_MS) {
          await this.#drainPending();
          drainedAt = Date.now();
        }
        const batch = await this.#readNew();
        if (batch.length > 0) await this.#process(batch);
        backoff = 100;
      } catch (err) {
        if (signal.aborted) break;
        log.warn({ err, partition: this.partition }, 'partition batch failed; retrying');
        drainedAt = 0;
        await delay(backoff, undefined, { signal }).catch(() => {});
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  /** Claims and processes every pending entry of the group (a dead predecessor's), in order. */
  async #drainPending(): Promise<void> {
    const { redis, workerId, batchSize } = this.#o;
    let cursor = '0-0';
    do {
      const [next, entries, deleted] = (await redis.xautoclaim(this.#stream, PERSISTENCE_GROUP, workerId, 0, cursor, 'COUNT', batchSize)) as [string, (RawEntry | null)[], string[]];
      if (deleted.length > 0) await redis.xack(this.#stream, PERSISTENCE_GROUP, ...deleted);
      const live = entries.filter((e): e is RawEntry => e !== null);
      if (live.length > 0) await this.#process(live);
      cursor = next;
    } while (cursor !== '0-0' && !this.#abort.signal.aborted);
  }

  /**
   * Reads new entries, blocking a little. It reads only while the lease is surely held for
   * longer than the read can take, on a connection that neither queues nor resends commands
   * across a reconnect, so a read never runs after the lease may have passed to another.
   */
  async #readNew(): Promise<RawEntry[]> {
    const { reader, workerId, batchSize, blockMs } = this.#o;
    if (!this.#o.holdsLease(blockMs + 100)) throw new Error(`lease of partition ${this.partition} may be lost`);
    const reply = (await reader.xreadgroup('GROUP', PERSISTENCE_GROUP, workerId, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', this.#stream, '>')) as
      | [string, RawEntry[]][]
      | null;
    return reply?.[0]?.[1] ?? [];
  }

  /**
   * Commits a batch in order, then acknowledges it. Throws to have the batch retried.
   *
   * The commits are pipelined (commands on one connection run in the order sent). Each
   * names its room's previous entry in the batch, and the script refuses it unless that one
   * is stored, so a failed commit is never overtaken by a later message of its room.
   */
  async #process(batch: RawEntry[]): Promise<void> {
    const { redis, committer } = this.#o;
    if (batch.length === 0) return;
    if (!this.#o.holdsLease(0)) throw new Error(`lease of partition ${this.partition} may be lost`);
    const parsed = batch.map(([id, fields]) => ({ id, fields, entry: parseIngestEntry(fieldsToRecord(fields)) }));
    const ts = Date.now();
    this.#o.failpoints.read(batch.length);
    const previous = new Map<string, string>();
    // One span per message, child of the request that accepted it (tracing on only).
    const spans: (Span | undefined)[] = [];
    const results = await Promise.allSettled(
      parsed.map(({ entry }, i) => {
        if (typeof entry === 'string') return Promise.resolve(null);
        const after = previous.get(entry.room);
        previous.set(entry.room, entry.id);
        const span = (spans[i] = startSpanFrom('chat.store', entry.traceparent, { 'chitchat.room': entry.room, 'chitchat.message_id': entry.id, 'chitchat.partition': this.partition }));
        return withSpan(span, () => committer.commit(entry, ts, after, traceparentOf(span)));
      }),
    );
    results.forEach((result, i) => {
      const span = spans[i];
      if (result.status === 'fulfilled' && result.value) span?.setAttributes({ 'chitchat.seq': result.value.seq, 'chitchat.redelivered': !result.value.fresh });
      endSpan(span, result.status === 'rejected' ? result.reason : result.value?.refused ? 'refused: previous entry not stored' : undefined);
    });
    this.#o.failpoints.hit('crash-after-commit');
    const acked: string[] = [];
    const lastTs = new Map<string, number>();
    const settle = async (): Promise<void> => {
      if (acked.length > 0) await redis.xack(this.#stream, PERSISTENCE_GROUP, ...acked);
      await committer.touchRooms(lastTs);
    };
    for (let i = 0; i < parsed.length; i++) {
      const { id, fields, entry } = parsed[i] as (typeof parsed)[number];
      const result = results[i] as PromiseSettledResult<Committed | null>;
      if (typeof entry === 'string') {
        await this.#deadLetter(id, fields, `invalid entry: ${entry}`);
        continue;
      }
      if (result.status === 'rejected' || result.value?.refused) {
        await settle();
        if (result.status === 'rejected') await this.#failed(id, fields, result.reason);
        else throw new Error(`entry ${id} was refused: its room's previous entry is not stored`);
        // Dead-lettered: the rest of the batch is committed again (stored ones are recognised).
        return this.#process(batch.slice(i + 1));
      }
      const committed = result.value;
      if (committed?.rejected !== undefined) {
        // An edit, delete or reaction no longer allowed when its turn came (e.g. the message
        // was deleted meanwhile): handled, acknowledged, nothing stored.
        this.#o.log.info({ partition: this.partition, entry: id, room: entry.room, kind: entry.kind, reason: committed.rejected }, 'change not applied');
      } else if (committed?.fresh) {
        this.#stored++;
        storedTotal.inc();
      }
      if (committed && committed.seq > 0) {
        // Before the ack: a crash here redelivers the entry, and these run again (their
        // job ids make that harmless).
        await this.#o.committer.notifyMentions(entry, committed.seq);
        // In the message's trace: the jobs it enqueues (webhooks, mentions) are its children.
        await withSpan(spans[i], () => this.#o.afterCommit(entry, committed.seq, ts));
      }
      lastTs.set(entry.room, ts);
      acked.push(id);
    }
    await settle();
    await this.#trim(batch.at(-1)?.[0]);
  }

  /** Counts a failed try; dead-letters the entry after `maxAttempts`, otherwise throws to retry. */
  async #failed(id: string, fields: string[], reason: unknown): Promise<void> {
    const { redis, maxAttempts, log } = this.#o;
    const message = reason instanceof Error ? reason.message : String(reason);
    if (!isScriptError(message)) throw reason;
    const attempts = await redis.hincrby(partitionKeys.attempts(this.partition), id, 1);
    log.warn({ partition: this.partition, entry: id, attempts, error: message }, 'commit failed');
    if (attempts < maxAttempts) throw reason;
    await this.#deadLetter(id, fields, message, attempts);
  }

  /** Moves an entry to the dead-letter stream with its error and acknowledges it, atomically. */
  async #deadLetter(id: string, fields: string[], error: string, attempts = 1): Promise<void> {
    const p = this.partition;
    this.#o.log.error({ partition: p, entry: id, error }, 'entry dead-lettered');
    deadLettered.inc();
    await this.#o.redis
      .multi()
      .xadd(partitionKeys.deadLetter(p), '*', 'entryId', id, 'error', error, 'attempts', String(attempts), 'failedAt', String(Date.now()), ...fields)
      .xack(this.#stream, PERSISTENCE_GROUP, id)
      .hdel(partitionKeys.attempts(p), id)
      .exec();
  }

  /**
   * Drops acknowledged entries from the partition stream. Entries still pending (for any
   * consumer) are kept: the trim point is the oldest pending entry, if there is one.
   */
  /** Trims at most once a second: XPENDING + XTRIM after every batch would double its round trips. */
  async #trim(lastId: string | undefined): Promise<void> {
    if (!lastId || Date.now() - this.#trimmedAt < TRIM_EVERY_MS) return;
    this.#trimmedAt = Date.now();
    await trimAcknowledged(this.#o.redis, this.#stream, lastId);
  }
}

/**
 * Drops entries up to `lastId` from a partition stream, but never one still pending in the
 * group: Redis 7.0 silently drops trimmed entries from the pending list (redis#10756), which
 * would lose a message a crashed consumer had read. The trim point is the oldest pending
 * entry when there is one.
 */
export async function trimAcknowledged(redis: Redis, stream: string, lastId: string): Promise<void> {
  const [count, oldest] = (await redis.xpending(stream, PERSISTENCE_GROUP)) as [number, string | null];
  const after = nextId(lastId);
  const minId = count > 0 && oldest && compareIds(oldest, after) < 0 ? oldest : after;
  await redis.xtrim(stream, 'MINID', '~', minId);
}

/**
 * A problem with the entry's data (it would fail again): counted towards dead-lettering.
 * Redis's passing states (out of memory under noeviction, read-only replica, loading,
 * failover, a busy script) and lost connections are retried without counting: the message
 * was accepted and must be stored once Redis is able.
 */
function isScriptError(message: string): boolean {
  if (/^(OOM|READONLY|MISCONF|LOADING|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|BUSY|NOSCRIPT|MOVED|ASK)\b/.test(message)) return false;
  if (/Connection|ECONN|closed|writeable|max retries/i.test(message)) return false;
  return /^(ERR|WRONGTYPE)\b/.test(message) || /user_script/.test(message);
}

const DRAIN_EVERY_MS = 5000;
const TRIM_EVERY_MS = 1000;

/** Orders stream IDs (`<ms>-<seq>`) numerically. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq) + 1}`;
}
