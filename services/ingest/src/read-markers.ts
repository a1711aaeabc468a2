import { roomKeys, userKeys, usernameKey } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

const JOINED_FORGET_MS = 10 * 60_000;
const JOINED_MAX = 100_000;

/**
 * Read markers: per user and room, the highest seq read. Shared by all the user's devices
 * (each gets a `read` frame when it moves), never moving backwards, never past the head.
 */
export class ReadMarkers {
  readonly #redis: Redis;
  readonly #set: LuaScript;
  readonly #joined = new Set<string>();
  #joinedSince = Date.now();

  constructor(redis: Redis) {
    this.#redis = redis;
    this.#set = loadLuaScripts(redis, import.meta.url, ['set-read-marker'])['set-read-marker'];
  }

  /** Moves the marker to `seq` (clamped to the room's head) unless it is already further; returns it. */
  async mark(username: string, room: string, seq: number): Promise<number> {
    // The head only grows, so clamping to a head read just before is safe.
    const head = Number((await this.#redis.get(roomKeys.seq(room))) ?? 0);
    const user = usernameKey(username);
    return (await this.#set([userKeys.reads(user), userKeys.rooms(user)], [room, Math.min(seq, head), userKeys.events(user)])) as number;
  }

  /**
   * Records that the user joined the room (by posting in it). A user's room set only ever
   * grows, so a pair recorded by this process lately is not sent again: one command less on
   * nearly every POST. The memory is forgotten every JOINED_FORGET_MS (and when it grows
   * large), so a Redis that lost the set is repaired by the next post after that.
   */
  async joined(username: string, room: string): Promise<void> {
    const user = usernameKey(username);
    const pair = `${user}\n${room}`;
    const now = Date.now();
    if (now - this.#joinedSince > JOINED_FORGET_MS || this.#joined.size >= JOINED_MAX) {
      this.#joined.clear();
      this.#joinedSince = now;
    }
    if (this.#joined.has(pair)) return;
    await this.#redis.sadd(userKeys.rooms(user), room);
    this.#joined.add(pair);
  }
}
