import type { BenchSocket } from '../clients/socket.ts';
import { inBatches, nowUs, sleep, waitFor } from '../clock.ts';
import type { Percentiles } from '../histogram.ts';
import { ClientState, Room, lossOf, owed, type Ledger } from '../traffic.ts';
import type { MetricSpec, RunContext, RunResult } from './scenario.ts';

/** A correctness count every run must keep at 0; summed over runs, never compared as a ratio. */
export function mustBeZero(key: string, label: string): MetricSpec {
  return { key, label, unit: '', better: 'lower', target: { op: '=', value: 0 }, compare: false };
}

/** Deliveries the clients never got: every scenario that sends messages reports it. */
export const LOST = mustBeZero('loss', 'lost deliveries');

export function makeRooms(prefix: string, n: number): Room[] {
  return Array.from({ length: n }, (_, i) => new Room(`${prefix}-${i}`, i));
}

export interface Clients {
  sockets: BenchSocket[];
  states: ClientState[];
  /** How long connecting and subscribing all of them took. */
  connectMs: number;
}

/**
 * Opens `n` clients, client i in room i mod rooms, as user i mod `distinctUsers` (named
 * `<userPrefix><i>`: a name is held by one session, so each batch needs its own). A room's
 * members alternate between the socket servers, so every message crosses from one to the other.
 */
export async function openClients(ctx: RunContext, ledger: Ledger, rooms: Room[], n: number, distinctUsers = n, userPrefix = 'client'): Promise<Clients> {
  const users = await ctx.system.users(userPrefix, Math.min(n, distinctUsers));
  const servers = ctx.system.socketServers.length;
  const states: ClientState[] = [];
  const sockets: BenchSocket[] = [];
  for (let i = 0; i < n; i++) {
    const room = rooms[i % rooms.length] as Room;
    room.members++;
    const state = new ClientState(room);
    states.push(state);
    sockets.push(ctx.system.socket(users[i % users.length] as (typeof users)[number], Math.floor(i / rooms.length) % servers, state, ledger));
  }
  const started = nowUs();
  // A few hundred handshakes at a time: thousands at once would overflow the listen backlog
  // and measure SYN retries rather than the server.
  await inBatches(sockets, 250, (s) => s.connect());
  return { sockets, states, connectMs: (nowUs() - started) / 1000 };
}

/** Waits until every POST is answered and every accepted message reached every member of its room. */
export async function drain(ledger: Ledger, rooms: Room[], timeoutMs: number): Promise<boolean> {
  return waitFor(() => ledger.inFlight === 0 && ledger.delivered >= owed(rooms), timeoutMs, 50);
}

/** Loss, duplicates and gaps over all clients. */
export function checksOf(states: readonly ClientState[]): RunResult['checks'] {
  let duplicates = 0;
  let gaps = 0;
  for (const s of states) {
    duplicates += s.duplicates;
    gaps += s.gaps;
  }
  return { loss: lossOf(states), duplicates, gaps };
}

/** Figures every scenario with traffic reports besides its own. */
export function trafficMetrics(ledger: Ledger, states: readonly ClientState[]): Record<string, number> {
  let closes = 0;
  let redundant = 0;
  for (const s of states) {
    closes += s.unexpectedCloses.length;
    redundant += s.redundant;
  }
  return {
    accepted: ledger.accepted,
    delivered: ledger.delivered,
    sendErrors: ledger.failed,
    unexpectedCloses: closes,
    redundant,
    presenceFrames: ledger.presenceFrames,
    presenceMB: Math.round(ledger.presenceBytes / 1e4) / 100,
  };
}

export function closeAll(sockets: readonly BenchSocket[]): void {
  for (const s of sockets) s.close();
}

/** Percentiles as figures named `<prefix>P50`… */
export function percentileMetrics(prefix: string, p: Percentiles): Record<string, number> {
  return { [`${prefix}P50`]: p.p50, [`${prefix}P90`]: p.p90, [`${prefix}P99`]: p.p99, [`${prefix}P999`]: p.p999, [`${prefix}Max`]: p.max, [`${prefix}Count`]: p.count };
}

export function failuresNote(ledger: Ledger): string[] {
  return ledger.failed > 0 ? [`send failures: ${JSON.stringify(Object.fromEntries(ledger.failures))}`] : [];
}

export { sleep };
