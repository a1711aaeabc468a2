import { roomKeys } from '@chitchat/contracts';
import type { Subscriber } from './room-hub.ts';
import { encodedFor } from './socket-batch.ts';

/** A room with local subscribers. Every delivery step runs through `run`, one at a time. */
export class Room {
  readonly subs = new Set<Subscriber>();
  /** Everyone from the start of `join` to `leave`: they get presence and typing frames. */
  readonly listeners = new Set<Subscriber>();
  /** Subscribers between `join` and being added to `subs`. */
  joining = 0;
  /** The highest seq dispatched live; null until the first subscriber joins. */
  cursor: number | null = null;
  readonly name: string;
  readonly channel: string;
  subscribed: Promise<unknown> = Promise.resolve();
  #tail: Promise<unknown> = Promise.resolve();
  /** Presence: the latest frame not yet sent, and the timer of the current window. */
  #pendingPresence: string | undefined;
  #presenceTimer: NodeJS.Timeout | undefined;

  constructor(name: string) {
    this.name = name;
    this.channel = roomKeys.live(name);
  }

  run(op: () => Promise<void> | void): Promise<void> {
    const next = this.#tail.then(op);
    this.#tail = next.catch(() => {});
    return next;
  }

  /**
   * A presence frame to everyone here. Presence frames carry the whole list, so only the
   * latest matters: the first change in a quiet room goes out at once, later ones within
   * `windowMs` become one frame at the end of the window. A crowd joining at once (a
   * reconnect storm, a big room filling) costs each member a few frames, not one per joiner.
   */
  presence(frame: string, windowMs: number): void {
    if (windowMs <= 0) return this.#toListeners(frame);
    if (this.#presenceTimer) {
      this.#pendingPresence = frame;
      return;
    }
    this.#toListeners(frame);
    const flush = (): void => {
      this.#presenceTimer = undefined;
      const pending = this.#pendingPresence;
      this.#pendingPresence = undefined;
      if (pending === undefined) return;
      this.#toListeners(pending);
      this.#presenceTimer = setTimeout(flush, windowMs).unref();
    };
    this.#presenceTimer = setTimeout(flush, windowMs).unref();
  }

  /** The room is no longer served here: nothing more goes out. */
  close(): void {
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = undefined;
    this.#pendingPresence = undefined;
  }

  #toListeners(frame: string): void {
    const data = encodedFor(frame, this.listeners.size);
    for (const sub of this.listeners) sub.send(data);
  }
}
