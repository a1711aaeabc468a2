import { nowUs, sleep } from './clock.ts';
import { Latency } from './histogram.ts';

export interface OpenLoopOptions {
  /** Sends per second. */
  rate: number;
  durationMs: number;
  /** When the first send is due (µs on the `nowUs` clock); default: now. */
  startUs?: number;
  /**
   * Starts one send and returns at once (it must not wait for the response). `scheduledUs`
   * is when it was due: latencies are measured from there, not from when it actually went.
   */
  fire: (scheduledUs: number, n: number) => void;
  signal?: AbortSignal;
}

export interface OpenLoopResult {
  sent: number;
  /** When the schedule ended (µs): the start of a following step. */
  endUs: number;
  /** How far behind its schedule each send fired: the generator's own lag. */
  lateness: Latency;
}

/**
 * An open-loop load generator: send n is due at start + n/rate, whatever happened to the
 * sends before it. A closed loop (send, wait for the answer, send again) slows down with the
 * system it measures and so hides exactly the slow responses a benchmark is for ("coordinated
 * omission"); here a stall shows up as the latency of every send scheduled during it.
 *
 * Sends fire from a timer of about a millisecond; several that fall due in one tick fire
 * together, each with its own scheduled time, so being late only ever adds to the latency.
 */
export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const interval = 1e6 / o.rate;
  const start = o.startUs ?? nowUs();
  const total = Math.floor((o.durationMs * 1000) / interval);
  const lateness = new Latency();
  let n = 0;
  while (n < total && !o.signal?.aborted) {
    const now = nowUs();
    for (let due = start + n * interval; n < total && due <= now; due = start + n * interval) {
      lateness.record(now - due);
      o.fire(Math.round(due), n);
      n++;
    }
    if (n < total) await sleep(Math.max(0, (start + n * interval - nowUs()) / 1000));
  }
  return { sent: n, endUs: Math.round(start + total * interval), lateness };
}
