import WebSocket from 'ws';
import type { ClientState, Ledger } from '../traffic.ts';

/** One load-generator client: a WebSocket subscribed to one room. */
export interface BenchSocket {
  readonly state: ClientState;
  /**
   * Connects and subscribes to the room, resuming after what the client has already seen;
   * resolves once subscribed. After a close it did not ask for, it does the same by itself.
   */
  connect(): Promise<void>;
  /** Cuts the connection at once, as a network failure would, and does not reconnect. */
  drop(): void;
  /** Closes for good. */
  close(): void;
}

export interface SocketOptions {
  url: string;
  user: string;
  token: string;
  state: ClientState;
  ledger: Ledger;
}

/** Options of every generator WebSocket: the generator trusts the server's UTF-8 and compresses nothing. */
export const WS_OPTIONS = { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 30_000 } as const;

/** Delay before a client reconnects by itself after an unexpected close. */
export const RECONNECT_DELAY_MS = 50;

/**
 * What both protocols' clients share: one WebSocket at a time, connect resolving once the
 * protocol says the client is subscribed, and after a close it did not ask for, a reconnect
 * (which resumes: each protocol sends what it has seen). Subclasses give the URL, what to
 * send on open, and how to read a text frame, calling `subscribed()` when the room is joined.
 */
export abstract class ReconnectingSocket implements BenchSocket {
  readonly state: ClientState;
  protected readonly options: SocketOptions;
  #ws: WebSocket | undefined;
  #closed = false;
  #onSubscribed: (() => void) | undefined;

  constructor(options: SocketOptions) {
    this.options = options;
    this.state = options.state;
  }

  protected abstract url(): string;
  protected abstract onText(ws: WebSocket, text: string): void;
  protected onOpen(_ws: WebSocket): void {}

  connect(): Promise<void> {
    this.#closed = false;
    this.state.subscribed = false;
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url(), WS_OPTIONS);
      this.#ws = ws;
      this.#onSubscribed = resolve;
      ws.on('open', () => this.onOpen(ws));
      ws.on('message', (data: Buffer) => this.onText(ws, data.toString()));
      ws.on('error', (err) => {
        if (!this.state.subscribed) reject(err);
      });
      ws.on('close', (code) => {
        if (this.#ws !== ws || this.#closed) return;
        this.state.subscribed = false;
        this.state.unexpectedCloses.push(code);
        // As both protocols ask: reconnect and resume from what was seen last.
        setTimeout(() => void this.connect().catch(() => {}), RECONNECT_DELAY_MS).unref();
      });
    });
  }

  drop(): void {
    this.#closed = true;
    this.state.subscribed = false;
    this.#ws?.terminate();
  }

  close(): void {
    this.drop();
  }

  /** The room is joined: the client counts as subscribed and `connect` resolves. */
  protected subscribed(): void {
    this.state.subscribed = true;
    this.options.ledger.checkCaughtUp(this.state);
    this.#onSubscribed?.();
    this.#onSubscribed = undefined;
  }
}
