import WebSocket from 'ws';

export interface ReceivedMessage {
  id: string;
  seq: number;
  user: string;
  text: string;
}

export interface ChatClientOptions {
  /** Gateway WebSocket URLs (without the token) to pick from at each (re)connect. */
  urls: () => string[];
  token: string;
  rooms: string[];
  /** Seq to subscribe from at first (default 0: the whole room). */
  since?: number;
}

/**
 * A client that behaves as the protocol asks: on any close it reconnects (to any gateway)
 * and subscribes with `since` = the last seq it saw, so it should end up with every message
 * once, in order. It counts what would break that: duplicates and gaps.
 */
export class ChatClient {
  readonly received = new Map<string, ReceivedMessage[]>();
  readonly closeCodes: number[] = [];
  duplicates = 0;
  gaps = 0;
  reconnects = 0;
  readonly #o: ChatClientOptions;
  readonly #last = new Map<string, number>();
  #ws: WebSocket | undefined;
  #stopped = false;
  #attempt = 0;
  #waiters: (() => void)[] = [];
  #subscribed = new Set<string>();

  constructor(options: ChatClientOptions) {
    this.#o = options;
    for (const room of options.rooms) {
      this.received.set(room, []);
      this.#last.set(room, options.since ?? 0);
    }
  }

  /** Connects and resolves once subscribed to every room. */
  async start(): Promise<this> {
    this.#connect();
    await this.#until(() => this.#subscribed.size === this.#o.rooms.length);
    return this;
  }

  /** The last seq received in a room. */
  last(room: string): number {
    return this.#last.get(room) ?? 0;
  }

  /** Resolves when the client has a room's messages up to `seq` (or has stopped). */
  async until(room: string, seq: number): Promise<void> {
    await this.#until(() => this.last(room) >= seq);
  }

  /** Stops reading from the socket (a stalled consumer); `resume()` reads again. */
  pause(): void {
    (this.#ws as unknown as { _socket?: { pause(): void } })?._socket?.pause();
  }

  resume(): void {
    (this.#ws as unknown as { _socket?: { resume(): void } })?._socket?.resume();
  }

  stop(): void {
    this.#stopped = true;
    this.#ws?.terminate();
    for (const w of this.#waiters.splice(0)) w();
  }

  #connect(): void {
    const urls = this.#o.urls();
    const url = urls[Math.floor(Math.random() * urls.length)];
    if (!url) {
      // Every gateway is down for the moment: try again shortly, as a real client would.
      setTimeout(() => this.#stopped || this.#connect(), 100).unref();
      return;
    }
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(this.#o.token)}`);
    this.#ws = ws;
    this.#subscribed.clear();
    ws.on('open', () => {
      for (const room of this.#o.rooms) ws.send(JSON.stringify({ type: 'subscribe', room, since: this.last(room) }));
    });
    ws.on('message', (data) => this.#onFrame(JSON.parse((data as Buffer).toString('utf8')) as Frame));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      if (this.#stopped || this.#ws !== ws) return;
      this.closeCodes.push(code);
      this.reconnects++;
      // Back off a little on repeated failures (a gateway that is down), then try any gateway.
      const delay = Math.min(1000, 20 * 2 ** this.#attempt++);
      setTimeout(() => this.#stopped || this.#connect(), delay).unref();
    });
  }

  #onFrame(frame: Frame): void {
    if (frame.type === 'subscribed' && frame.room) {
      this.#subscribed.add(frame.room);
      this.#attempt = 0;
    } else if (frame.type === 'message' && frame.room && frame.message) {
      const { room, message } = frame as { room: string; message: ReceivedMessage };
      const last = this.last(room);
      if (message.seq <= last) {
        this.duplicates++;
        return;
      }
      if (message.seq > last + 1) this.gaps++;
      this.#last.set(room, message.seq);
      this.received.get(room)?.push({ id: message.id, seq: message.seq, user: message.user, text: message.text });
    } else {
      return;
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  async #until(predicate: () => boolean): Promise<void> {
    while (!predicate() && !this.#stopped) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

interface Frame {
  type: string;
  room?: string;
  message?: ReceivedMessage;
}
