import { randomBytes } from 'node:crypto';
import { roomKeys, usernameKey, type TypingNoticeFrame } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

export interface PresenceOptions {
  /** A presence not refreshed for this long is gone (a killed gateway's users drop out). */
  ttlMs: number;
  /** At most one typing notice per user and room in this window. */
  typingThrottleMs: number;
}

/**
 * Who is in which room, in Redis, shared by every gateway: one sorted-set member per
 * connection (`<username>|<gateway>-<n>`) scored by its expiry, renewed while the connection
 * lives. A change to the list of users is published on the room's live channel as a
 * `presence` frame, by the same script that makes it, so every gateway sees changes in order.
 */
export class Presence {
  /** Distinguishes this gateway process's connections from every other's. */
  readonly gatewayId = randomBytes(4).toString('hex');
  readonly #scripts: Record<'presence' | 'typing', LuaScript>;
  readonly #o: PresenceOptions;
  #connections = 0;

  constructor(redis: Redis, options: PresenceOptions) {
    this.#scripts = loadLuaScripts(redis, import.meta.url, ['presence', 'typing']);
    this.#o = options;
  }

  /** A new presence member for a connection of `username`. */
  member(username: string): string {
    return `${username}|${this.gatewayId}-${++this.#connections}`;
  }

  /** Adds members to a room; returns its users. */
  join(room: string, members: string[]): Promise<string[]> {
    return this.#change('join', room, members);
  }

  leave(room: string, members: string[]): Promise<string[]> {
    return this.#change('leave', room, members);
  }

  /** Extends members' presence and drops expired ones of other gateways (returns [] when nothing changed). */
  refresh(room: string, members: string[]): Promise<string[]> {
    return this.#change('refresh', room, members);
  }

  /** Publishes a typing notice unless the user sent one in the room within the throttle window. */
  async typing(room: string, username: string): Promise<boolean> {
    const frame: TypingNoticeFrame = { type: 'typing', room, user: username };
    const sent = await this.#scripts.typing([roomKeys.typing(room, usernameKey(username))], [this.#o.typingThrottleMs, roomKeys.live(room), JSON.stringify(frame)]);
    return sent === 1;
  }

  async #change(op: 'join' | 'leave' | 'refresh', room: string, members: string[]): Promise<string[]> {
    const now = Date.now();
    return (await this.#scripts.presence([roomKeys.presence(room)], [op, now, now + this.#o.ttlMs, roomKeys.live(room), room, ...members])) as string[];
  }
}
