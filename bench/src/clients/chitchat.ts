import WebSocket from 'ws';
import { integerAfter, tagOf } from '../message.ts';
import { RECONNECT_DELAY_MS, WS_OPTIONS, type BenchSocket, type SocketOptions } from './socket.ts';

/**
 * A ChitChat client as the protocol describes it: `subscribe {room, since}` after each
 * (re)connect with the last seq it saw, and a check of every `message` frame: seq must be
 * exactly one more than the last (a smaller one is a duplicate, a larger one a gap).
 */
export class ChitChatSocket implements BenchSocket {
  readonly state;
  readonly #o: SocketOptions;
  #ws: WebSocket | undefined;
  #closed = false;
  /** Whether the client has subscribed before (and so resumes with `since`). */
  #resume = false;
  #onSubscribed: (() => void) | undefined;

  constructor(options: SocketOptions) {
    this.#o = options;
    this.state = options.state;
  }

  connect(): Promise<void> {
    this.#closed = false;
    this.state.subscribed = false;
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${this.#o.url}?token=${encodeURIComponent(this.#o.token)}`, WS_OPTIONS);
      this.#ws = ws;
      this.#onSubscribed = resolve;
      ws.on('open', () => {
        const frame = this.#resume ? { type: 'subscribe', room: this.state.room.name, since: this.state.lastSeq } : { type: 'subscribe', room: this.state.room.name };
        ws.send(JSON.stringify(frame));
      });
      ws.on('message', (data: Buffer) => this.#onFrame(data.toString()));
      ws.on('error', (err) => {
        if (!this.state.subscribed) reject(err);
      });
      ws.on('close', (code) => {
        if (this.#ws !== ws || this.#closed) return;
        this.state.subscribed = false;
        this.state.unexpectedCloses.push(code);
        // As the protocol asks: reconnect and resume from the last seq seen.
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

  #onFrame(frame: string): void {
    const state = this.state;
    // Presence frames (whole user lists, the gateway's or the Lua script's JSON) are counted
    // and skipped first, without a scan of their length for a message type.
    if (frame.startsWith('{"type":"presence"')) {
      this.#o.ledger.presenceFrames++;
      this.#o.ledger.presenceBytes += frame.length;
    } else if (frame.includes('"type":"message"')) {
      const seq = integerAfter(frame, '"seq":');
      const tag = tagOf(frame);
      if (seq === undefined || tag === undefined) return;
      if (seq <= state.lastSeq) {
        state.duplicates++;
        return;
      }
      if (seq > state.lastSeq + 1) state.gaps++;
      state.lastSeq = seq;
      this.#o.ledger.deliver(state, tag);
    } else if (frame.includes('"type":"subscribed"')) {
      // A first subscription (no since) starts at the head; a resume keeps its last seq.
      if (!this.#resume) state.lastSeq = integerAfter(frame, '"headSeq":') ?? 0;
      this.#resume = true;
      state.subscribed = true;
      this.#o.ledger.checkCaughtUp(state);
      this.#onSubscribed?.();
      this.#onSubscribed = undefined;
    } else if (frame.includes('"type":"error"')) {
      this.#o.ledger.fail(`ws-error:${/"code":"([^"]+)"/.exec(frame)?.[1] ?? 'unknown'}`);
    }
  }
}
