// The WebSocket: subscriptions with resume, reconnect with backoff and jitter.
import type { Message } from './api.ts';

export interface LiveEvents {
  message(message: Message): void;
  presence(room: string, users: string[]): void;
  typing(room: string, user: string): void;
  read(room: string, seq: number): void;
  /** Connected and subscribed, or not. */
  status(online: boolean): void;
  unauthorized(): void;
}

/**
 * Keeps one WebSocket open, subscribed to the rooms asked for. After any drop it
 * reconnects (exponential backoff with jitter) and resubscribes each room with `since` =
 * the last seq it delivered, so nothing is missing or doubled.
 */
export class Live {
  readonly #events: LiveEvents;
  readonly #last = new Map<string, number>();
  #token = '';
  #ws: WebSocket | undefined;
  #attempt = 0;
  #timer: number | undefined;

  constructor(events: LiveEvents) {
    this.#events = events;
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
      if (this.#last.size === 0) this.#events.status(true);
    };
    ws.onmessage = (event) => this.#frame(JSON.parse(String(event.data)) as Frame);
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#events.status(false);
      if (event.code === 4401) return this.#events.unauthorized();
      // Backoff with full jitter, so a restarted server is not hit by everyone at once.
      const delay = Math.random() * Math.min(15_000, 500 * 2 ** this.#attempt++);
      this.#timer = window.setTimeout(() => this.#token && this.#connect(), delay);
    };
  }

  #frame(frame: Frame): void {
    switch (frame.type) {
      case 'subscribed':
        this.#attempt = 0;
        this.#events.status(true);
        return;
      case 'message': {
        const m = frame.message as Message;
        if (m.seq <= (this.#last.get(m.room) ?? 0)) return;
        this.#last.set(m.room, m.seq);
        this.#events.message(m);
        return;
      }
      case 'presence':
        return this.#events.presence(frame.room as string, frame.users as string[]);
      case 'typing':
        return this.#events.typing(frame.room as string, frame.user as string);
      case 'read':
        return this.#events.read(frame.room as string, frame.seq as number);
    }
  }
}

interface Frame {
  type: string;
  [key: string]: unknown;
}
