import { Pool } from 'undici';
import { BitSet } from './bitset.ts';
import { nowUs } from './clock.ts';
import { Windows } from './histogram.ts';
import { messageText, type Tag } from './message.ts';

/** A room of a scenario: its messages are numbered 0, 1, 2… by the generator. */
export class Room {
  readonly name: string;
  readonly idx: number;
  /** Index of the next message to send. */
  next = 0;
  /** Indexes of the messages the server accepted (202). */
  readonly accepted = new BitSet();
  /** Clients subscribed to the room: each accepted message is owed to every one. */
  members = 0;

  constructor(name: string, idx: number) {
    this.name = name;
    this.idx = idx;
  }
}

/** What one client has received, and what went wrong on the way. */
export class ClientState {
  readonly room: Room;
  /** Indexes of the distinct messages received. */
  readonly seen = new BitSet();
  /** ChitChat: the last seq received (the `since` of a resume). */
  lastSeq = 0;
  /** Baseline: the highest stream id received (`<ms>-<n>`). */
  lastId = '';
  /** Protocol violations seen by a ChitChat client: a seq at or below the last one. */
  duplicates = 0;
  /** A seq more than one past the last one. */
  gaps = 0;
  /** Frames of a message already received (a baseline resume re-reads some on purpose). */
  redundant = 0;
  /** Closes the client did not ask for (each followed by a resume). */
  readonly unexpectedCloses: number[] = [];
  subscribed = false;
  /** Reconnect scenario: the index prefix that counts as caught up, and when it was. */
  catchUpTo: number | undefined;
  caughtUpAtUs = 0;
  /** Length of the run of indexes 0, 1, 2… received, kept up to date cheaply. */
  contiguous = 0;

  constructor(room: Room) {
    this.room = room;
  }
}

/** Where POSTs go and how they are authorised. */
export interface WriteTarget {
  origins: string[];
  authorization(user: string, token: string): string;
}

export interface SenderUser {
  name: string;
  token: string;
}

/**
 * The books of a scenario: what was sent, accepted and delivered, and the latencies of both
 * halves (POST answered, frame received), each measured from the scheduled send time.
 */
export class Ledger {
  readonly post = new Windows();
  readonly e2e = new Windows();
  /** Messages fired by the open loop. */
  sent = 0;
  accepted = 0;
  /** Distinct deliveries, summed over clients. */
  delivered = 0;
  inFlight = 0;
  /** Presence frames received (ChitChat sends the room's whole user list on every change), and their size. */
  presenceFrames = 0;
  presenceBytes = 0;
  /** Clients that have caught up since `catchUpTo` was set (reconnect scenario). */
  caughtUp = 0;
  readonly failures = new Map<string, number>();

  /** A received message: counts it once per client and records its latency. */
  deliver(client: ClientState, tag: Tag): void {
    const now = nowUs();
    if (!client.seen.add(tag.index)) {
      client.redundant++;
      return;
    }
    this.delivered++;
    this.e2e.record(tag.scheduledUs, now - tag.scheduledUs);
    if (tag.index === client.contiguous) {
      while (client.seen.has(client.contiguous)) client.contiguous++;
      this.checkCaughtUp(client, now);
    }
  }

  checkCaughtUp(client: ClientState, now = nowUs()): void {
    if (client.catchUpTo !== undefined && client.caughtUpAtUs === 0 && client.subscribed && client.contiguous >= client.catchUpTo) {
      client.caughtUpAtUs = now;
      this.caughtUp++;
    }
  }

  fail(what: string): void {
    this.failures.set(what, (this.failures.get(what) ?? 0) + 1);
  }

  get failed(): number {
    let n = 0;
    for (const v of this.failures.values()) n += v;
    return n;
  }
}

/**
 * Sends messages with POST /v1/rooms/{room}/messages, as the open loop fires them. Each
 * message goes from the next user in turn to the next write origin in turn, over pooled
 * keep-alive connections (a client that opened a connection per request would measure TCP).
 */
export class PostSender {
  readonly #pools: Pool[];
  readonly #target: WriteTarget;
  readonly #users: SenderUser[];
  readonly #ledger: Ledger;
  readonly #bytes: number;
  #n = 0;

  constructor(target: WriteTarget, users: SenderUser[], ledger: Ledger, messageBytes: number) {
    if (users.length === 0) throw new Error('no senders');
    this.#target = target;
    this.#users = users;
    this.#ledger = ledger;
    this.#bytes = messageBytes;
    this.#pools = target.origins.map((origin) => new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 }));
  }

  /** Sends the room's next message, due at `scheduledUs`; does not wait for the answer. */
  fire(room: Room, scheduledUs: number): void {
    const index = room.next++;
    const n = this.#n++;
    const user = this.#users[n % this.#users.length] as SenderUser;
    const pool = this.#pools[n % this.#pools.length] as Pool;
    const ledger = this.#ledger;
    // A clientMsgId, as the web client sends one: ChitChat then takes its idempotent path.
    const body = JSON.stringify({ text: messageText({ room: room.idx, index, scheduledUs }, this.#bytes), clientMsgId: `m${index}` });
    ledger.sent++;
    ledger.inFlight++;
    pool
      .request({
        method: 'POST',
        path: `/v1/rooms/${room.name}/messages`,
        headers: { authorization: this.#target.authorization(user.name, user.token), 'content-type': 'application/json' },
        body,
      })
      .then(
        async ({ statusCode, body: answer }) => {
          await answer.dump();
          if (statusCode === 202) {
            room.accepted.add(index);
            ledger.accepted++;
            ledger.post.record(scheduledUs, nowUs() - scheduledUs);
          } else {
            ledger.fail(String(statusCode));
          }
        },
        (err: unknown) => ledger.fail(err instanceof Error ? err.constructor.name : 'network'),
      )
      .finally(() => ledger.inFlight--);
  }

  async close(): Promise<void> {
    await Promise.all(this.#pools.map((p) => p.close()));
  }
}

/** Messages owed to clients but not received: accepted in their room, missing from their set. */
export function lossOf(clients: readonly ClientState[]): number {
  let n = 0;
  for (const c of clients) n += c.room.accepted.missingFrom(c.seen);
  return n;
}

/** Deliveries owed so far: every accepted message once per member of its room. */
export function owed(rooms: readonly Room[]): number {
  let n = 0;
  for (const r of rooms) n += r.accepted.size * r.members;
  return n;
}
