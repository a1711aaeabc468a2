import { Pool } from 'undici';
import { nowUs } from '../clock.ts';
import { Windows } from '../histogram.ts';
import { openLoop } from '../load.ts';
import { messageText } from '../message.ts';
import { scaled, window, type BenchOptions } from '../options.ts';
import { mustBeZero, sleep } from './common.ts';
import type { RunContext, RunResult, Scenario } from './scenario.ts';

function params(o: BenchOptions) {
  return {
    messages: o.tiny ? 2000 : scaled(o, 100_000, 1000),
    rate: o.tiny ? 100 : scaled(o, 2000, 50),
    limit: 50,
    readers: o.tiny ? 5 : 100,
    warmupMs: o.tiny ? 500 : 3000,
    measureMs: window(o, 20, 1.5),
  };
}

/**
 * History reads: the latest page (50 messages) of a room of 100,000, GET at a fixed
 * open-loop rate over the read servers; latency from the scheduled time. Every 50th answer
 * is parsed and checked to hold the page asked for.
 */
export const history: Scenario = {
  name: 'history',
  title: 'Latest-50 history page of a large room at a fixed request rate',
  metrics: [
    { key: 'getP50', label: 'p50', unit: 'ms', better: 'lower' },
    { key: 'getP99', label: 'p99', unit: 'ms', better: 'lower', target: { op: '<=', value: 5 } },
    { key: 'getP999', label: 'p99.9', unit: 'ms', better: 'lower' },
    mustBeZero('errors', 'failed or wrong answers'),
  ],
  topology: () => ({ gateways: 0, ingests: 0, workers: 0, histories: 2, instances: 2 }),
  async run(ctx: RunContext): Promise<RunResult> {
    const p = params(ctx.options);
    const room = 'hist-0';
    ctx.log(`room of ${p.messages} messages, GET latest ${p.limit} at ${p.rate}/s`);
    await ctx.system.fill(room, p.messages, (i) => messageText({ room: 0, index: i, scheduledUs: 0 }, ctx.options.messageBytes));
    const readers = await ctx.system.users('reader', p.readers);
    const pools = ctx.system.readOrigins.map((origin) => new Pool(origin, { connections: 64, keepAliveTimeout: 60_000 }));
    const windows = new Windows();
    let inFlight = 0;
    let errors = 0;
    let checked = 0;
    try {
      const start = nowUs() + 50_000;
      const from = start + p.warmupMs * 1000;
      const hist = windows.open(from, from + p.measureMs * 1000);
      const fire = (at: number, n: number): void => {
        const reader = readers[n % readers.length] as (typeof readers)[number];
        const pool = pools[n % pools.length] as Pool;
        inFlight++;
        pool
          .request({ method: 'GET', path: `/v1/rooms/${room}/messages?limit=${p.limit}`, headers: { authorization: ctx.system.write.authorization(reader.name, reader.token) } })
          .then(async ({ statusCode, body }) => {
            const text = await body.text();
            windows.record(at, nowUs() - at);
            if (statusCode !== 200) errors++;
            else if (n % 50 === 0) {
              checked++;
              const page = JSON.parse(text) as { messages?: unknown[] };
              if (page.messages?.length !== p.limit) errors++;
            }
          })
          .catch(() => errors++)
          .finally(() => inFlight--);
      };
      const warm = await openLoop({ rate: p.rate, durationMs: p.warmupMs, startUs: start, fire });
      await ctx.measure.begin();
      const measured = await openLoop({ rate: p.rate, durationMs: p.measureMs, startUs: warm.endUs, fire: (at, n) => fire(at, n + warm.sent) });
      await ctx.measure.end();
      while (inFlight > 0) await sleep(20);
      const h = hist.percentiles();
      return {
        params: p,
        metrics: { getP50: h.p50, getP90: h.p90, getP99: h.p99, getP999: h.p999, getMax: h.max, requests: h.count, errors, checked, generatorLagP99: measured.lateness.percentiles().p99 },
        checks: { loss: 0, duplicates: 0, gaps: 0 },
        notes: errors > 0 ? [`${errors} requests failed or returned a wrong page`] : [],
      };
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  },
};
