import { scaled, window, type BenchOptions } from '../options.ts';
import { Ledger, PostSender, type Room } from '../traffic.ts';
import { LOST, checksOf, closeAll, drain, failuresNote, makeRooms, openClients, trafficMetrics } from './common.ts';
import { bestStep, ramp } from './ramp.ts';
import type { RunContext, RunResult, Scenario } from './scenario.ts';

function params(o: BenchOptions) {
  const clients = o.tiny ? 40 : scaled(o, 5000, 20);
  return {
    clients,
    // ChitChat publishes the room's whole user list to every member on each join, so n
    // distinct users joining one room cost O(n²) frames and O(n³) bytes (1,000 users: 4.3 GB
    // of presence frames; 5,000 would be about 0.5 TB, see README.md). The connections
    // therefore belong to at most 100 users (each with many devices) unless --fanout-users
    // says otherwise.
    users: Math.min(clients, o.fanoutUsers ?? 100),
    rates: (o.tiny ? [5, 10] : [10, 20, 30, 40, 50, 60, 80, 100, 130, 160, 200, 250]).join(','),
    senders: o.tiny ? 2 : 10,
    warmupMs: o.tiny ? 500 : 1000,
    measureMs: window(o, 3, 1),
  };
}

/**
 * Fan-out: one room, thousands of clients across two socket servers; the send rate rises
 * step by step and each step counts the deliveries per second that arrive at the clients.
 * The figure is the best sustained step (no growing backlog, no failed send).
 */
export const fanout: Scenario = {
  name: 'fanout',
  title: 'Fan-out to one room, deliveries per second counted at the clients',
  metrics: [
    { key: 'deliveriesPerSecond', label: 'sustained deliveries', unit: '/s', better: 'higher', target: { op: '>=', value: 200_000 } },
    { key: 'rate', label: 'at send rate', unit: 'msg/s', better: 'higher' },
    { key: 'e2eP50', label: 'end-to-end p50 at that rate', unit: 'ms', better: 'lower' },
    { key: 'e2eP99', label: 'end-to-end p99 at that rate', unit: 'ms', better: 'lower' },
    { key: 'connectMs', label: 'all clients connected and subscribed in', unit: 'ms', better: 'lower' },
    LOST,
  ],
  topology: () => ({ gateways: 2, ingests: 1, workers: 1, histories: 0, instances: 2 }),
  async run(ctx: RunContext): Promise<RunResult> {
    const p = params(ctx.options);
    const rooms = makeRooms('fan', 1);
    const ledger = new Ledger();
    ctx.log(`${p.clients} clients (${p.users} users) in one room; rates ${p.rates} msg/s`);
    const { sockets, states, connectMs } = await openClients(ctx, ledger, rooms, p.clients, p.users);
    ctx.log(`  connected in ${Math.round(connectMs)} ms`);
    const sender = new PostSender(ctx.system.write, await ctx.system.users('sender', p.senders), ledger, ctx.options.messageBytes);
    try {
      const room = rooms[0] as Room;
      const steps = await ramp(ctx, {
        rates: p.rates.split(',').map(Number),
        warmupMs: p.warmupMs,
        measureMs: p.measureMs,
        rooms,
        ledger,
        fanout: p.clients,
        drainMs: 10_000,
        fire: (at) => sender.fire(room, at),
      });
      const drained = await drain(ledger, rooms, 30_000);
      const best = bestStep(steps);
      const checks = checksOf(states);
      return {
        params: p,
        metrics: {
          deliveriesPerSecond: best?.achieved ?? 0,
          rate: best?.rate ?? 0,
          e2eP50: best?.e2e.p50 ?? 0,
          e2eP99: best?.e2e.p99 ?? 0,
          connectMs,
          ...trafficMetrics(ledger, states),
          ...checks,
        },
        checks,
        steps,
        notes: [...failuresNote(ledger), ...(drained ? [] : ['not every accepted message reached every client within 30 s'])],
      };
    } finally {
      closeAll(sockets);
      await sender.close();
    }
  },
};
