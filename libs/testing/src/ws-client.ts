import { once } from 'node:events';
import WebSocket from 'ws';

type Frame = Record<string, unknown> & { type: string };

interface Waiter {
  predicate: (frames: readonly Frame[]) => boolean;
  resolve: () => void;
}

/**
 * A WebSocket client for tests that keeps every frame it receives and lets a test wait
 * for a condition on them (no sleeps: it resolves on the frame that makes it true).
 */
export class TestWsClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  #waiters: Waiter[] = [];

  /** `autoPong: false` makes a client that ignores pings, like a vanished peer. */
  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { autoPong: options.autoPong ?? true });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
      this.#check();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
        this.#check();
      });
    });
    this.ws.on('error', () => {});
  }

  /** Resolves once connected; rejects if the connection fails. */
  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
    return this;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Waits until `predicate` holds on the frames received so far. */
  async until(predicate: (frames: readonly Frame[]) => boolean, what = 'condition', timeoutMs = 20_000): Promise<void> {
    if (predicate(this.frames)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${this.frames.length} frames, last ${JSON.stringify(this.frames.at(-1))}`)), timeoutMs);
      this.#waiters.push({ predicate, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** The `message` frames of a room, in arrival order. */
  messages(room: string): Array<{ seq: number; id: string; text: string; user: string }> {
    return this.frames
      .filter((f) => f.type === 'message' && f.room === room)
      .map((f) => f.message as { seq: number; id: string; text: string; user: string });
  }

  /** Waits for the first frame of a type (after `from` frames), and returns it. */
  async next(type: string, from = 0): Promise<Frame> {
    await this.until((fs) => fs.slice(from).some((f) => f.type === type), `a ${type} frame`);
    return this.frames.slice(from).find((f) => f.type === type) as Frame;
  }

  close(): void {
    this.ws.close();
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.predicate(this.frames) && this.closeCode === undefined) return true;
      w.resolve();
      return false;
    });
  }
}
