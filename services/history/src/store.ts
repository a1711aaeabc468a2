import { DEFAULT_ROOM, globalKeys, messageFromLogEntry, roomKeys, type HistoryPage, type RoomSummary } from '@chitchat/contracts';
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

  /** Rooms by latest activity (plus `general`, which always exists). */
  async rooms(max: number): Promise<RoomSummary[]> {
    const names = await this.#redis.zrevrange(globalKeys.rooms, 0, max - 1);
    if (!names.includes(DEFAULT_ROOM)) names.push(DEFAULT_ROOM);
    const pipeline = this.#redis.pipeline();
    for (const room of names) pipeline.get(roomKeys.seq(room)).hget(roomKeys.meta(room), 'lastMessageAt');
    const replies = ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as string | null;
    });
    return names.map((room, i) => {
      const last = replies[2 * i + 1];
      return { room, headSeq: Number(replies[2 * i] ?? 0), lastMessageAt: last ? Number(last) : null, online: 0 };
    });
  }
}
