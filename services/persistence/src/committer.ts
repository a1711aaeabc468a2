import { globalKeys, roomKeys, type IngestEntry } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

export interface Committed {
  seq: number;
  /** False when the message had been stored before (a redelivered entry). */
  fresh: boolean;
  /** True when not stored because `after` (the room's previous entry) is not stored. */
  refused: boolean;
}

/** Stores messages in their room logs with the commit script. */
export class Committer {
  readonly #redis: Redis;
  readonly #commit: LuaScript;
  readonly #storedIdTtl: number;

  constructor(redis: Redis, storedIdTtlSeconds: number) {
    this.#redis = redis;
    this.#storedIdTtl = storedIdTtlSeconds;
    this.#commit = loadLuaScripts(redis, import.meta.url, ['commit-message'])['commit-message'];
  }

  /**
   * Gives the message the next seq of its room, appends it to the log and publishes it,
   * once. With `after` (the id of the room's previous entry in a pipelined batch), it is
   * refused unless that one is stored. `traceparent` (the commit's span) goes on the live
   * event, so each gateway's delivery joins the message's trace.
   */
  async commit(entry: IngestEntry, ts: number, after?: string, traceparent?: string): Promise<Committed> {
    const { room, id } = entry;
    const keys = [roomKeys.seq(room), roomKeys.log(room), roomKeys.stored(room, id), roomKeys.meta(room), roomKeys.stored(room, after ?? id)];
    const args = [room, id, entry.user, entry.text, ts, entry.clientMsgId ?? '', roomKeys.live(room), this.#storedIdTtl, after ? '1' : '0', entry.at, traceparent ?? ''];
    const [seq, outcome] = (await this.#commit(keys, args)) as [number, number];
    return { seq, fresh: outcome === 1, refused: outcome === 2 };
  }

  /** Records rooms' latest activity for the room list (outside the script: another slot). */
  async touchRooms(lastTs: ReadonlyMap<string, number>): Promise<void> {
    if (lastTs.size === 0) return;
    const args = [...lastTs].flatMap(([room, ts]) => [ts, room]);
    await this.#redis.zadd(globalKeys.rooms, 'GT', ...args);
  }
}
