import { nowUs } from '../clock.ts';
import { openLoop } from '../load.ts';
import { scaled, window, type BenchOptions } from '../options.ts';
import { Ledger, PostSender, type Room } from '../traffic.ts';
import { LOST, checksOf, closeAll, drain, failuresNote, makeRooms, openClients, percentileMetrics, trafficMetrics } from './common.ts';
import type { RunContext, RunResult, Scenario } from './scenario.ts';

function params(o: BenchOptions) {
  const roomSize = o.tiny ? 5 : 10;
  const clients = o.tiny ? 20 : scaled(o, 1000, roomSize * 2);
  return {
    clients,
    roomSize,
    rooms: Math.ceil(clients / roomSize),
    rate: o.tiny ? 50 : scaled(o, 1000, 20),
    senders: o.tiny ? 5 : scaled(o, 100, 5),
    warmupMs: o.tiny ? 500 : 5000,
    measureMs: window(o, 30, 1.5),
  };
}

/**
 * End-to-end latency at a fixed rate: clients in rooms of 10 across two socket servers,
 * messages POSTed on an open-loop schedule round-robin over the rooms; latency is from the
 * scheduled send time (inside the message) to the frame's receipt, per receiving client.
 */
export const latency: Scenario = {
  name: 'latency',
  title: 'End-to-end latency, POST to WebSocket receipt, at a fixed rate',
  metrics: [
    { key: 'e2eP50', label: 'p50', unit: 'ms', better: 'lower' },
    { key: 'e2eP99', label: 'p99', unit: 'ms', better: 'lower', target: { op: '<=', value: 10 } },
    { key: 'e2eP999', label: 'p99.9', unit: 'ms', better: 'lower' },
    { key: 'e2eMax', label: 'max', unit: 'ms', better: 'lower' },
    { key: 'postP99', label: 'POST answered, p99', unit: 'ms', better: 'lower' },
    LOST,
    { key: 'generatorLagP99', label: 'generator lag p99', unit: 'ms', better: 'lower', compare: false },
  ],
  topology: () => ({ gateways: 2, ingests: 2, workers: 2, histories: 0, instances: 2 }),
  async run(ctx: RunContext): Promise<RunResult> {
    const p = params(ctx.options);
    const rooms = makeRooms('lat', p.rooms);
    const ledger = new Ledger();
    ctx.log(`${p.clients} clients in ${p.rooms} rooms, ${p.rate} msg/s for ${(p.warmupMs + p.measureMs) / 1000} s (${p.warmupMs / 1000} s warm-up)`);
    const { sockets, states, connectMs } = await openClients(ctx, ledger, rooms, p.clients);
    const sender = new PostSender(ctx.system.write, await ctx.system.users('sender', p.senders), ledger, ctx.options.messageBytes);
    try {
      let k = 0;
      const fire = (at: number): void => sender.fire(rooms[k++ % rooms.length] as Room, at);
      const start = nowUs() + 50_000;
      const measuredFrom = start + p.warmupMs * 1000;
      const e2e = ledger.e2e.open(measuredFrom, measuredFrom + p.measureMs * 1000);
      const post = ledger.post.open(measuredFrom, measuredFrom + p.measureMs * 1000);
      const warm = await openLoop({ rate: p.rate, durationMs: p.warmupMs, startUs: start, fire });
      await ctx.measure.begin();
      const measured = await openLoop({ rate: p.rate, durationMs: p.measureMs, startUs: warm.endUs, fire });
      await ctx.measure.end();
      const drained = await drain(ledger, rooms, 15_000);
      const e = e2e.percentiles();
      return {
        params: p,
        metrics: {
          ...percentileMetrics('e2e', e),
          ...percentileMetrics('post', post.percentiles()),
          ...trafficMetrics(ledger, states),
          ...checksOf(states),
          generatorLagP99: measured.lateness.percentiles().p99,
          connectMs,
        },
        checks: checksOf(states),
        notes: [...failuresNote(ledger), ...(drained ? [] : ['not every delivery arrived within 15 s of the last send'])],
      };
    } finally {
      closeAll(sockets);
      await sender.close();
    }
  },
};
