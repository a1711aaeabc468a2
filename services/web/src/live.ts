// The WebSocket: subscriptions with resume, reconnect with backoff and jitter.
import type { Message, Notification, RoomInfo } from './api.ts';

/** A change to a message: an event in the room's log with its own seq. */
export type MessageEvent =
  | { type: 'edited'; room: string; seq: number; target: number; messageId: string; user: string; text: string; editedAt: number }
  | { type: 'deleted'; room: string; seq: number; target: number; messageId: string; user: string }
  | { type: 'reaction'; room: string; seq: number; target: number; messageId: string; user: string; emoji: string; added: boolean; count: number };

/** Someone named the signed-in user with `@name`. */
export interface Mention {
  room: string;
  seq: number;
  messageId: string;
  user: string;
  text: string;
}

export interface LiveEvents {
  message(message: Message): void;
  /** An edit, delete or reaction, in order with the room's messages. */
  change(event: MessageEvent): void;
  mention(mention: Mention): void;
  /** The user was made a member of a private room or DM (also as its creator). */
  room(info: RoomInfo): void;
  /** Something went into the user's notification inbox. */
  notification(notification: Notification): void;
  presence(room: string, users: string[]): void;
  typing(room: string, user: string): void;
  read(room: string, seq: number): void;
  /** The room's subscription ended or was refused for good (`banned`, `room_not_found`). */
  roomClosed(room: string, code: string, detail: string): void;
  /** Connected and subscribed, or not. */
  status(online: boolean): void;
  unauthorized(): void;
}

/** Error frame codes after which the room is not subscribed again. */
const FINAL_ROOM_ERRORS = new Set(['banned', 'room_not_found', 'invalid_room']);

/**
 * Keeps one WebSocket open, subscribed to the rooms asked for. After any drop it
 * reconnects (exponential backoff with jitter) and resubscribes each room with `since` =
 * the last seq it delivered (messages and message events alike), so nothing is missing or
 * doubled.
 */
export class Live {
  #events: LiveEvents | undefined;
  readonly #last = new Map<string, number>();
  /** Mentions already reported, by room and seq: they may come more than once. */
  readonly #mentions = new Set<string>();
  #token = '';
  #ws: WebSocket | undefined;
  #attempt = 0;
  #timer: number | undefined;

  /** Who handles what arrives (set once, before `start`). */
  handle(events: LiveEvents): void {
    this.#events = events;
  }

  get #on(): LiveEvents {
    if (!this.#events) throw new Error('Live: no event handlers');
    return this.#events;
  }

  start(token: string): void {
    this.#token = token;
    this.#connect();
  }

  stop(): void {
    this.#token = '';
    clearTimeout(this.#timer);
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.close();
    this.#last.clear();
    this.#mentions.clear();
  }

  /** Subscribes to a room from `since` (messages after it arrive, in order). */
  subscribe(room: string, since: number): void {
    if (this.#last.has(room)) return;
    this.#last.set(room, since);
    this.#send({ type: 'subscribe', room, since });
  }

  typing(room: string): void {
    this.#send({ type: 'typing', room });
  }

  #send(frame: object): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(frame));
  }

  #connect(): void {
    const url = new URL(`/v1/ws?token=${encodeURIComponent(this.#token)}`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      for (const [room, since] of this.#last) ws.send(JSON.stringify({ type: 'subscribe', room, since }));
      if (this.#last.size === 0) this.#on.status(true);
    };
    ws.onmessage = (event) => this.#frame(JSON.parse(String(event.data)) as Frame);
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#on.status(false);
      if (event.code === 4401) return this.#on.unauthorized();
      // Backoff with full jitter, so a restarted server is not hit by everyone at once.
      const delay = Math.random() * Math.min(15_000, 500 * 2 ** this.#attempt++);
      this.#timer = window.setTimeout(() => this.#token && this.#connect(), delay);
    };
  }

  /** Whether a seq-carrying frame is new for its room (and remembers it as seen). */
  #fresh(room: string, seq: number): boolean {
    if (!this.#last.has(room) || seq <= (this.#last.get(room) ?? 0)) return false;
    this.#last.set(room, seq);
    return true;
  }

  #frame(frame: Frame): void {
    switch (frame.type) {
      case 'subscribed':
        this.#attempt = 0;
        this.#on.status(true);
        return;
      case 'message': {
        const m = frame.message as Message;
        if (this.#fresh(m.room, m.seq)) this.#on.message(m);
        return;
      }
      case 'edited':
      case 'deleted':
      case 'reaction': {
        const event = frame as unknown as MessageEvent;
        if (this.#fresh(event.room, event.seq)) this.#on.change(event);
        return;
      }
      case 'mention': {
        const mention = frame as unknown as Mention;
        const key = `${mention.room}/${mention.seq}`;
        if (this.#mentions.has(key)) return;
        this.#mentions.add(key);
        return this.#on.mention(mention);
      }
      case 'room': {
        const { type: _type, ...info } = frame;
        return this.#on.room(info as unknown as RoomInfo);
      }
      case 'notification':
        return this.#on.notification(frame.notification as Notification);
      case 'presence':
        return this.#on.presence(frame.room as string, frame.users as string[]);
      case 'typing':
        return this.#on.typing(frame.room as string, frame.user as string);
      case 'read':
        return this.#on.read(frame.room as string, frame.seq as number);
      case 'error': {
        const room = frame.room as string | undefined;
        const code = frame.code as string;
        if (!room || !this.#last.has(room)) return;
        if (FINAL_ROOM_ERRORS.has(code)) {
          this.#last.delete(room);
          return this.#on.roomClosed(room, code, (frame.detail as string | undefined) ?? '');
        }
        if (code === 'unavailable') {
          // The subscription could not be set up now: ask again shortly, from where we are.
          window.setTimeout(() => {
            const since = this.#last.get(room);
            if (since !== undefined) this.#send({ type: 'subscribe', room, since });
          }, 1000 + Math.random() * 2000);
        }
        return;
      }
    }
  }
}

interface Frame {
  type: string;
  [key: string]: unknown;
}
