import { roomKeys, userKeys, usernameKey } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

/**
 * Read markers: per user and room, the highest seq read. Shared by all the user's devices
 * (each gets a `read` frame when it moves), never moving backwards, never past the head.
 */
export class ReadMarkers {
  readonly #redis: Redis;
  readonly #set: LuaScript;

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

  /** Records that the user joined the room (by posting in it). */
  async joined(username: string, room: string): Promise<void> {
    await this.#redis.sadd(userKeys.rooms(usernameKey(username)), room);
  }
}
