import { Compile } from 'typebox/compile';
import type { WebSocket } from 'ws';
import { CLIENT_FRAME_TYPES, ClientFrame, CloseCode, FrameErrorCode, isValidRoom, type ErrorFrame } from '@chitchat/contracts';
import type { Logger, RoomAccess, RoomStanding } from '@chitchat/platform';
import type { Presence } from './presence.ts';
import type { RoomHub, Subscriber } from './room-hub.ts';
import { corkForTurn, rawSocket } from './socket-batch.ts';

const clientFrame = Compile(ClientFrame);
const PONG = JSON.stringify({ type: 'pong' });
/** Buffers are sent as text frames too: every frame of the protocol is JSON text. */
const TEXT = { binary: false } as const;

/** One client's WebSocket: its frames, its subscriptions, and sending with back-pressure. */
export class Connection {
  readonly username: string;
  readonly token: string;
  /** The session the token belongs to: revoking it closes this socket with 4401. */
  readonly sessionId: string;
  /** Set by each pong; a socket that stays silent over a whole heartbeat is dropped. */
  alive = true;
  lastTouch = Date.now();
  readonly #ws: WebSocket;
  readonly #hub: RoomHub;
  readonly #access: RoomAccess;
  readonly #maxBuffered: number;
  readonly #log: Logger;
  readonly #subs = new Map<string, Subscriber>();
  readonly #presence: Presence;
  readonly #typingThrottleMs: number;
  /** Made at the first typing notice: most connections never send one. */
  #lastTyping: Map<string, number> | undefined;
  readonly #maxSubscriptions: number;
  #closed = false;
  readonly #bucket: TokenBucket;
  /** Control frames run one after another, in the order the client sent them. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    ws: WebSocket,
    opts: {
      username: string;
      token: string;
      sessionId: string;
      hub: RoomHub;
      access: RoomAccess;
      presence: Presence;
      typingThrottleMs: number;
      maxBuffered: number;
      maxSubscriptions: number;
      frameRate: number;
      log: Logger;
    },
  ) {
    this.#maxSubscriptions = opts.maxSubscriptions;
    this.#bucket = new TokenBucket(opts.frameRate, opts.frameRate * 2);
    this.#ws = ws;
    this.#presence = opts.presence;
    this.#typingThrottleMs = opts.typingThrottleMs;
    this.username = opts.username;
    this.token = opts.token;
    this.sessionId = opts.sessionId;
    this.#hub = opts.hub;
    this.#access = opts.access;
    this.#maxBuffered = opts.maxBuffered;
    this.#log = opts.log;
  }

  get subscriptions(): number {
    return this.#subs.size;
  }

  /** Handles one text frame from the client. */
  onFrame(raw: string): void {
    if (!this.#bucket.take()) {
      // One notice per second at most, so a flood cannot make us flood back.
      if (this.#bucket.warn()) this.#error(FrameErrorCode.rateLimited, `too many frames: at most ${this.#bucket.rate} per second; this one was dropped`);
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return this.#error(FrameErrorCode.invalidFrame, 'frame is not valid JSON');
    }
    if (!clientFrame.Check(frame)) return this.#error(...describe(frame));
    switch (frame.type) {
      case 'ping':
        return this.send(PONG);
      case 'typing':
        return this.#typing(frame.room);
      case 'subscribe':
        this.#serial(() => this.#subscribe(frame.room, frame.since));
        return;
      case 'unsubscribe':
        this.#serial(() => this.#unsubscribe(frame.room));
        return;
    }
  }

  /**
   * Sends a text frame, or closes the socket as a slow consumer if too much is already
   * queued. A frame going to many sockets is passed as one Buffer, encoded once.
   */
  send(frame: string | Buffer): void {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.#maxBuffered) {
      this.close(CloseCode.slowConsumer, 'slow consumer; reconnect and resubscribe with since');
      return;
    }
    const socket = rawSocket(ws);
    if (socket) corkForTurn(socket);
    ws.send(frame, TEXT);
  }

  close(code: number, reason: string): void {
    this.dispose();
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }

  /** Drops a socket whose peer stopped answering (no close handshake is possible). */
  terminate(): void {
    this.dispose();
    this.#ws.terminate();
  }

  /** Leaves every room (the socket is closing). Idempotent. */
  dispose(): void {
    this.#closed = true;
    for (const sub of this.#subs.values()) this.#hub.leave(sub);
    this.#subs.clear();
  }

  async #subscribe(room: string, since: number | undefined): Promise<void> {
    // A subscribe queued behind another can run after the socket closed: it must not join.
    if (this.#closed) return;
    let standing: RoomStanding;
    try {
      standing = await this.#access.standing(room, this.username);
    } catch (err) {
      this.#log.warn({ err, room }, 'subscribe failed');
      return this.#error(FrameErrorCode.unavailable, `could not subscribe to '${room}' now; try again`, room);
    }
    // A private room one is not in looks exactly like one that does not exist.
    if (!standing.visible) return this.#error(FrameErrorCode.roomNotFound, `no room '${room}'`, room);
    if (standing.banned) return this.#error(FrameErrorCode.banned, `you are banned from '${room}'`, room);
    if (this.#closed) return;
    const previous = this.#subs.get(room);
    if (previous) this.#hub.leave(previous);
    else if (this.#subs.size >= this.#maxSubscriptions) {
      return this.#error(FrameErrorCode.tooManySubscriptions, `at most ${this.#maxSubscriptions} rooms per connection; unsubscribe from one first`, room);
    }
    const sub = new Subscription(this, room, this.#presence.member(this.username));
    this.#subs.set(room, sub);
    try {
      await this.#hub.join(sub, since);
    } catch (err) {
      this.#log.warn({ err, room }, 'subscribe failed');
      if (this.#subs.get(room) === sub) this.#subs.delete(room);
      this.#hub.leave(sub);
      this.#error(FrameErrorCode.unavailable, `could not subscribe to '${room}' now; try again`, room);
    }
  }

  /** Ends one subscription (the user was banned from its room), telling the client why. */
  drop(sub: Subscriber, code: string, detail: string): void {
    if (this.#subs.get(sub.room) === sub) this.#subs.delete(sub.room);
    this.#hub.leave(sub);
    this.#error(code, detail, sub.room);
  }

  /** Typing notices go to the room's other members, at most one per user every throttle window. */
  #typing(room: string): void {
    const sub = this.#subs.get(room);
    if (!sub) return this.#error(FrameErrorCode.notSubscribed, `subscribe to '${room}' before sending typing notices`, room);
    const now = Date.now();
    // A local check first, so a client that sends on every key press costs no Redis call.
    this.#lastTyping ??= new Map();
    if (now - (this.#lastTyping.get(room) ?? 0) < this.#typingThrottleMs) return;
    this.#lastTyping.set(room, now);
    this.#hub.typing(sub).catch((err: unknown) => this.#log.warn({ err, room }, 'typing notice failed'));
  }

  #unsubscribe(room: string): void {
    const sub = this.#subs.get(room);
    if (!sub) return this.#error(FrameErrorCode.notSubscribed, `not subscribed to '${room}'`, room);
    this.#subs.delete(room);
    this.#hub.leave(sub);
    this.send(JSON.stringify({ type: 'unsubscribed', room }));
  }

  #serial(op: () => Promise<void> | void): void {
    this.#tail = this.#tail.then(op).catch((err: unknown) => this.#log.error({ err }, 'frame handling failed'));
  }

  #error(code: string, detail: string, room?: string): void {
    const frame: ErrorFrame = room === undefined ? { type: 'error', code, detail } : { type: 'error', code, detail, room };
    this.send(JSON.stringify(frame));
  }
}

/**
 * One connection's subscription to one room. A class rather than an object of closures: a
 * gateway holds one per connection and room, and closures would also keep the whole
 * subscribe call's scope alive.
 */
class Subscription implements Subscriber {
  last = 0;
  active = true;
  readonly #conn: Connection;
  readonly room: string;
  readonly member: string;

  constructor(conn: Connection, room: string, member: string) {
    this.#conn = conn;
    this.room = room;
    this.member = member;
  }

  get username(): string {
    return this.#conn.username;
  }

  send(frame: string | Buffer): void {
    this.#conn.send(frame);
  }

  abandon(code: number, reason: string): void {
    this.#conn.close(code, reason);
  }

  drop(code: string, detail: string): void {
    this.#conn.drop(this, code, detail);
  }
}

/** A precise reason why a frame is not one the protocol knows. */
function describe(frame: unknown): [code: string, detail: string, room?: string] {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return [FrameErrorCode.invalidFrame, 'frame must be a JSON object with a type'];
  const { type, room, since } = frame as Record<string, unknown>;
  if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
    return [FrameErrorCode.invalidFrame, `unknown frame type ${JSON.stringify(type)}; expected one of ${CLIENT_FRAME_TYPES.join(', ')}`];
  }
  if (type !== 'ping' && !isValidRoom(room)) {
    return [FrameErrorCode.invalidRoom, `${JSON.stringify(room)} is not a room name: 1-64 of a-z 0-9 _ -`, typeof room === 'string' ? room : undefined];
  }
  if (since !== undefined && !(Number.isInteger(since) && (since as number) >= 0)) {
    return [FrameErrorCode.invalidFrame, `since must be a non-negative integer seq, got ${JSON.stringify(since)}`];
  }
  return [FrameErrorCode.invalidFrame, `frame of type '${type}' has unexpected fields`];
}

/** Allows `rate` events per second on average and bursts of `burst`. */
class TokenBucket {
  readonly rate: number;
  readonly #burst: number;
  #tokens: number;
  #at = Date.now();
  #warnedAt = 0;

  constructor(rate: number, burst: number) {
    this.rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
  }

  take(): boolean {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) * this.rate) / 1000);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True at most once a second: whether to tell the client it is being limited. */
  warn(): boolean {
    const now = Date.now();
    if (now - this.#warnedAt < 1000) return false;
    this.#warnedAt = now;
    return true;
  }
}
