import { after, type TestContext } from 'node:test';

const suiteStack: (() => unknown)[] = [];
const testStacks = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Registers a cleanup, run in reverse order of registration: what was started last is
 * stopped first, so services stop before the Redis they talk to.
 *
 * Without `t`, it runs after the whole suite: call it from a test file's top level (inside
 * a test, node:test would tie the hook to that test). With `t`, it runs after that test.
 */
export function defer(cleanup: () => unknown, t?: TestContext): void {
  if (t) {
    let stack = testStacks.get(t);
    if (!stack) {
      stack = [];
      testStacks.set(t, stack);
      const own = stack;
      t.after(() => unwind(own));
    }
    stack.push(cleanup);
    return;
  }
  if (suiteStack.length === 0) after(() => unwind(suiteStack));
  suiteStack.push(cleanup);
}

async function unwind(stack: (() => unknown)[]): Promise<void> {
  while (stack.length > 0) await stack.pop()?.();
}
