import { randomUUID } from 'node:crypto';
import { partitionKeys, partitionOf, usernameKey, type IngestEntry } from '@chitchat/contracts';
import { currentTraceparent, loadLuaScripts, type LuaScript, type Redis } from '@chitchat/platform';

export interface AcceptInput {
  room: string;
  user: string;
  text: string;
  clientMsgId?: string | undefined;
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

  async accept({ room, user, text, clientMsgId }: AcceptInput): Promise<Accepted> {
    const p = partitionOf(room, this.#partitions);
    const id = randomUUID();
    const entry: IngestEntry = { id, room, user, text, at: String(Date.now()) };
    if (clientMsgId !== undefined) entry.clientMsgId = clientMsgId;
    // The request's trace continues in persistence and on every gateway.
    const traceparent = currentTraceparent();
    if (traceparent !== undefined) entry.traceparent = traceparent;
    const fields = Object.entries(entry).flat();
    if (clientMsgId === undefined) {
      await this.#redis.xadd(partitionKeys.stream(p), '*', ...fields);
      return { id, fresh: true };
    }
    const idem = partitionKeys.idempotency(p, room, usernameKey(user), clientMsgId);
    const [acceptedId, fresh] = (await this.#accept([partitionKeys.stream(p), idem], [id, this.#idempotencyTtl, ...fields])) as [string, number];
    return { id: acceptedId, fresh: fresh === 1 };
  }
}
