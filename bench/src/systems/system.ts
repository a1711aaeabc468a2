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
  /** Process ids of everything the system runs (services or instances, and redis-server). */
  pids(): number[];
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
