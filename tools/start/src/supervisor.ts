import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '@chitchat/platform';

export interface ServiceSpec {
  name: string;
  /** Path of the service's built `main.js`. */
  entry: string;
  env: Record<string, string>;
}

/**
 * Runs each service as its own process, as production does, with their logs on this
 * terminal. A service that dies is started again after a second (it resumes from Redis);
 * `stop()` sends SIGTERM to all and waits for them.
 */
export class Supervisor {
  readonly #log: Logger;
  readonly #children = new Map<string, ChildProcess>();
  #stopping = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  start(spec: ServiceSpec): void {
    const child = spawn(process.execPath, [spec.entry], { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'inherit', 'inherit'] });
    this.#children.set(spec.name, child);
    child.on('exit', (code, signal) => {
      if (this.#stopping) return;
      this.#log.error({ service: spec.name, code, signal }, 'service exited; restarting in 1 s');
      setTimeout(() => {
        if (!this.#stopping) this.start(spec);
      }, 1000).unref();
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      [...this.#children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }),
    );
  }
}
