import { after } from 'node:test';

const stack: (() => unknown)[] = [];
let registered = false;

/**
 * Registers a cleanup to run after the suite, in reverse order of registration: what was
 * started last is stopped first, so services stop before the Redis they talk to.
 */
export function defer(cleanup: () => unknown): void {
  stack.push(cleanup);
  if (registered) return;
  registered = true;
  after(async () => {
    while (stack.length > 0) await stack.pop()?.();
  });
}
