import { sleep } from '../clock.ts';
import { scaled, type BenchOptions } from '../options.ts';
import { Inspector, type MemoryReading } from '../systems/inspector.ts';
import type { NodeProcess } from '../systems/process.ts';
import { Ledger } from '../traffic.ts';
import { closeAll, makeRooms, openClients, trafficMetrics } from './common.ts';
import type { RunContext, RunResult, Scenario } from './scenario.ts';

function params(o: BenchOptions) {
  const roomSize = o.tiny ? 5 : 10;
  const clients = o.tiny ? 50 : scaled(o, 10_000, roomSize * 2);
  return { clients, roomSize, rooms: Math.ceil(clients / roomSize), warmupClients: Math.min(1000, Math.max(20, Math.round(clients / 10))), settleMs: o.tiny ? 500 : 3000 };
}

/**
 * Memory per connection: one socket server, read (after a forced full GC, through the
 * inspector) once warmed up without clients, and again with every client connected and
 * subscribed, idle. The difference over the number of connections is what one costs.
 */
export const memory: Scenario = {
  name: 'memory',
  title: 'Memory per idle subscribed connection on one socket server (after GC)',
  metrics: [
    { key: 'heapPerConnection', label: 'heap per connection', unit: 'KB', better: 'lower', target: { op: '<=', value: 5 } },
    { key: 'rssPerConnection', label: 'RSS per connection', unit: 'KB', better: 'lower', target: { op: '<=', value: 15 } },
    { key: 'externalPerConnection', label: 'external (buffers) per connection', unit: 'KB', better: 'lower' },
    { key: 'connectMs', label: 'all clients connected and subscribed in', unit: 'ms', better: 'lower' },
  ],
  topology: () => ({ gateways: 1, ingests: 0, workers: 0, histories: 0, instances: 1 }),
  inspect: true,
  async run(ctx: RunContext): Promise<RunResult> {
    const p = params(ctx.options);
    const server = ctx.system.socketServers[0] as NodeProcess;
    if (server.inspectPort === undefined) throw new Error('the socket server has no inspector');
    const inspector = await Inspector.connect(server.inspectPort);
    try {
      // Warm-up: a first batch of clients comes and goes, so the code that serves a
      // connection is compiled (and its one-off cost not spread over the measured ones).
      const warmRooms = makeRooms('memwarm', Math.ceil(p.warmupClients / p.roomSize));
      closeAll((await openClients(ctx, new Ledger(), warmRooms, p.warmupClients, p.warmupClients, 'warmup')).sockets);
      await sleep(p.settleMs);
      const before = await inspector.memory();
      const rooms = makeRooms('mem', p.rooms);
      const ledger = new Ledger();
      ctx.log(`${p.clients} idle clients in ${p.rooms} rooms on one socket server`);
      // The measured window (CPU use, profiles) is the connection storm and the reading.
      await ctx.measure.begin();
      const { sockets, states, connectMs } = await openClients(ctx, ledger, rooms, p.clients);
      try {
        await sleep(p.settleMs);
        const after = await inspector.memory();
        await ctx.measure.end();
        const per = (key: keyof MemoryReading): number => Math.round(((after[key] - before[key]) / p.clients / 1024) * 100) / 100;
        const open = states.filter((s) => s.subscribed).length;
        return {
          params: p,
          metrics: {
            heapPerConnection: per('heapUsed'),
            rssPerConnection: per('rss'),
            externalPerConnection: per('external'),
            arrayBuffersPerConnection: per('arrayBuffers'),
            heapBeforeMB: Math.round(before.heapUsed / 1e4) / 100,
            heapAfterMB: Math.round(after.heapUsed / 1e4) / 100,
            rssBeforeMB: Math.round(before.rss / 1e4) / 100,
            rssAfterMB: Math.round(after.rss / 1e4) / 100,
            connectMs,
            subscribedAtReading: open,
            ...trafficMetrics(ledger, states),
          },
          checks: { loss: 0, duplicates: 0, gaps: 0 },
          notes: open < p.clients ? [`only ${open} of ${p.clients} clients were subscribed when memory was read`] : [],
        };
      } finally {
        closeAll(sockets);
      }
    } finally {
      inspector.close();
    }
  },
};
