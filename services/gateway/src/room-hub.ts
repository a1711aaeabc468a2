import {
  FrameErrorCode,
  globalKeys,
  isPrivateRoom,
  userKeys,
  usernameKey,
  type ErrorFrame,
  type PresenceFrame,
  type SubscribedFrame,
} from '@chitchat/contracts';
import { MetricName, counter, endSpan, histogram, startSpanFrom, withSpan, type Logger, type Redis } from '@chitchat/platform';
import type { Presence } from './presence.ts';
import { Room } from './room.ts';
import { RoomLog } from './room-log.ts';
import { encodedFor } from './socket-batch.ts';

/** One connection's subscription to one room, as the hub sees it. */
export interface Subscriber {
  readonly room: string;
  /** Who is subscribed: presence counts users, typing notices skip their sender. */
  readonly username: string;
  /** This subscription's presence member (one per connection and room). */
  readonly member: string;
  /** The highest seq delivered to this subscriber. */
  last: number;
  /** False once unsubscribed or closed: nothing more is sent. */
  active: boolean;
  /** Sends a pre-serialized frame (a Buffer when it goes to many: encoded once). */
  send(frame: string | Buffer): void;
  /** Ends the connection because its ordered delivery can no longer be promised. */
  abandon(code: number, reason: string): void;
  /** Ends this subscription only (the user was banned), telling the client why. */
  drop(code: string, detail: string): void;
}

/** Frames of the room log that carry a seq: messages and the events that change them. */
const SEQ_FRAMES = new Set(['message', 'edited', 'deleted', 'reaction']);

const delivered = counter(MetricName.delivered, 'Message frames sent on sockets (live and catch-up)');
const latency = histogram(
  MetricName.deliveryLatency,
  'From accepted by ingest to sent on the sockets of this gateway (live messages)',
  [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
);

export interface RoomHubOptions {
  /** Commands (seq and log reads); waits through Redis outages. */
  redis: Redis;
  /** The sharded pub/sub connection, used only for SSUBSCRIBE/SUNSUBSCRIBE. */
  subscriber: Redis;
  catchUpPage: number;
  /** Presence frames to a room go out at most once per this window (0: every change). */
  presenceCoalesceMs: number;
  presence: Presence;
  log: Logger;
}

/**
 * Fans a room's committed messages out to this gateway's subscribers, each exactly once, in
 * seq order, with no gap.
 *
 * The gateway subscribes to a room's live channel while it has a subscriber there. Live
 * events are parsed once and their frame is sent as received to every socket. A joining
 * subscriber reads the log up to the head (outside the room's queue, so a long catch-up
 * does not hold up others), then, inside the queue, reads what came since and joins live
 * delivery; because the channel was subscribed before the head was read, nothing falls
 * between. A seq that skips ahead, or a reconnect of the pub/sub connection, is filled
 * from the room log.
 */
export class RoomHub {
  readonly #o: RoomHubOptions;
  readonly #rooms = new Map<string, Room>();
  readonly #byChannel = new Map<string, Room>();
  readonly #log: RoomLog;
  #connectedOnce = false;

  constructor(options: RoomHubOptions) {
    this.#o = options;
    this.#log = new RoomLog(options.redis, options.catchUpPage);
    const { subscriber } = options;
    subscriber.on('smessage', (channel: string, raw: string) => this.#onLive(channel, raw));
    subscriber.on('ready', () => {
      if (this.#connectedOnce) void this.#resubscribeAll();
      this.#connectedOnce = true;
    });
    if (subscriber.status === 'ready') this.#connectedOnce = true;
  }

  /** Rooms with at least one local subscriber (or one joining). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /**
   * Subscribes `sub` to its room from `since` (exclusive; undefined = from now) and sends the
   * `subscribed` frame, the missed messages, then live ones. Resolves once live.
   */
  async join(sub: Subscriber, since: number | undefined): Promise<void> {
    const room = this.#room(sub.room);
    room.joining++;
    room.listeners.add(sub);
    try {
      await room.subscribed;
      const head = await this.#log.head(room.name);
      sub.last = since === undefined ? head : Math.min(since, head);
      const frame: SubscribedFrame = { type: 'subscribed', room: room.name, headSeq: head };
      sub.send(JSON.stringify(frame));
      const [users] = await Promise.all([this.#o.presence.join(room.name, [sub.member]), this.#recordJoin(sub)]);
      // Left while joining: its leave ran before this join, so take the member out again.
      if (!sub.active) await this.#o.presence.leave(room.name, [sub.member]);
      sub.send(JSON.stringify({ type: 'presence', room: room.name, users } satisfies PresenceFrame));
      if (sub.last > 0 && sub.last < head) await this.#warnIfTrimmed(sub);
      await this.#catchUp(sub, head);
      await room.run(async () => {
        const now = await this.#log.head(room.name);
        room.cursor ??= now;
        await this.#catchUp(sub, now);
        if (sub.active) room.subs.add(sub);
      });
    } finally {
      room.joining--;
      this.#release(room);
    }
  }

  /** Stops delivering to `sub` and takes it out of the room's presence. */
  leave(sub: Subscriber): void {
    if (!sub.active) return;
    sub.active = false;
    this.#o.presence.leave(sub.room, [sub.member]).catch((err: unknown) => this.#o.log.warn({ err, room: sub.room }, 'presence leave failed'));
    const room = this.#rooms.get(sub.room);
    if (!room) return;
    room.subs.delete(sub);
    room.listeners.delete(sub);
    this.#release(room);
  }

  /** The room appears in the room list (once it has a subscriber) and among the user's rooms. */
  async #recordJoin(sub: Subscriber): Promise<void> {
    // Two slots (the user's, the global list): two commands, sent together.
    await Promise.all([
      this.#o.redis.sadd(userKeys.rooms(usernameKey(sub.username)), sub.room),
      // Private rooms are never in the public list.
      isPrivateRoom(sub.room) ? undefined : this.#o.redis.zadd(globalKeys.rooms, 'NX', Date.now(), sub.room),
    ]);
  }

  /**
   * Compares each room's delivery with its log head and fills what is missing: live events
   * lost without a reconnect this gateway could see (a Redis Cluster failover moves a
   * shard's subscriber on its own). A message merely in flight is harmless: filled now, its
   * live event is then recognised as delivered.
   */
  async checkGaps(): Promise<void> {
    await Promise.all(
      [...this.#rooms.values()].map(async (room) => {
        if (room.cursor === null || room.subs.size === 0) return;
        const head = await this.#log.head(room.name);
        if (room.cursor !== null && head > room.cursor) {
          await room.run(() => this.#fill(room, head)).catch((err: unknown) => this.#failRoom(room, err));
        }
      }),
    );
  }

  /** Renews the presence of every local subscriber (and lets expired ones of dead gateways go). */
  async refreshPresence(): Promise<void> {
    await Promise.all(
      [...this.#rooms.values()].map(async (room) => {
        const members = [...room.listeners].map((s) => s.member);
        if (members.length > 0) await this.#o.presence.refresh(room.name, members);
      }),
    );
  }

  /** Forwards a typing notice of `sub` to the room's other members, throttled. */
  typing(sub: Subscriber): Promise<boolean> {
    return this.#o.presence.typing(sub.room, sub.username);
  }

  #room(name: string): Room {
    let room = this.#rooms.get(name);
    if (!room) {
      room = new Room(name);
      this.#rooms.set(name, room);
      this.#byChannel.set(room.channel, room);
      room.subscribed = this.#o.subscriber.ssubscribe(room.channel);
    }
    return room;
  }

  /** Unsubscribes the channel once no one here is in the room. */
  #release(room: Room): void {
    if (room.subs.size > 0 || room.joining > 0 || room.listeners.size > 0 || this.#rooms.get(room.name) !== room) return;
    this.#rooms.delete(room.name);
    this.#byChannel.delete(room.channel);
    room.close();
    this.#o.subscriber.sunsubscribe(room.channel).catch((err: unknown) => this.#o.log.warn({ err, room: room.name }, 'sunsubscribe failed'));
  }

  #onLive(channel: string, raw: string): void {
    const room = this.#byChannel.get(channel);
    if (!room) return;
    let event: { type?: string; user?: string; seq?: number; message?: { seq?: number }; acceptedAt?: number; traceparent?: string };
    try {
      event = JSON.parse(raw) as typeof event;
    } catch (err) {
      this.#o.log.error({ err, channel }, 'unreadable live event');
      return;
    }
    if (event.type === 'typing') {
      // Ephemeral: straight to everyone in the room but its sender.
      const frame = encodedFor(raw, room.listeners.size);
      for (const sub of room.listeners) if (sub.username !== event.user) sub.send(frame);
      return;
    }
    if (event.type === 'presence') {
      room.presence(raw, this.#o.presenceCoalesceMs);
      return;
    }
    if (event.type === 'banned') {
      // Every subscription of that user to the room ends, joining ones too.
      for (const sub of [...room.listeners]) {
        if (usernameKey(sub.username) === event.user) sub.drop(FrameErrorCode.banned, `you were banned from '${room.name}'`);
      }
      return;
    }
    const seq = event.type === 'message' ? event.message?.seq : event.seq;
    if (!SEQ_FRAMES.has(event.type ?? '') || !Number.isInteger(seq)) return;
    const acceptedAt = event.acceptedAt;
    // One span per room event on this gateway (not per socket), child of the commit's span.
    const span = startSpanFrom('chat.deliver', event.traceparent, { 'chitchat.room': room.name, 'chitchat.seq': seq });
    room
      .run(() =>
        withSpan(span, async () => {
          const sent = await this.#deliver(room, seq as number, raw);
          span?.setAttribute('chitchat.recipients', sent);
          // Once per event and gateway, not per socket: the sends above are synchronous.
          if (typeof acceptedAt === 'number' && room.subs.size > 0) latency.observe((Date.now() - acceptedAt) / 1000);
        }),
      )
      .then(
        () => endSpan(span),
        (err: unknown) => {
          endSpan(span, err);
          this.#failRoom(room, err);
        },
      );
  }

  /** Sends a live event to the room's subscribers (after any gap); returns how many got it. */
  async #deliver(room: Room, seq: number, frame: string): Promise<number> {
    if (room.cursor === null || seq <= room.cursor) return 0;
    if (seq > room.cursor + 1) await this.#fill(room, seq - 1);
    return this.#dispatch(room, seq, frame);
  }

  /** Dispatches the room's log from the cursor up to `to` (a gap in live delivery). */
  async #fill(room: Room, to: number): Promise<void> {
    while (room.cursor !== null && room.cursor < to) {
      const frames = await this.#log.frames(room.name, room.cursor + 1, to);
      if (frames.length === 0) {
        room.cursor = to;
        return;
      }
      for (const [seq, frame] of frames) this.#dispatch(room, seq, frame);
    }
  }

  #dispatch(room: Room, seq: number, frame: string): number {
    room.cursor = seq;
    const data = encodedFor(frame, room.subs.size);
    let sent = 0;
    for (const sub of room.subs) {
      if (seq === sub.last + 1) {
        sub.last = seq;
        sub.send(data);
        sent++;
      } else if (seq > sub.last + 1) {
        // The room's log no longer holds what this subscriber is missing.
        this.leave(sub);
        sub.abandon(1013, 'messages missing; resubscribe with since');
      }
    }
    delivered.inc(sent);
    return sent;
  }

  /**
   * A resume from a seq the room log no longer keeps (retention trimmed it) cannot be
   * gap-free: say so with a `history_trimmed` error naming the oldest kept seq, then go on
   * from there, so the client knows to reload rather than resubscribing in a loop.
   */
  async #warnIfTrimmed(sub: Subscriber): Promise<void> {
    const oldestSeq = await this.#log.oldestSeq(sub.room);
    if (oldestSeq <= sub.last + 1) return;
    const frame: ErrorFrame = {
      type: 'error',
      code: FrameErrorCode.historyTrimmed,
      room: sub.room,
      detail: `messages after seq ${sub.last} up to ${Number.isFinite(oldestSeq) ? oldestSeq - 1 : 'the head'} are no longer kept; reload the history`,
      oldestSeq: Number.isFinite(oldestSeq) ? oldestSeq : null,
    };
    sub.send(JSON.stringify(frame));
  }

  /** Sends `sub` the room log after `sub.last` up to `to`. */
  async #catchUp(sub: Subscriber, to: number): Promise<void> {
    while (sub.active && sub.last < to) {
      const frames = await this.#log.frames(sub.room, sub.last + 1, to);
      if (frames.length === 0) {
        sub.last = to;
        return;
      }
      for (const [seq, frame] of frames) {
        if (!sub.active) return;
        sub.last = seq;
        sub.send(frame);
        delivered.inc();
      }
    }
  }

  /**
   * After the pub/sub connection comes back, events published meanwhile were lost:
   * resubscribe (confirmed), then fill every room from its log.
   */
  async #resubscribeAll(): Promise<void> {
    const rooms = [...this.#rooms.values()];
    if (rooms.length === 0) return;
    this.#o.log.info({ rooms: rooms.length }, 'pub/sub reconnected; resubscribing and filling gaps');
    const current = (room: Room): boolean => this.#rooms.get(room.name) === room;
    try {
      // A room released meanwhile is skipped, or its channel would stay subscribed.
      for (const room of rooms) if (current(room)) await this.#o.subscriber.ssubscribe(room.channel);
    } catch (err) {
      this.#o.log.warn({ err }, 'resubscribe failed; waiting for the next reconnect');
      return;
    }
    for (const room of rooms.filter(current)) {
      room
        .run(async () => {
          if (room.cursor === null || !current(room)) return;
          await this.#fill(room, await this.#log.head(room.name));
        })
        .catch((err: unknown) => this.#failRoom(room, err));
    }
  }

  /** A delivery step failed (Redis error): its subscribers cannot be promised order; let them resume. */
  #failRoom(room: Room, err: unknown): void {
    this.#o.log.error({ err, room: room.name }, 'room delivery failed; closing its subscribers');
    for (const sub of [...room.subs]) {
      this.leave(sub);
      sub.abandon(1013, 'delivery interrupted; resubscribe with since');
    }
  }
}
