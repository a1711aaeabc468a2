import { globalKeys, isEventEntry, fieldsToRecord, retentionOf, roomKeys, seqOfLogEntryId, type Retention } from '@chitchat/contracts';
import type { Logger, Redis } from '@chitchat/platform';
import { Cluster } from 'ioredis';

type RawEntry = [id: string, fields: string[]];


export interface HousekeepingResult {
  rooms: number;
  trimmed: number;
  presence: number;
  claims: number;
}

/**
 * The repeatable housekeeping job: trims every room's log to its retention limits (the
 * room's own, or the defaults), with what the log's entries left behind (their state, id
 * and replies records); drops expired presence entries; and frees username claims whose
 * session is gone. Idempotent: a run cut short is finished by the next.
 */
export class Housekeeping {
  readonly #redis: Redis;
  readonly #defaults: Retention;
  readonly #log: Logger;

  constructor(redis: Redis, defaults: Retention, log: Logger) {
    this.#redis = redis;
    this.#defaults = defaults;
    this.#log = log;
  }

  async run(): Promise<HousekeepingResult> {
    const [publicRooms, privateRooms] = await Promise.all([this.#redis.zrange(globalKeys.rooms, '0', '-1'), this.#redis.smembers(globalKeys.privateRooms)]);
    const rooms = [...publicRooms, ...privateRooms];
    let trimmed = 0;
    let presence = 0;
    for (const room of rooms) {
      trimmed += await this.trimRoom(room);
      presence += await this.#redis.zremrangebyscore(roomKeys.presence(room), '-inf', String(Date.now()));
    }
    const claims = await this.#staleClaims();
    const result = { rooms: rooms.length, trimmed, presence, claims };
    if (trimmed + presence + claims > 0) this.#log.info(result, 'housekeeping');
    return result;
  }

  /** Trims one room to its limits; returns how many log entries went. */
  async trimRoom(room: string): Promise<number> {
    const { maxMessages, maxAgeSeconds: maxAge } = retentionOf(await this.#redis.hgetall(roomKeys.retention(room)), this.#defaults);
    const log = roomKeys.log(room);
    let removed: RawEntry[] = [];
    if (maxMessages > 0) {
      const excess = (await this.#redis.xlen(log)) - maxMessages;
      if (excess > 0) removed = (await this.#redis.xrange(log, '-', '+', 'COUNT', Math.min(excess, BATCH)));
    }
    if (maxAge > 0) {
      // Seqs grow with time: the entries older than the cutoff are a prefix of the log.
      const cutoff = Date.now() - maxAge * 1000;
      const from = removed.at(-1);
      const more = (await this.#redis.xrange(log, from ? `(${from[0]}` : '-', '+', 'COUNT', BATCH)) as RawEntry[];
      for (const entry of more) {
        if (Number(fieldsToRecord(entry[1]).ts) >= cutoff) break;
        removed.push(entry);
      }
    }
    const last = removed.at(-1);
    if (!last) return 0;
    const messages = removed.filter(([, fields]) => !isEventEntry(fields));
    const pipeline = this.#redis.pipeline();
    if (messages.length > 0) {
      pipeline.hdel(roomKeys.state(room), ...messages.map(([id]) => String(seqOfLogEntryId(id))));
      pipeline.hdel(roomKeys.ids(room), ...messages.map(([, fields]) => fieldsToRecord(fields).id ?? ''));
      pipeline.del(...messages.map(([id]) => roomKeys.replies(room, seqOfLogEntryId(id))));
    }
    // Exact, not `~`: the room keeps exactly what its limits say.
    pipeline.xtrim(log, 'MINID', `${seqOfLogEntryId(last[0]) + 1}-0`);
    const replies = await pipeline.exec();
    for (const [err] of replies ?? []) if (err) throw err;
    return removed.length;
  }

  /** Username claims whose session key is gone (a session must hold its claim). */
  async #staleClaims(): Promise<number> {
    let freed = 0;
    // SCAN walks one server: on a Redis Cluster, each master in turn.
    for (const node of this.#redis instanceof Cluster ? this.#redis.nodes('master') : [this.#redis]) freed += await this.#staleClaimsOn(node);
    return freed;
  }

  async #staleClaimsOn(node: Redis): Promise<number> {
    let freed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', '{user:*}:claim', 'COUNT', 500);
      cursor = next;
      for (const claim of keys) {
        const sid = await this.#redis.get(claim);
        if (sid === null) continue;
        const session = claim.replace(/:claim$/, `:session:${sid}`);
        // Deleted only if it still names that session (a new session may have claimed it since).
        if ((await this.#redis.exists(session)) === 0) freed += Number(await this.#redis.eval(DEL_IF_EQUAL, 1, claim, sid));
      }
    } while (cursor !== '0');
    return freed;
  }
}

/** At most this many entries of one room are trimmed per run; the next run does the rest. */
const BATCH = 10_000;
const DEL_IF_EQUAL = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
