import { scaled, window, type BenchOptions } from '../options.ts';
import { Ledger, PostSender, type Room } from '../traffic.ts';
import { LOST, checksOf, closeAll, drain, failuresNote, makeRooms, openClients, trafficMetrics } from './common.ts';
import { bestStep, ramp } from './ramp.ts';
import type { RunContext, RunResult, Scenario } from './scenario.ts';

function params(o: BenchOptions) {
  const rates: number[] = [];
  if (o.tiny) rates.push(50, 100);
  else for (let r = scaled(o, 500, 20), cap = scaled(o, 50_000, 100); r <= cap; r = Math.round(r * 1.25)) rates.push(r);
  return {
    rooms: o.tiny ? 4 : scaled(o, 100, 4),
    senders: o.tiny ? 5 : scaled(o, 100, 5),
    rates: rates.join(','),
    warmupMs: o.tiny ? 500 : 1000,
    measureMs: window(o, 4, 1),
    maxPostP99Ms: 50,
  };
}

/**
 * The highest sustained send rate: open-loop POSTs over 100 rooms at a rising rate (×1.25 a
 * step) until POST p99 passes 50 ms or the pipeline falls behind. One listener per room
 * measures the whole path, so a growing persistence lag shows as a growing backlog; the
 * end-to-end percentiles per step are the chart of latency against send rate.
 */
export const ingest: Scenario = {
  name: 'ingest',
  title: 'Highest sustained send rate (POST p99 <= 50 ms, no growing lag)',
  metrics: [
    { key: 'maxRate', label: 'highest sustained rate', unit: 'msg/s', better: 'higher', target: { op: '>=', value: 20_000 } },
    { key: 'postP99', label: 'POST p99 at that rate', unit: 'ms', better: 'lower' },
    { key: 'e2eP99', label: 'end-to-end p99 at that rate', unit: 'ms', better: 'lower' },
    LOST,
  ],
  topology: () => ({ gateways: 2, ingests: 2, workers: 2, histories: 0, instances: 2 }),
  async run(ctx: RunContext): Promise<RunResult> {
    const p = params(ctx.options);
    const rooms = makeRooms('ing', p.rooms);
    const ledger = new Ledger();
    ctx.log(`${p.rooms} rooms with one listener each, ${p.senders} senders, rates ${p.rates}`);
    const { sockets, states } = await openClients(ctx, ledger, rooms, p.rooms);
    const sender = new PostSender(ctx.system.write, await ctx.system.users('sender', p.senders), ledger, ctx.options.messageBytes);
    try {
      let k = 0;
      const steps = await ramp(ctx, {
        rates: p.rates.split(',').map(Number),
        warmupMs: p.warmupMs,
        measureMs: p.measureMs,
        rooms,
        ledger,
        fanout: 1,
        maxPostP99Ms: p.maxPostP99Ms,
        drainMs: 10_000,
        fire: (at) => sender.fire(rooms[k++ % rooms.length] as Room, at),
      });
      const storeBacklog = await ctx.system.storeBacklog();
      const drained = await drain(ledger, rooms, 60_000);
      const best = bestStep(steps);
      const checks = checksOf(states);
      return {
        params: p,
        metrics: {
          maxRate: best?.rate ?? 0,
          postP99: best?.post?.p99 ?? 0,
          e2eP99: best?.e2e.p99 ?? 0,
          storeBacklogAfterRamp: storeBacklog,
          ...trafficMetrics(ledger, states),
          ...checks,
        },
        checks,
        steps,
        notes: [
          ...failuresNote(ledger),
          ...(best ? [] : ['not even the first rate was sustained']),
          ...(drained ? [] : ['not every accepted message was delivered within 60 s of the last send']),
        ],
      };
    } finally {
      closeAll(sockets);
      await sender.close();
    }
  },
};
