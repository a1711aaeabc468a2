/**
 * Fault injection for the crash tests: `FAILPOINT=<name>:<n>` makes the process kill itself
 * with SIGKILL at that point once it has handled n entries. Off (and free) when unset.
 *
 * - `crash-before-commit`: entries read from the partition, nothing committed yet.
 * - `crash-after-commit`: committed to the room logs, not yet acknowledged.
 */
export type FailpointName = 'crash-before-commit' | 'crash-after-commit';

export class Failpoints {
  readonly #name: FailpointName | undefined;
  readonly #after: number;
  #entries = 0;

  constructor(spec: string) {
    const match = /^(crash-before-commit|crash-after-commit):(\d+)$/.exec(spec);
    if (spec && !match) throw new Error(`FAILPOINT must be crash-before-commit:<n> or crash-after-commit:<n>, got '${spec}'`);
    this.#name = match?.[1] as FailpointName | undefined;
    this.#after = Number(match?.[2] ?? 0);
  }

  /** Counts entries read; call before committing them. */
  read(count: number): void {
    this.#entries += count;
    this.hit('crash-before-commit');
  }

  hit(name: FailpointName): void {
    if (this.#name === name && this.#entries >= this.#after) process.kill(process.pid, 'SIGKILL');
  }
}
