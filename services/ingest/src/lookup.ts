import { fieldsToRecord, roomKeys, type MessageState } from '@chitchat/contracts';
import type { Redis } from '@chitchat/platform';

/** A stored message as an edit, delete, reaction or reply needs to know it. */
export interface StoredMessage {
  seq: number;
  author: string;
  /** Posted by a bot (its author name is the bot's, not a person's). */
  bot: boolean;
  state: MessageState;
}

type RawEntry = [id: string, fields: string[]];

/**
 * Finds stored messages so that a change can be refused at once with a clear error (not
 * yours, deleted, no such message). Persistence checks again when the change's turn comes,
 * so a race (a delete overtaking an edit) never applies a change that is no longer allowed.
 */
export class MessageLookup {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async byId(room: string, id: string): Promise<StoredMessage | undefined> {
    const [[, indexed], [, stored]] = (await this.#redis.pipeline().hget(roomKeys.ids(room), id).get(roomKeys.stored(room, id)).exec()) as [
      [null, string | null],
      [null, string | null],
    ];
    const seq = Number(indexed ?? stored ?? 0);
    return seq > 0 ? this.bySeq(room, seq) : undefined;
  }

  /** The message with this seq; undefined if there is none (or the seq is an event's). */
  async bySeq(room: string, seq: number): Promise<StoredMessage | undefined> {
    const [[, entries], [, state]] = (await this.#redis
      .pipeline()
      .xrange(roomKeys.log(room), `${seq}-0`, `${seq}-0`)
      .hget(roomKeys.state(room), String(seq))
      .exec()) as [[null, RawEntry[]], [null, string | null]];
    const entry = entries[0];
    if (!entry) return undefined;
    const fields = fieldsToRecord(entry[1]);
    if (fields.kind !== undefined) return undefined;
    return { seq, author: fields.user ?? '', bot: fields.bot === '1', state: state ? (JSON.parse(state) as MessageState) : {} };
  }
}
