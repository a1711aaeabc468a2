import { fieldsToRecord, frameFromLogEntry, isEventEntry, roomKeys, seqOfLogEntryId, type MessageState } from '@chitchat/contracts';
import type { Redis } from '@chitchat/platform';

type RawEntry = [id: string, fields: string[]];

/** A log entry as a catch-up sends it: its seq and its serialized frame. */
export type LogFrame = [seq: number, frame: string];

/** Reads of a room's log for catch-up and gap filling, as the frames clients get. */
export class RoomLog {
  readonly #redis: Redis;
  readonly #page: number;
  /** Reads under way, by room and range. */
  readonly #reading = new Map<string, Promise<LogFrame[]>>();

  /** `page`: most entries read per step. */
  constructor(redis: Redis, page: number) {
    this.#redis = redis;
    this.#page = page;
  }

  /** The room's latest seq (0 if empty). */
  async head(room: string): Promise<number> {
    return Number((await this.#redis.get(roomKeys.seq(room))) ?? 0);
  }

  /** The oldest seq the room still keeps; Infinity when it keeps none. */
  async oldestSeq(room: string): Promise<number> {
    const [oldest] = (await this.#redis.xrange(roomKeys.log(room), '-', '+', 'COUNT', 1)) as RawEntry[];
    return oldest ? seqOfLogEntryId(oldest[0]) : Infinity;
  }

  /**
   * Up to a page of the log from `from` to `to` as frames (see `#read`). Identical reads at
   * the same time share one: when a room's subscribers reconnect together they resume from
   * the same seq up to the same head, and each used to read and serialize the same page.
   * The entries of a range never change; a shared read may show a message's state from a
   * moment earlier, exactly as if this caller had read then, and any later change is an
   * event further on in the log that it gets next.
   */
  frames(room: string, from: number, to: number): Promise<LogFrame[]> {
    const key = `${room} ${from} ${to}`;
    let read = this.#reading.get(key);
    if (!read) {
      read = this.#read(room, from, to).finally(() => this.#reading.delete(key));
      this.#reading.set(key, read);
    }
    return read;
  }

  /**
   * Up to a page of the log from `from` to `to` as frames: messages in their current state
   * (an edit or delete made while the client was away is already applied, and a deleted
   * text is never sent again, not even in an earlier edit's frame), events as their frames.
   * One HMGET of the room's state per page.
   */
  async #read(room: string, from: number, to: number): Promise<LogFrame[]> {
    const entries = (await this.#redis.xrange(roomKeys.log(room), `${from}-0`, `${to}-0`, 'COUNT', this.#page)) as RawEntry[];
    if (entries.length === 0) return [];
    // The state of each message of the page, and of each message an event of the page changes.
    const stateKey = (id: string, fields: string[]): string => (isEventEntry(fields) ? (fieldsToRecord(fields).target ?? '') : String(seqOfLogEntryId(id)));
    const keys = entries.map(([id, fields]) => stateKey(id, fields));
    const states = await this.#redis.hmget(roomKeys.state(room), ...new Set(keys));
    const stateOf = new Map([...new Set(keys)].map((key, i) => [key, states[i]]));
    return entries.map(([id, fields], i) => {
      const state = stateOf.get(keys[i] as string);
      const frame = frameFromLogEntry(room, id, fields, isEventEntry(fields) ? undefined : state);
      if (frame.type === 'edited' && isDeleted(state)) frame.text = '';
      return [seqOfLogEntryId(id), JSON.stringify(frame)];
    });
  }
}

function isDeleted(state: string | null | undefined): boolean {
  return state ? (JSON.parse(state) as MessageState).deleted === true : false;
}
