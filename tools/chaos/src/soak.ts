import { setTimeout as delay } from 'node:timers/promises';
import { ChatClient, Sender } from '@chitchat/testing';
import { Cluster, isRunning } from './cluster.ts';

export interface SoakOptions {
  durationMs: number;
  clients?: number;
  rooms?: number;
  gateways?: number;
  workers?: number;
  senders?: number;
  /** Messages per second, all senders together. */
  rate?: number;
  /** A fault every this many ms. */
  faultEveryMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  accepted: number;
  stored: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Clients whose view of a room differs from its history. */
  divergent: number;
  faults: Record<string, number>;
  reconnects: number;
  retriedSends: number;
}

type Fault = 'kill-worker' | 'kill-gateway' | 'kill-pubsub' | 'kill-connections' | 'restart-redis' | 'stall-client';
const FAULTS: Fault[] = ['kill-worker', 'kill-gateway', 'kill-pubsub', 'kill-connections', 'restart-redis', 'stall-client'];

/**
 * The chaos soak: clients in rooms across several gateways, senders at a steady rate, and a
 * fault every few seconds. Then it checks that every accepted message is stored once, every
 * client saw every message of its rooms once and in order, and that views equal history.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const o = { clients: 50, rooms: 5, gateways: 3, workers: 2, senders: 10, rate: 40, faultEveryMs: 3000, log: () => {}, ...options };
  const cluster = await new Cluster({ gateways: o.gateways, workers: o.workers }).start();
  try {
    const rooms = Array.from({ length: o.rooms }, (_, i) => `soak-${i}`);
    const adminToken = await cluster.token('soak-admin');
    const clients = await Promise.all(
      Array.from({ length: o.clients }, async (_, i) => {
        const memberOf = [rooms[i % o.rooms] as string, rooms[(i + 1) % o.rooms] as string];
        return new ChatClient({ urls: () => cluster.gatewayUrls(), token: await cluster.token(`reader-${i}`), rooms: memberOf }).start();
      }),
    );
    const senders = await Promise.all(
      Array.from({ length: o.senders }, async (_, i) => new Sender({ base: () => cluster.ingestUrl, token: await cluster.token(`sender-${i}`), user: `sender-${i}` })),
    );

    const end = Date.now() + o.durationMs;
    const faults: Record<string, number> = {};
    const sending = senders.map(async (sender, i) => {
      const interval = (1000 * o.senders) / o.rate;
      let next = Date.now() + Math.random() * interval;
      for (let n = 0; Date.now() < end; n++) {
        await delay(Math.max(0, next - Date.now()));
        next += interval;
        await sender.send(rooms[(i + n) % o.rooms] as string, `sender-${i} #${n}`);
      }
    });
    const faulting = (async () => {
      const order = [...FAULTS].sort(() => Math.random() - 0.5);
      for (let k = 0; Date.now() + o.faultEveryMs < end; k++) {
        await delay(o.faultEveryMs);
        const fault = order[k % order.length] as Fault;
        faults[fault] = (faults[fault] ?? 0) + 1;
        o.log(`fault: ${fault}`);
        await inject(fault, cluster, clients);
      }
    })();
    await Promise.all([...sending, faulting]);

    // Everything back up; then every client must reach as many messages per room as were
    // accepted there (the pipeline may still be storing the last ones), within a minute.
    await healAll(cluster);
    const acceptedIn = (room: string): number => senders.reduce((n, s) => n + s.accepted.filter((a) => a.room === room).length, 0);
    const caughtUp = Promise.all(clients.flatMap((c) => [...c.received.keys()].map((room) => c.until(room, acceptedIn(room)))));
    const deadline = delay(60_000, undefined, { ref: false }).then(() => 'timeout' as const);
    if ((await Promise.race([caughtUp, deadline])) === 'timeout') o.log('some clients did not reach every accepted message within 60 s');
    const history = new Map(await Promise.all(rooms.map(async (r) => [r, await cluster.historyOf(r, adminToken)] as const)));
    for (const c of clients) c.stop();
    return report(senders, clients, history, faults);
  } finally {
    await cluster.stop();
  }
}

async function inject(fault: Fault, cluster: Cluster, clients: ChatClient[]): Promise<void> {
  const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)] as T;
  switch (fault) {
    case 'kill-worker': {
      const i = Math.floor(Math.random() * cluster.workers.length);
      await cluster.workers[i]?.kill('SIGKILL');
      await cluster.startWorker(i);
      return;
    }
    case 'kill-gateway': {
      const i = Math.floor(Math.random() * cluster.gateways.length);
      await cluster.gateways[i]?.kill('SIGKILL');
      await cluster.startGateway(i);
      return;
    }
    case 'kill-pubsub':
      await cluster.onEveryServer('CLIENT', 'KILL', 'TYPE', 'pubsub');
      return;
    case 'kill-connections':
      // Every service's command and blocking connections (not the test's own).
      await cluster.onEveryServer('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      return;
    case 'restart-redis':
      await cluster.redis.restart?.();
      return;
    case 'stall-client': {
      const client = pick(clients);
      client.pause();
      await delay(1500);
      client.resume();
      return;
    }
  }
}

async function healAll(cluster: Cluster): Promise<void> {
  for (let i = 0; i < cluster.workers.length; i++) if (!cluster.workers[i] || !isRunning(cluster.workers[i]!)) await cluster.startWorker(i);
  for (let i = 0; i < cluster.gateways.length; i++) if (!cluster.gateways[i] || !isRunning(cluster.gateways[i]!)) await cluster.startGateway(i);
}

function report(
  senders: Sender[],
  clients: ChatClient[],
  history: Map<string, { id: string; seq: number; user: string }[]>,
  faults: Record<string, number>,
): SoakReport {
  const accepted = senders.flatMap((s) => s.accepted);
  const stored = [...history.values()].flat();
  const storedIds = new Map<string, number>();
  for (const m of stored) storedIds.set(m.id, (storedIds.get(m.id) ?? 0) + 1);
  const lost = accepted.filter((a) => !storedIds.has(a.id)).length;
  let duplicated = [...storedIds.values()].filter((n) => n > 1).length;
  let reordered = 0;
  // Seqs must be 1..n and each sender's messages in the order it sent them.
  for (const [room, list] of history) {
    list.forEach((m, i) => {
      if (m.seq !== i + 1) reordered++;
    });
    for (const s of senders) {
      const sent = s.accepted.filter((a) => a.room === room).map((a) => a.id);
      const seen = list.filter((m) => sent.includes(m.id)).map((m) => m.id);
      seen.forEach((id, i) => {
        if (id !== sent[i]) reordered++;
      });
    }
  }
  let divergent = 0;
  let delivered = 0;
  for (const c of clients) {
    duplicated += c.duplicates;
    reordered += c.gaps;
    for (const [room, got] of c.received) {
      delivered += got.length;
      const want = history.get(room) ?? [];
      if (got.length !== want.length || got.some((m, i) => m.id !== want[i]?.id)) divergent++;
    }
  }
  return {
    accepted: accepted.length,
    stored: stored.length,
    delivered,
    lost,
    duplicated,
    reordered,
    divergent,
    faults,
    reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
    retriedSends: senders.reduce((n, s) => n + [...s.failures.values()].reduce((a, b) => a + b, 0), 0),
  };
}
