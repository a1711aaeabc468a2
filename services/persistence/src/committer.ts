import { globalKeys, roomKeys, type IngestEntry } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

export interface Committed {
  seq: number;
  /** False when the message had been stored before (a redelivered entry). */
  fresh: boolean;
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

  /** Gives the message the next seq of its room, appends it to the log and publishes it, once. */
  async commit(entry: IngestEntry, ts: number): Promise<Committed> {
    const { room, id } = entry;
    const keys = [roomKeys.seq(room), roomKeys.log(room), roomKeys.stored(room, id), roomKeys.meta(room)];
    const args = [room, id, entry.user, entry.text, ts, entry.clientMsgId ?? '', roomKeys.live(room), this.#storedIdTtl];
    const [seq, fresh] = (await this.#commit(keys, args)) as [number, number];
    return { seq, fresh: fresh === 1 };
  }

  /** Records rooms' latest activity for the room list (outside the script: another slot). */
  async touchRooms(lastTs: ReadonlyMap<string, number>): Promise<void> {
    if (lastTs.size === 0) return;
    const args = [...lastTs].flatMap(([room, ts]) => [ts, room]);
    await this.#redis.zadd(globalKeys.rooms, 'GT', ...args);
  }
}
