import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/**
 * Wall-clock time in microseconds, with the resolution of `performance.now()`. Send times
 * inside messages and receipt times are both read from it (in one process it is monotonic),
 * so a latency is a plain difference.
 */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Resolves true as soon as `predicate` holds, or false after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/** Runs `task` over `items` with at most `limit` running at once. */
export async function inBatches<T>(items: readonly T[], limit: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
