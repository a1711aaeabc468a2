import { isRoomVisible, roomKeys, usernameKey } from '@chitchat/contracts';
import { ApiError } from './errors.ts';
import { loadLuaScripts, type LuaScript } from './lua.ts';
import type { Redis } from './redis.ts';

/** Where a user stands in a room: what they may see and do there. */
export interface RoomStanding {
  /** A public room, or a private one the user is a member of. */
  visible: boolean;
  banned: boolean;
  /** Epoch ms until which the user may not post (0: not muted). */
  mutedUntil: number;
  /** May moderate the room: a global admin, or the room's own admin (a private room's creator). */
  admin: boolean;
}

/**
 * Who may see and do what in a room: private-room membership, bans, mutes and admins, read
 * in one round trip. Every service asks the same way, so a private room is invisible to a
 * non-member through every endpoint and frame alike.
 */
export class RoomAccess {
  readonly #globalAdmins: ReadonlySet<string>;

  /** `globalAdmins`: usernames that may moderate every room (`ADMIN_USERS`). */
  readonly #standing: LuaScript;

  constructor(redis: Redis, globalAdmins: readonly string[] = []) {
    this.#standing = loadLuaScripts(redis, import.meta.url, ['room-standing'])['room-standing'];
    this.#globalAdmins = new Set(globalAdmins.map(usernameKey));
  }

  async standing(room: string, username: string): Promise<RoomStanding> {
    const user = usernameKey(username);
    // One script call: an ioredis pipeline costs more CPU to build than the four commands.
    const keys = [roomKeys.banned(room), roomKeys.muted(room), roomKeys.admins(room), roomKeys.members(room)];
    const [banned, muted, roomAdmin, member] = (await this.#standing(keys, [user])) as [number, string | null, number, number];
    const visible = isRoomVisible(room, member === 1);
    return {
      visible,
      banned: banned === 1,
      mutedUntil: Number(muted ?? 0) > Date.now() ? Number(muted) : 0,
      admin: visible && (this.#globalAdmins.has(user) || roomAdmin === 1),
    };
  }

  /** Throws 404 `room_not_found` unless the user can see the room; returns the standing. */
  async see(room: string, username: string): Promise<RoomStanding> {
    const standing = await this.standing(room, username);
    if (!standing.visible) throw notFound(room);
    return standing;
  }

  /** Throws unless the user may post (or edit, or react) in the room now. */
  async post(room: string, username: string): Promise<RoomStanding> {
    const standing = await this.see(room, username);
    if (standing.banned) throw new ApiError('banned', `you are banned from '${room}'`);
    if (standing.mutedUntil > 0) throw new ApiError('muted', `you are muted in '${room}' until ${new Date(standing.mutedUntil).toISOString()}`);
    return standing;
  }

  /** Throws unless the user may moderate the room. */
  async moderate(room: string, username: string): Promise<RoomStanding> {
    const standing = await this.see(room, username);
    if (!standing.admin) throw new ApiError('forbidden', `only admins of '${room}' may do that`);
    return standing;
  }
}

/** The one answer for a private room one may not see, whether or not it exists. */
export function notFound(room: string): ApiError {
  return new ApiError('roomNotFound', `no room '${room}'`);
}
