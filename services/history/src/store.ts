import {
  DEFAULT_ROOM,
  globalKeys,
  messageFromLogEntry,
  roomKeys,
  userKeys,
  usernameKey,
  type HistoryPage,
  type RoomSummary,
} from '@chitchat/contracts';
import type { Redis } from '@chitchat/platform';

type RawEntry = [id: string, fields: string[]];

export interface PageQuery {
  limit: number;
  before?: number | undefined;
  after?: number | undefined;
}

/** Reads room logs and the room list. Read-only: history never writes. */
export class HistoryStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /**
   * A page of a room's messages in ascending seq: the newest `limit`, or the `limit` just
   * before `before`, or just after `after`. The head seq is read in the same round trip.
   */
  async page(room: string, { limit, before, after }: PageQuery): Promise<HistoryPage> {
    const log = roomKeys.log(room);
    const pipeline = this.#redis.pipeline().get(roomKeys.seq(room));
    if (after !== undefined) pipeline.xrange(log, `(${after}-0`, '+', 'COUNT', limit);
    else if (before !== undefined) pipeline.xrevrange(log, `(${before}-0`, '-', 'COUNT', limit);
    else pipeline.xrevrange(log, '+', '-', 'COUNT', limit);
    const [[headErr, head], [rangeErr, range]] = (await pipeline.exec()) as [[Error | null, string | null], [Error | null, RawEntry[]]];
    if (headErr) throw headErr;
    if (rangeErr) throw rangeErr;
    const entries = after !== undefined ? range : range.reverse();
    return { room, messages: entries.map(([id, fields]) => messageFromLogEntry(room, id, fields)), headSeq: Number(head ?? 0) };
  }

  /**
   * Rooms by latest activity (plus `general`, which always exists), with who is online and,
   * for rooms `username` has joined, how many messages they have not read (headSeq minus
   * their read marker; their own messages count too).
   */
  async rooms(max: number, username: string): Promise<RoomSummary[]> {
    const user = usernameKey(username);
    const now = Date.now();
    const [[, names], [, joined], [, reads]] = (await this.#redis
      .pipeline()
      .zrevrange(globalKeys.rooms, 0, max - 1)
      .smembers(userKeys.rooms(user))
      .hgetall(userKeys.reads(user))
      .exec()) as [[null, string[]], [null, string[]], [null, Record<string, string>]];
    if (!names.includes(DEFAULT_ROOM)) names.push(DEFAULT_ROOM);
    const pipeline = this.#redis.pipeline();
    for (const room of names) {
      pipeline.get(roomKeys.seq(room)).hget(roomKeys.meta(room), 'lastMessageAt').zrangebyscore(roomKeys.presence(room), `(${now}`, '+inf');
    }
    const replies = ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    const member = new Set(joined);
    return names.map((room, i) => {
      const [head, last, present] = replies.slice(3 * i, 3 * i + 3) as [string | null, string | null, string[]];
      const headSeq = Number(head ?? 0);
      const summary: RoomSummary = { room, headSeq, lastMessageAt: last ? Number(last) : null, online: usersOf(present).length, joined: member.has(room) };
      if (summary.joined) {
        summary.readSeq = Math.min(headSeq, Number(reads[room] ?? 0));
        summary.unread = headSeq - summary.readSeq;
      }
      return summary;
    });
  }

  /** The users subscribed to a room now, sorted, each once. */
  async presence(room: string): Promise<string[]> {
    return usersOf(await this.#redis.zrangebyscore(roomKeys.presence(room), `(${Date.now()}`, '+inf'));
  }
}

/** Users of presence members (`<username>|<connection>`), sorted, each once. */
function usersOf(members: string[]): string[] {
  return [...new Set(members.map((m) => m.slice(0, m.indexOf('|'))))].sort();
}
