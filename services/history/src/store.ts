import {
  DEFAULT_ROOM,
  applyState,
  globalKeys,
  isEventEntry,
  isPrivateRoom,
  isRoomVisible,
  messageFromLogEntry,
  roomKeys,
  seqOfLogEntryId,
  userKeys,
  usernameKey,
  type HistoryPage,
  type Message,
  type RoomInfo,
  type RoomSummary,
} from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

type RawEntry = [id: string, fields: string[]];

/** A page as read from Redis (see `HistoryStore.read`). */
export interface PageRead {
  headSeq: number;
  /** The log's length, read with the head (latest pages only; else 0). */
  length: number;
  entries: RawEntry[];
  /** The state overlay of each entry's message, or null. */
  states: (string | null)[];
}

/** See `HistoryStore.latestHead`. */
export interface LatestHead {
  visible: boolean;
  headSeq: number;
  length: number;
}

export interface PageQuery {
  limit: number;
  before?: number | undefined;
  after?: number | undefined;
}

/** Reads room logs and the room list. Read-only: history never writes. */
export class HistoryStore {
  readonly #redis: Redis;
  readonly #pageHead: LuaScript;

  constructor(redis: Redis) {
    this.#redis = redis;
    this.#pageHead = loadLuaScripts(redis, import.meta.url, ['page-head'])['page-head'];
  }

  /**
   * A page of a room's messages in ascending seq: the newest `limit`, or the `limit` just
   * before `before`, or just after `after`, each in its current state (edits, deletes and
   * reactions from the room's state overlay: one HMGET, never a replay of the log). Event
   * entries are skipped; where they thin a page out, the next stretch of the log is read.
   */
  async page(room: string, query: PageQuery, viewer: string): Promise<HistoryPage> {
    return pageOf(room, await this.read(room, query), viewer);
  }

  /**
   * What `page` reads, before it is shaped for a viewer: the log entries of the page, their
   * states, and the head seq and log length read before them (for the latest page only:
   * what `LatestPages` keys a cached page by).
   */
  async read(room: string, { limit, before, after }: PageQuery): Promise<PageRead> {
    const log = roomKeys.log(room);
    const forward = after !== undefined;
    const latest = !forward && before === undefined;
    let cursor = forward ? `(${after}-0` : before !== undefined ? `(${before}-0` : '+';
    const read = (want: number): Promise<RawEntry[]> =>
      (forward ? this.#redis.xrange(log, cursor, '+', 'COUNT', want) : this.#redis.xrevrange(log, cursor, '-', 'COUNT', want));
    // The head (and length) with the first read, sent before it: all at once, no pipeline
    // object on this hot path.
    const [head, length, first] = await Promise.all([this.#redis.get(roomKeys.seq(room)), latest ? this.#redis.xlen(log) : 0, read(limit)]);
    const found: RawEntry[] = [];
    for (let round = 0, range = first; ; range = await read(limit - found.length)) {
      const want = limit - found.length;
      for (const entry of range) if (!isEventEntry(entry[1])) found.push(entry);
      const last = range.at(-1);
      if (!last || range.length < want || found.length >= limit || ++round >= MAX_ROUNDS) break;
      cursor = `(${last[0]}`;
    }
    const entries = forward ? found : found.reverse();
    return { headSeq: Number(head ?? 0), length, entries, states: await this.#states(room, entries) };
  }

  /**
   * Where `username` stands for the room's latest page, in one round trip: whether they may
   * see the room (as `RoomAccess.see` decides: a public room, or a private one they are a
   * member of), and the head seq and log length that a cached page must match.
   */
  async latestHead(room: string, username: string): Promise<LatestHead> {
    const keys = [roomKeys.members(room), roomKeys.seq(room), roomKeys.log(room)];
    const [member, head, length] = (await this.#pageHead(keys, [usernameKey(username)])) as [number, string | null, number];
    return { visible: isRoomVisible(room, member === 1), headSeq: Number(head ?? 0), length };
  }

  /** One message in its current state; undefined if the seq is not a message's. */
  async message(room: string, seq: number, viewer: string): Promise<Message | undefined> {
    const entries = (await this.#redis.xrange(roomKeys.log(room), `${seq}-0`, `${seq}-0`)) as RawEntry[];
    const entry = entries[0];
    if (!entry || isEventEntry(entry[1])) return undefined;
    return messagesOf(room, [entry], await this.#states(room, [entry]), viewer)[0];
  }

  /** The first `limit` replies to a message, ascending. */
  async replies(room: string, parent: number, limit: number, viewer: string): Promise<Message[]> {
    const seqs = await this.#redis.lrange(roomKeys.replies(room, parent), 0, limit - 1);
    if (seqs.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const seq of seqs) pipeline.xrange(roomKeys.log(room), `${seq}-0`, `${seq}-0`);
    const entries = (results(await pipeline.exec()) as RawEntry[][]).flatMap((range) => range.slice(0, 1));
    return messagesOf(room, entries, await this.#states(room, entries), viewer);
  }

  /** The state overlay of each log entry's message (null: unchanged since stored). */
  async #states(room: string, entries: readonly RawEntry[]): Promise<(string | null)[]> {
    if (entries.length === 0) return [];
    return this.#redis.hmget(roomKeys.state(room), ...entries.map(([id]) => String(seqOfLogEntryId(id))));
  }

  /** What the room is: public, or private with its title and members. */
  async info(room: string): Promise<RoomInfo> {
    if (!isPrivateRoom(room)) return { room, private: false };
    const [meta, members, admins] = results(
      await this.#redis.pipeline().hgetall(roomKeys.meta(room)).smembers(roomKeys.members(room)).smembers(roomKeys.admins(room)).exec(),
    ) as [Record<string, string>, string[], string[]];
    return { room, private: true, ...(meta.title ? { title: meta.title } : {}), members: members.sort(), admins: admins.sort() };
  }

  /**
   * Rooms by latest activity (plus `general`, which always exists), with who is online and,
   * for rooms `username` has joined, how many messages they have not read (headSeq minus
   * their read marker; their own messages count too).
   */
  async rooms(max: number, username: string): Promise<RoomSummary[]> {
    const user = usernameKey(username);
    const now = Date.now();
    // The global list and the user's keys are in different Cluster slots: one pipeline each,
    // in parallel (likewise one per room below).
    const [listed, [joined, reads, mine]] = await Promise.all([
      this.#redis.zrevrange(globalKeys.rooms, 0, max - 1),
      this.#redis
        .pipeline()
        .smembers(userKeys.rooms(user))
        .hgetall(userKeys.reads(user))
        .smembers(userKeys.privateRooms(user))
        .exec()
        .then((r) => results(r) as [string[], Record<string, string>, string[]]),
    ]);
    // Private rooms are never in the public list: only the caller's own are added.
    const names = listed.filter((room) => !isPrivateRoom(room));
    if (!names.includes(DEFAULT_ROOM)) names.push(DEFAULT_ROOM);
    names.push(...mine);
    const perRoom = await Promise.all(
      names.map(async (room) => {
        const pipeline = this.#redis.pipeline().get(roomKeys.seq(room)).hgetall(roomKeys.meta(room)).zrangebyscore(roomKeys.presence(room), `(${now}`, '+inf');
        if (isPrivateRoom(room)) pipeline.smembers(roomKeys.members(room));
        return results(await pipeline.exec());
      }),
    );
    const replies = perRoom.flat();
    const member = new Set(joined);
    const summaries: RoomSummary[] = [];
    let at = 0;
    for (const room of names) {
      const [head, meta, present] = replies.slice(at, at + 3) as [string | null, Record<string, string>, string[]];
      at += 3;
      const headSeq = Number(head ?? 0);
      const summary: RoomSummary = { room, headSeq, lastMessageAt: meta.lastMessageAt ? Number(meta.lastMessageAt) : null, online: usersOf(present).length, joined: member.has(room) };
      if (isPrivateRoom(room)) {
        const members = (replies[at++] as string[]).sort();
        // Left or banned since: no longer the caller's room.
        if (!members.includes(user)) continue;
        summary.private = true;
        if (meta.title) summary.title = meta.title;
        if (meta.dm) summary.members = members;
      }
      if (summary.joined) {
        summary.readSeq = Math.min(headSeq, Number(reads[room] ?? 0));
        summary.unread = headSeq - summary.readSeq;
      }
      summaries.push(summary);
    }
    return summaries;
  }

  /** The users subscribed to a room now, sorted, each once. */
  async presence(room: string): Promise<string[]> {
    return usersOf(await this.#redis.zrangebyscore(roomKeys.presence(room), `(${Date.now()}`, '+inf'));
  }
}

/** The page of a read, for a viewer (reactions say whether the viewer is among them). */
export function pageOf(room: string, read: PageRead, viewer: string): HistoryPage {
  return { room, messages: messagesOf(room, read.entries, read.states, viewer), headSeq: read.headSeq };
}

/** Messages of log entries with their states applied. */
function messagesOf(room: string, entries: readonly RawEntry[], states: readonly (string | null)[], viewer: string): Message[] {
  return entries.map(([id, fields], i) => applyState(messageFromLogEntry(room, id, fields), states[i], viewer));
}

/** The values of a pipeline's replies; throws the first error. */
function results(replies: [Error | null, unknown][] | null): unknown[] {
  return (replies ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** Reads of a page go on while event entries thin it out, up to this many round trips. */
const MAX_ROUNDS = 8;

/** Users of presence members (`<username>|<connection>`), sorted, each once. */
function usersOf(members: string[]): string[] {
  return [...new Set(members.map((m) => m.slice(0, m.indexOf('|'))))].sort();
}
