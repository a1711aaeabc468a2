import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { waitForLine } from './redis-server.ts';

/** A service running as its own process, as in production. */
export interface ServiceProcess {
  name: string;
  /** The HTTP port it listens on. */
  port: number;
  child: ChildProcess;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `node <entry>` with `env` (PORT=0 unless given) and waits for its `ready` log line,
 * which carries the port it bound.
 */
export async function startServiceProcess(name: string, entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await waitForLine(child, /"msg":"ready"/, name);
  const port = (JSON.parse(line) as { port?: number }).port;
  if (!port) throw new Error(`${name} logged ready without a port: ${line}`);
  // SERVICE_LOG_DIR=<dir>: each service's log lines go to <dir>/<name>.log (debugging a failed run).
  const logDir = process.env.SERVICE_LOG_DIR;
  if (logDir) child.stdout?.pipe(createWriteStream(join(logDir, `${name}.log`), { flags: 'a' }));
  else child.stdout?.resume();
  return {
    name,
    port,
    child,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}
