import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** A Redis for one test suite. */
export interface TestRedis {
  url: string;
  /** How it was provided: `env` (REDIS_URL), `container` (testcontainers), `process` (redis-server) or `cluster` (a local Redis Cluster). */
  kind: 'env' | 'container' | 'process' | 'cluster';
  /** Stops what the helper started (nothing for `env`). */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as a crash would; `process` only. */
  crash?(): Promise<void>;
  /** Starts it again on the same port with the same data (AOF), killing it first if it runs; `process` only. */
  restart?(): Promise<void>;
}

/**
 * Gives a suite its own Redis: a local Redis Cluster if `TEST_REDIS_CLUSTER=1`, else
 * `REDIS_URL` if set (shared: use unique room names), else a
 * container when a Docker engine answers, else a `redis-server` started on a free port with
 * AOF on in a temporary folder.
 */
export async function startTestRedis(): Promise<TestRedis> {
  // `TEST_REDIS_CLUSTER=1`: the same suite against a local 3-master Redis Cluster.
  if (process.env.TEST_REDIS_CLUSTER === '1') return (await import('./redis-cluster.ts')).startRedisCluster();
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, kind: 'env', stop: async () => {} };
  if (dockerEngineAnswers()) return startContainer();
  return startRedisProcess();
}

function dockerEngineAnswers(): boolean {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<TestRedis> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7.4-alpine').start();
  return { url: container.getConnectionUrl(), kind: 'container', stop: async () => void (await container.stop()) };
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts `redis-server` on a free port; fails with a clear message when it is not installed. */
export async function startRedisProcess(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chitchat-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      // `always`: the fault tests SIGKILL Redis and assert that no acknowledged write is lost.
      // With `everysec` Redis may hold back an AOF write while a slow fsync runs and still
      // answer, so a crash then loses up to two seconds (README: Delivery guarantees); a busy
      // CI disk made exactly that happen once.
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await waitForLine(child, /Ready to accept connections/, `redis-server on port ${port}`);
  };
  const kill = async (): Promise<void> => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url,
    kind: 'process',
    crash: kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves when a child process prints a line matching `pattern` on stdout; rejects if it
 * exits or cannot start first. Output is kept flowing afterwards so the pipe never fills.
 */
export async function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  const stdout = child.stdout;
  if (!stdout) throw new Error(`${what}: stdout is not piped`);
  return new Promise<string>((resolve, reject) => {
    let buffered = '';
    let done = false;
    const onData = (chunk: Buffer): void => {
      if (done) return;
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const line = lines.find((l) => pattern.test(l));
      if (line !== undefined) finish(() => resolve(line));
    };
    const finish = (settle: () => void): void => {
      done = true;
      child.off('exit', onExit);
      child.off('error', onError);
      settle();
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(() => reject(new Error(`${what} exited (${signal ?? code}) before it was ready`)));
    const onError = (err: Error): void => finish(() => reject(new Error(`cannot start ${what} (is it installed? or set REDIS_URL): ${err.message}`)));
    stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
