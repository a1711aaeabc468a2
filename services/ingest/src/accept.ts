import { randomUUID } from 'node:crypto';
import { partitionKeys, partitionOf, usernameKey, type EventKind, type IngestEntry } from '@chitchat/contracts';
import { currentTraceparent, loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

export interface AcceptInput {
  room: string;
  user: string;
  text: string;
  clientMsgId?: string | undefined;
  replyTo?: number | undefined;
  /** Users the text mentions (who are to be told). */
  mentions?: string[] | undefined;
  /** Posted by this bot of the room (its id). */
  bot?: string | undefined;
}

/** A change to a stored message. */
export interface EventInput {
  room: string;
  user: string;
  kind: EventKind;
  /** Id of the message changed. */
  target: string;
  text?: string;
  emoji?: string;
  /** The user deletes as an admin (someone else's message). */
  admin?: boolean;
}

export interface Accepted {
  id: string;
  /** False when the clientMsgId was seen before and the earlier id is returned. */
  fresh: boolean;
}

/**
 * Appends accepted messages to the ingest partition of their room. Once `accept` resolves
 * the message is in Redis: persistence will store it, however often anything crashes.
 */
export class MessageAcceptor {
  readonly #redis: Redis;
  readonly #partitions: number;
  readonly #idempotencyTtl: number;
  readonly #accept: LuaScript;

  constructor(redis: Redis, options: { partitions: number; idempotencyTtlSeconds: number }) {
    this.#redis = redis;
    this.#partitions = options.partitions;
    this.#idempotencyTtl = options.idempotencyTtlSeconds;
    this.#accept = loadLuaScripts(redis, import.meta.url, ['accept-message'])['accept-message'];
  }

  async accept({ room, user, text, clientMsgId, replyTo, mentions, bot }: AcceptInput): Promise<Accepted> {
    const p = partitionOf(room, this.#partitions);
    const id = randomUUID();
    const entry: IngestEntry = { id, room, user, text, at: String(Date.now()) };
    if (clientMsgId !== undefined) entry.clientMsgId = clientMsgId;
    if (replyTo !== undefined) entry.replyTo = String(replyTo);
    if (mentions !== undefined && mentions.length > 0) entry.mentions = mentions.join(',');
    if (bot !== undefined) entry.bot = '1';
    // The request's trace continues in persistence and on every gateway.
    const traceparent = currentTraceparent();
    if (traceparent !== undefined) entry.traceparent = traceparent;
    const fields = Object.entries(entry).flat();
    if (clientMsgId === undefined) {
      await this.#redis.xadd(partitionKeys.stream(p), '*', ...fields);
      return { id, fresh: true };
    }
    // A bot's retry keys are its own, not those of the person who has its name.
    const idem = partitionKeys.idempotency(p, room, bot !== undefined ? `bot.${bot}` : usernameKey(user), clientMsgId);
    const [acceptedId, fresh] = (await this.#accept([partitionKeys.stream(p), idem], [id, this.#idempotencyTtl, ...fields])) as [string, number];
    return { id: acceptedId, fresh: fresh === 1 };
  }

  /**
   * Appends a change to a message to the room's partition, behind the room's messages
   * accepted before it: it is applied in that order. Returns the event's id.
   */
  async acceptEvent({ room, user, kind, target, text, emoji, admin }: EventInput): Promise<string> {
    const id = randomUUID();
    const entry: IngestEntry = { id, room, user, kind, target, at: String(Date.now()) };
    if (text !== undefined) entry.text = text;
    if (emoji !== undefined) entry.emoji = emoji;
    if (admin) entry.admin = '1';
    const traceparent = currentTraceparent();
    if (traceparent !== undefined) entry.traceparent = traceparent;
    await this.#redis.xadd(partitionKeys.stream(partitionOf(room, this.#partitions)), '*', ...Object.entries(entry).flat());
    return id;
  }
}
