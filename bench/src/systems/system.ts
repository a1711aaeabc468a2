import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSocket } from '../clients/socket.ts';
import type { ClientState, Ledger, SenderUser, WriteTarget } from '../traffic.ts';
import type { NodeProcess } from './process.ts';

export type SystemKind = 'chitchat' | 'baseline';

/** Which processes a scenario needs. */
export interface Topology {
  /** ChitChat's processes of each service. */
  gateways: number;
  ingests: number;
  workers: number;
  histories: number;
  /** Socket.IO instances of the baseline (it has no other process). */
  instances: number;
}

export interface SystemOptions {
  topology: Topology;
  /** Start the socket servers (and ChitChat's other services) with an inspector. */
  inspect: boolean;
  logDir: string;
  /** Services' LOG_LEVEL (ChitChat). */
  logLevel: string;
}

/** A process of the system under test, named by its role. */
export interface SystemProcess {
  /** `redis`, or a service (`socketio` for the baseline) and its instance: `gateway-0`, `ingest-1`. */
  name: string;
  pid: number;
}

/** A Redis command's calls and time over a window (from INFO commandstats). */
export interface CommandStat {
  command: string;
  calls: number;
  usec: number;
  usecPerCall: number;
}

/** A running system under test, ChitChat or the baseline, as the scenarios use it. */
export interface System {
  readonly kind: SystemKind;
  /** Where POST /v1/rooms/{room}/messages goes. */
  readonly write: WriteTarget;
  /** Origins serving GET /v1/rooms/{room}/messages. */
  readonly readOrigins: string[];
  /** The processes that hold the WebSockets (gateways, or Socket.IO instances). */
  readonly socketServers: NodeProcess[];
  /** Processes worth a CPU profile: the socket servers, and ChitChat's persistence workers, ingests and histories. */
  readonly profiled: NodeProcess[];
  /** Users that can send and subscribe (sessions for ChitChat). */
  users(prefix: string, n: number): Promise<SenderUser[]>;
  /** A client of `user` for its state's room, on socket server `server`. */
  socket(user: SenderUser, server: number, state: ClientState, ledger: Ledger): BenchSocket;
  /** Everything the system runs (services or instances, and redis-server), named by role: where the CPU went. */
  processes(): SystemProcess[];
  /** Process ids of processes(). */
  pids(): number[];
  /** Its Redis's INFO commandstats: calls and µs by command since Redis started. */
  redisCommands(): Promise<CommandCounters>;
  /** Stores `count` messages in a room directly in Redis, in the system's own format. */
  fill(room: string, count: number, text: (i: number) => string): Promise<void>;
  /** Messages accepted but not yet stored (ChitChat's persistence lag; 0 for the baseline, which stores before it answers). */
  storeBacklog(): Promise<number>;
  stop(): Promise<void>;
}

/** The process id of the redis-server behind a connection. */
export async function redisPid(redis: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
}

/** Calls and µs by command, as Redis counts them. */
export type CommandCounters = Map<string, { calls: number; usec: number }>;

/** Parses INFO commandstats (`cmdstat_xadd:calls=10,usec=52,usec_per_call=5.20,…`). */
export function parseCommandStats(info: string): CommandCounters {
  const out: CommandCounters = new Map();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) out.set(m[1] as string, { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

export async function commandStats(redis: { info(section: string): Promise<string> }): Promise<CommandCounters> {
  return parseCommandStats(await redis.info('commandstats'));
}

/** The `top` commands that took Redis the most time between two readings. */
export function commandsBetween(before: CommandCounters, after: CommandCounters, top: number): CommandStat[] {
  const out: CommandStat[] = [];
  for (const [command, a] of after) {
    // The benchmark's own reading, not the system's work.
    if (command === 'info') continue;
    const b = before.get(command) ?? { calls: 0, usec: 0 };
    const calls = a.calls - b.calls;
    const usec = a.usec - b.usec;
    if (calls > 0) out.push({ command, calls, usec, usecPerCall: Math.round((usec / calls) * 100) / 100 });
  }
  return out.sort((x, y) => y.usec - x.usec).slice(0, top);
}

/** The repository root: the nearest folder above with the workspace's package-lock.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package-lock.json)');
    dir = up;
  }
  return dir;
}
