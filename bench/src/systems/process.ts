import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@chitchat/testing';
import { sleep } from '../clock.ts';

/** A Node.js process of the system under test. */
export interface NodeProcess {
  name: string;
  /** Its HTTP port. */
  port: number;
  /** The inspector's port, when started with one (memory readings, CPU profiles). */
  inspectPort: number | undefined;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string>;
  /** Folder for the process's output (stdout and stderr). */
  logDir: string;
  inspect?: boolean;
  /** Path that answers 200 once the process can work. */
  readyPath?: string;
  timeoutMs?: number;
}

/**
 * Starts every process with `start`; if any fails, stops the ones that did start (none is
 * left behind retrying forever) and throws the first failure.
 */
export async function startAll(starts: (() => Promise<NodeProcess>)[]): Promise<NodeProcess[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<NodeProcess>).value);
  await Promise.all(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])));
  throw failed.reason;
}

/**
 * Starts `node <entry>` on a free port and waits until `readyPath` answers 200.
 *
 * Unlike startServiceProcess of @chitchat/testing, which waits for the `ready` log line, it
 * lets the service log at any level: at `info` every request is logged, and a benchmark
 * of a logging pipe would be a benchmark of the pipe. Output goes to a file, not through
 * the generator's event loop.
 *
 * A port found free can be taken by another process before the service binds it (on a
 * machine running test suites, it happens): the start is then tried again on another port.
 */
export async function startNode(name: string, entry: string, o: StartOptions): Promise<NodeProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(name, entry, o);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= 3) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(name: string, entry: string, o: StartOptions): Promise<NodeProcess> {
  const port = await freePort();
  const inspectPort = o.inspect ? await freePort() : undefined;
  const logFile = join(o.logDir, `${name}.log`);
  writeFileSync(logFile, '');
  const fd = openSync(logFile, 'a');
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), OTEL_SDK_DISABLED: 'true', ...o.env };
  // The generator's own flags (node --test, --cpu-prof) are not the service's.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const args = inspectPort === undefined ? [entry] : [`--inspect=127.0.0.1:${inspectPort}`, entry];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = once(child, 'exit');
  const proc: NodeProcess = {
    name,
    port,
    inspectPort,
    child,
    logFile,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = tail(logFile);
      throw new (/EADDRINUSE/.test(output) ? PortTaken : Error)(`${name} exited (${child.signalCode ?? child.exitCode}) before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${o.readyPath ?? '/readyz'}`);
      await res.body?.cancel();
      if (res.status === 200) {
        // Node runs on without an inspector when its port is taken: try again on others.
        if (inspectPort !== undefined && !readFileSync(logFile, 'utf8').includes(`Debugger listening on ws://127.0.0.1:${inspectPort}/`)) {
          await proc.stop();
          throw new PortTaken(`${name}: the inspector could not listen on ${inspectPort}`);
        }
        return proc;
      }
    } catch (err) {
      if (err instanceof PortTaken) throw err;
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${name} was not ready within ${o.timeoutMs ?? 30_000} ms:\n${tail(logFile)}`);
    }
    await sleep(50);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no output)';
  }
}
