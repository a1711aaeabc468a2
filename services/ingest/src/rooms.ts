import { createHash, randomBytes } from 'node:crypto';
import { globalKeys, roomKeys, userKeys, usernameKey, type RoomFrame, type RoomInfo } from '@chitchat/contracts';
import { ApiError, type Redis } from '@chitchat/platform';

/**
 * Private rooms, direct messages and moderation state. A private room's name is random
 * (`priv-…`) and a DM's is derived from its pair (`dm-…`), so neither can be guessed into
 * existence by posting; membership lives in the room's slot, and each member's list of
 * private rooms in theirs.
 */
export class RoomAdmin {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async createPrivate(creator: string, title: string | undefined, members: string[]): Promise<RoomInfo> {
    const room = `priv-${randomBytes(15).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20).padEnd(20, '0')}`;
    const all = uniqueKeys([creator, ...members]);
    const meta: Record<string, string> = { private: '1', createdBy: usernameKey(creator), createdAt: String(Date.now()) };
    if (title !== undefined) meta.title = title;
    await this.#redis.multi().hset(roomKeys.meta(room), meta).sadd(roomKeys.members(room), ...all).sadd(roomKeys.admins(room), usernameKey(creator)).exec();
    await this.#redis.sadd(globalKeys.privateRooms, room);
    const info: RoomInfo = { room, private: true, ...(title !== undefined ? { title } : {}), members: all.sort(), admins: [usernameKey(creator)] };
    await this.#listFor(all, info);
    return info;
  }

  /** The DM room of two users: the same name whichever asks; created on first use. */
  async directMessage(me: string, other: string): Promise<RoomInfo> {
    if (usernameKey(me) === usernameKey(other)) throw new ApiError('invalidRequest', 'a direct message needs another user');
    const pair = uniqueKeys([me, other]).sort();
    const room = `dm-${createHash('sha256').update(pair.join('\n')).digest('hex').slice(0, 24)}`;
    const created = await this.#redis.hsetnx(roomKeys.meta(room), 'private', '1');
    if (created === 1) {
      await this.#redis.multi().hset(roomKeys.meta(room), { createdAt: String(Date.now()), dm: '1' }).sadd(roomKeys.members(room), ...pair).exec();
      await this.#redis.sadd(globalKeys.privateRooms, room);
    }
    const info: RoomInfo = { room, private: true, members: pair };
    // Only when new: the other member's connections learn of it once.
    if (created === 1) await this.#listFor(pair, info);
    return info;
  }

  async mute(room: string, user: string, seconds: number): Promise<number> {
    const until = Date.now() + seconds * 1000;
    await this.#redis.hset(roomKeys.muted(room), usernameKey(user), String(until));
    return until;
  }

  async unmute(room: string, user: string): Promise<void> {
    await this.#redis.hdel(roomKeys.muted(room), usernameKey(user));
  }

  /**
   * Bans a user: recorded, taken out of a private room's members, and announced on the
   * room's channel so every gateway ends the user's subscriptions to it at once.
   */
  async ban(room: string, user: string): Promise<void> {
    const key = usernameKey(user);
    await this.#redis
      .multi()
      .sadd(roomKeys.banned(room), key)
      .srem(roomKeys.members(room), key)
      .spublish(roomKeys.live(room), JSON.stringify({ type: 'banned', room, user: key }))
      .exec();
    await this.#redis.srem(userKeys.privateRooms(key), room);
  }

  async unban(room: string, user: string): Promise<void> {
    await this.#redis.srem(roomKeys.banned(room), usernameKey(user));
  }

  /** Lists the room among each member's private rooms and tells their open connections. */
  async #listFor(users: string[], info: RoomInfo): Promise<void> {
    const frame = JSON.stringify({ type: 'room', ...info } satisfies RoomFrame);
    // One pipeline per user: each user's keys are in their own Cluster slot.
    await Promise.all(users.map((user) => this.#redis.pipeline().sadd(userKeys.privateRooms(user), info.room).spublish(userKeys.events(user), frame).exec()));
  }
}

function uniqueKeys(names: string[]): string[] {
  return [...new Set(names.map(usernameKey))];
}
