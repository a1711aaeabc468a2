import { globalKeys, isPrivateRoom, roomKeys, userKeys, usernameKey, type IngestEntry, type MentionFrame } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

export interface Committed {
  seq: number;
  /** False when the entry had been handled before (a redelivered entry). */
  fresh: boolean;
  /** True when not stored because `after` (the room's previous entry) is not stored. */
  refused: boolean;
  /** Why an edit, delete or reaction was not applied (no longer allowed when its turn came). */
  rejected?: string;
}

/** Stores messages, and changes to them, in their room logs with the commit scripts. */
export class Committer {
  readonly #redis: Redis;
  readonly #message: LuaScript;
  readonly #event: LuaScript;
  readonly #storedIdTtl: number;
  readonly #maxReactions: number;

  constructor(redis: Redis, options: { storedIdTtlSeconds: number; maxReactions: number }) {
    this.#redis = redis;
    this.#storedIdTtl = options.storedIdTtlSeconds;
    this.#maxReactions = options.maxReactions;
    const scripts = loadLuaScripts(redis, import.meta.url, ['commit-message', 'commit-event']);
    this.#message = scripts['commit-message'];
    this.#event = scripts['commit-event'];
  }

  /**
   * Gives the entry the next seq of its room, appends it to the log and publishes it, once.
   * With `after` (the id of the room's previous entry in a pipelined batch), it is refused
   * unless that one is stored. `traceparent` (the commit's span) goes on the live event, so
   * each gateway's delivery joins the message's trace.
   */
  async commit(entry: IngestEntry, ts: number, after?: string, traceparent?: string): Promise<Committed> {
    const { room, id } = entry;
    const common = [roomKeys.seq(room), roomKeys.log(room), roomKeys.stored(room, id), roomKeys.meta(room), roomKeys.stored(room, after ?? id)];
    if (entry.kind === undefined) {
      const replyTo = entry.replyTo ?? '';
      const keys = [...common, roomKeys.ids(room), roomKeys.replies(room, Number(replyTo || 0))];
      const args = [room, id, entry.user, entry.text ?? '', ts, entry.clientMsgId ?? '', roomKeys.live(room), this.#storedIdTtl, after ? '1' : '0', entry.at, traceparent ?? '', replyTo, entry.mentions ?? '', entry.bot ?? '0'];
      const [seq, outcome] = (await this.#message(keys, args)) as [number, number];
      return { seq, fresh: outcome === 1, refused: outcome === 2 };
    }
    const target = entry.target ?? '';
    const keys = [...common, roomKeys.ids(room), roomKeys.state(room), roomKeys.stored(room, target)];
    const payload = entry.kind === 'edit' ? (entry.text ?? '') : (entry.emoji ?? '');
    const args = [room, id, entry.kind, entry.user, ts, target, payload, entry.admin ?? '0', after ? '1' : '0', entry.at, traceparent ?? '', roomKeys.live(room), this.#storedIdTtl, this.#maxReactions];
    const [seq, outcome, reason] = (await this.#event(keys, args)) as [number, number, string?];
    if (outcome === 3) return { seq: 0, fresh: false, refused: false, rejected: reason ?? 'refused' };
    return { seq, fresh: outcome === 1, refused: outcome === 2 };
  }

  /**
   * Tells each mentioned user (every connection, any gateway) about a stored message. Sent
   * again when an entry is redelivered: at least once, clients de-duplicate by room and seq.
   * Outside the commit script: a user's channel is in another Cluster slot than the room.
   */
  async notifyMentions(entry: IngestEntry, seq: number): Promise<void> {
    if (!entry.mentions || entry.kind !== undefined) return;
    const frame = JSON.stringify({ type: 'mention', room: entry.room, seq, messageId: entry.id, user: entry.user, text: entry.text ?? '' } satisfies MentionFrame);
    await Promise.all(entry.mentions.split(',').map((name) => this.#redis.spublish(userKeys.events(usernameKey(name)), frame)));
  }

  /** Records rooms' latest activity for the room list (outside the script: another slot). */
  async touchRooms(lastTs: ReadonlyMap<string, number>): Promise<void> {
    // Private rooms are never in the public list.
    const args = [...lastTs].filter(([room]) => !isPrivateRoom(room)).flatMap(([room, ts]) => [ts, room]);
    if (args.length === 0) return;
    await this.#redis.zadd(globalKeys.rooms, 'GT', ...args);
  }
}
