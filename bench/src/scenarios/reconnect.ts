import { nowUs, sleep, waitFor } from '../clock.ts';
import { Latency } from '../histogram.ts';
import { openLoop } from '../load.ts';
import { scaled, type BenchOptions } from '../options.ts';
import { Ledger, PostSender, type Room } from '../traffic.ts';
import { LOST, checksOf, closeAll, drain, failuresNote, makeRooms, mustBeZero, openClients, trafficMetrics } from './common.ts';
import type { RunContext, RunResult, Scenario } from './scenario.ts';

function params(o: BenchOptions) {
  const roomSize = o.tiny ? 10 : 50;
  const clients = o.tiny ? 40 : scaled(o, 5000, roomSize * 2);
  return {
    clients,
    roomSize,
    rooms: Math.ceil(clients / roomSize),
    rate: o.tiny ? 40 : scaled(o, 250, 20),
    senders: o.tiny ? 4 : scaled(o, 50, 4),
    warmupMs: o.tiny ? 500 : 2000,
    /** How long the clients stay away: messages keep coming meanwhile. */
    downMs: o.tiny ? 300 : 1000,
    /** The longest the catch-up may take before the run gives up on it. */
    catchUpLimitMs: 60_000,
    /** Traffic after everyone caught up, to check live delivery continues without a gap. */
    tailMs: o.tiny ? 500 : 2000,
  };
}

/**
 * Reconnect storm: every client drops its connection at once while messages keep flowing,
 * stays away a second, then all reconnect at once and resume (ChitChat: `since` = the last
 * seq seen). The figure is the time from the reconnect until every client has every message
 * that had been accepted before it; then traffic goes on for a while and every client must
 * end with every message of its room exactly once, in order.
 */
export const reconnect: Scenario = {
  name: 'reconnect',
  title: 'Reconnect storm: all clients drop at once and resume',
  metrics: [
    { key: 'allCaughtUpMs', label: 'all caught up after', unit: 'ms', better: 'lower', target: { op: '<', value: 3000 } },
    { key: 'caughtUpP50', label: 'per-client catch-up p50', unit: 'ms', better: 'lower' },
    { key: 'caughtUpP99', label: 'per-client catch-up p99', unit: 'ms', better: 'lower' },
    mustBeZero('gaps', 'gaps'),
    mustBeZero('duplicates', 'duplicates'),
    LOST,
  ],
  topology: () => ({ gateways: 2, ingests: 1, workers: 2, histories: 0, instances: 2 }),
  async run(ctx: RunContext): Promise<RunResult> {
    const p = params(ctx.options);
    const rooms = makeRooms('rec', p.rooms);
    const ledger = new Ledger();
    ctx.log(`${p.clients} clients in ${p.rooms} rooms, ${p.rate} msg/s; all drop for ${p.downMs} ms`);
    const { sockets, states } = await openClients(ctx, ledger, rooms, p.clients);
    const sender = new PostSender(ctx.system.write, await ctx.system.users('sender', p.senders), ledger, ctx.options.messageBytes);
    const stopSending = new AbortController();
    try {
      let k = 0;
      const sending = openLoop({
        rate: p.rate,
        durationMs: p.warmupMs + p.downMs + p.catchUpLimitMs + p.tailMs,
        fire: (at) => sender.fire(rooms[k++ % rooms.length] as Room, at),
        signal: stopSending.signal,
      });
      await sleep(p.warmupMs);
      for (const s of sockets) s.drop();
      await sleep(p.downMs);
      // Caught up = has every message of the room up to the longest run of accepted ones now.
      const t0 = nowUs();
      const prefix = new Map(rooms.map((r) => [r, r.accepted.prefix()]));
      let missed = 0;
      for (const s of states) {
        s.catchUpTo = prefix.get(s.room) ?? 0;
        missed += Math.max(0, s.catchUpTo - s.contiguous);
      }
      await ctx.measure.begin();
      const resumed = Promise.allSettled(sockets.map((s) => s.connect()));
      const caughtUp = await waitFor(() => ledger.caughtUp === states.length, p.catchUpLimitMs, 5);
      await ctx.measure.end();
      const failedConnects = (await resumed).filter((r) => r.status === 'rejected').length;
      const perClient = new Latency();
      let last = 0;
      for (const s of states) {
        if (s.caughtUpAtUs === 0) continue;
        perClient.record(s.caughtUpAtUs - t0);
        last = Math.max(last, s.caughtUpAtUs - t0);
      }
      await sleep(p.tailMs);
      stopSending.abort();
      await sending;
      const drained = await drain(ledger, rooms, 30_000);
      const checks = checksOf(states);
      const c = perClient.percentiles();
      return {
        params: p,
        metrics: {
          allCaughtUpMs: caughtUp ? Math.round(last / 100) / 10 : -1,
          caughtUpP50: c.p50,
          caughtUpP99: c.p99,
          notCaughtUp: states.filter((s) => s.caughtUpAtUs === 0).length,
          failedConnects,
          missedWhileDown: missed,
          ...trafficMetrics(ledger, states),
          ...checks,
        },
        checks,
        notes: [
          ...failuresNote(ledger),
          ...(caughtUp ? [] : [`${states.filter((s) => s.caughtUpAtUs === 0).length} clients had not caught up after ${p.catchUpLimitMs / 1000} s`]),
          ...(drained ? [] : ['not every accepted message was delivered within 30 s of the last send']),
        ],
      };
    } finally {
      stopSending.abort();
      closeAll(sockets);
      await sender.close();
    }
  },
};
