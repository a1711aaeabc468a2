import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, waitForLine, type TestRedis } from './redis-server.ts';

const run = promisify(execFile);

/** One `redis-server` of a local Redis Cluster. */
export interface ClusterNode {
  port: number;
  child: ChildProcess | undefined;
}

export interface TestRedisCluster extends TestRedis {
  kind: 'cluster';
  nodes: ClusterNode[];
  /** The port of the master serving a key now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs one node, as a crash would. */
  killNode(port: number): Promise<void>;
  /** Resolves once `port` is a replica again or gone, and every slot has a master that answers. */
  untilHealthy(): Promise<void>;
}

/**
 * A Redis Cluster on this machine from the `redis-server` binary: `masters` masters with
 * `replicas` replicas each, on free ports, with AOF, created with `redis-cli --cluster
 * create`. Node timeout is short (1 s) so a killed master's replica takes over quickly.
 */
export async function startRedisCluster({ masters = 3, replicas = 1 }: { masters?: number; replicas?: number } = {}): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'chitchat-cluster-'));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < masters * (1 + replicas); i++) nodes.push({ port: await freePort(), child: undefined });
  const launch = async (node: ClusterNode): Promise<void> => {
    const child = spawn(
      'redis-server',
      [
        '--port', String(node.port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${node.port}.rdb`,
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${node.port}.conf`, '--cluster-node-timeout', '1000',
        '--appendonly', 'yes', '--appendfsync', 'always', '--appendfilename', `appendonly-${node.port}.aof`, '--appenddirname', `aof-${node.port}`, '--save', '',
        '--maxmemory-policy', 'noeviction',
        // A replica syncs at once (Redis waits 5 s by default to serve several together):
        // one that has never synced refuses to take over from a dead master.
        '--repl-diskless-sync-delay', '0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    node.child = child;
    await waitForLine(child, /Ready to accept connections/, `cluster node on port ${node.port}`);
  };
  await Promise.all(nodes.map(launch));
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
  const cli = async (port: number, ...args: string[]): Promise<string> => (await run('redis-cli', ['-p', String(port), ...args], { timeout: 5000 })).stdout;
  const alive = () => nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);
  const untilHealthy = async (): Promise<void> => {
    // Cluster state is gossip: there is no event to wait for, only the state to look at.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(alive().map((n) => cli(n.port, 'cluster', 'info').catch(() => '')));
      // Healthy also means every replica has synced with its master: a replica that never
      // has (just created, or just back from a crash) cannot take over if that master dies.
      const links = await Promise.all(alive().map((n) => cli(n.port, 'info', 'replication').catch(() => '')));
      const synced = links.every((info) => !info.includes('role:slave') || info.includes('master_link_status:up'));
      if (synced && states.every((s) => s.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error(`cluster not healthy after 30 s: ${states.map((s) => /cluster_state:\w+/.exec(s)?.[0]).join(', ')}`);
      await delay(100);
    }
  };
  await untilHealthy();
  const mastersNow = async (): Promise<number[]> => {
    const text = await cli(alive()[0]?.port ?? 0, 'cluster', 'nodes');
    return text
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, , flags = '']) => flags.includes('master') && !flags.includes('fail'))
      .map(([, address = '']) => Number(address.split('@')[0]?.split(':')[1]));
  };
  const kill = async (node: ClusterNode): Promise<void> => {
    const child = node.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis+cluster://${addresses.slice(0, masters).join(',')}`,
    kind: 'cluster',
    nodes,
    async masterOf(key: string): Promise<number> {
      const slot = Number((await cli(alive()[0]?.port ?? 0, 'cluster', 'keyslot', key)).trim());
      const shards = await cli(alive()[0]?.port ?? 0, 'cluster', 'nodes');
      for (const line of shards.split('\n')) {
        const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ');
        if (!flags.includes('master') || flags.includes('fail')) continue;
        for (const range of ranges) {
          const [from, to = from] = range.split('-').map(Number) as [number, number?];
          if (slot >= from && slot <= (to ?? from)) return Number(address.split('@')[0]?.split(':')[1]);
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    killNode: async (port: number) => {
      const node = nodes.find((n) => n.port === port);
      if (node) await kill(node);
    },
    untilHealthy,
    // A master crashes: its replica takes over (the nodes' timeout is 1 s).
    crash: async () => {
      const [port] = await mastersNow();
      const node = nodes.find((n) => n.port === port);
      if (node) await kill(node);
    },
    // A master crashes, its replica takes over, and it comes back (as a replica) with its AOF.
    restart: async () => {
      const [port] = await mastersNow();
      const node = nodes.find((n) => n.port === port);
      if (!node) return;
      await kill(node);
      await untilHealthy();
      await launch(node);
      await untilHealthy();
    },
    stop: async () => {
      await Promise.all(nodes.map(kill));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
