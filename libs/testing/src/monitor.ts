import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { defer } from './cleanup.ts';

/** Commands a Redis server was sent, as MONITOR shows them (name first, lower case). */
export interface CommandLog {
  /**
   * The commands sent since the last call that `match`, counted once MONITOR has shown
   * everything sent before this call (an ECHO of a fresh marker is waited for, not slept on).
   */
  count(match: (args: readonly string[]) => boolean): Promise<number>;
}

/**
 * Watches every command `redis` (one server, not a Cluster) is sent, for tests that assert
 * how often something is read. Undefined for a Cluster: MONITOR sees one node only.
 * The monitor connection is closed when the test (or file) ends.
 */
export async function monitorCommands(redis: unknown, t?: TestContext): Promise<CommandLog | undefined> {
  if (!(redis instanceof Redis)) return undefined;
  const monitor = await redis.monitor();
  defer(() => monitor.disconnect(), t);
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push([(args[0] ?? '').toLowerCase(), ...args.slice(1)]));
  return {
    async count(match) {
      const marker = randomUUID();
      await redis.echo(marker);
      while (!seen.some((args) => args[0] === 'echo' && args[1] === marker)) await once(monitor, 'monitor');
      const n = seen.filter((args) => args[0] !== 'echo' && match(args)).length;
      seen.length = 0;
      return n;
    },
  };
}
