/** The generator's own parts: tags in message texts, the delivery bitset, the open loop, medians. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitSet } from '../src/bitset.ts';
import { latencyChart } from '../src/chart.ts';
import { nowUs } from '../src/clock.ts';
import { openLoop } from '../src/load.ts';
import { integerAfter, messageText, stringAfter, tagOf } from '../src/message.ts';
import { median } from '../src/report.ts';
import { CpuMeter, roleOf, type CpuReading } from '../src/systems/cpu.ts';
import { commandsBetween, parseCommandStats } from '../src/systems/system.ts';

test('a message text carries its tag, padded to the size asked for, and the tag is found again in a frame', () => {
  const text = messageText({ room: 12, index: 345, scheduledUs: 1_700_000_000_123_456 }, 128);
  assert.equal(text.length, 128);
  const frame = JSON.stringify({ type: 'message', room: 'lat-12', message: { id: 'x', seq: 346, user: 'sender1', text, ts: 1 } });
  assert.deepEqual(tagOf(frame), { room: 12, index: 345, scheduledUs: 1_700_000_000_123_456 });
  assert.equal(integerAfter(frame, '"seq":'), 346);
  assert.equal(stringAfter(frame, '"id":"'), 'x');
  assert.equal(tagOf('{"type":"message","message":{"text":"hello"}}'), undefined);
  assert.equal(tagOf('{"text":"b|1|2|"}'), undefined, 'a truncated tag is no tag');
});

test('the bitset counts distinct members, what another set lacks, and the unbroken prefix', () => {
  const accepted = new BitSet();
  const seen = new BitSet();
  for (let i = 0; i < 1000; i++) accepted.add(i);
  for (let i = 0; i < 1000; i++) if (i !== 17 && i !== 999) seen.add(i);
  assert.equal(seen.add(5), false, 'a second add is not new');
  assert.equal(accepted.size, 1000);
  assert.equal(accepted.missingFrom(seen), 2);
  assert.equal(seen.missingFrom(accepted), 0);
  assert.equal(seen.prefix(), 17);
});

test('the open loop fires on schedule, each send with its own due time, and does not wait for anything', async () => {
  const due: number[] = [];
  const start = nowUs() + 10_000;
  const result = await openLoop({ rate: 400, durationMs: 250, startUs: start, fire: (at) => due.push(at) });
  assert.equal(result.sent, 100);
  assert.equal(due.length, 100);
  due.forEach((at, i) => assert.ok(Math.abs(at - (start + i * 2500)) <= 1, `send ${i} due at its slot`));
  assert.ok(nowUs() >= due.at(-1)!, 'nothing fires before it is due');
  assert.equal(result.endUs, start + 250_000);
});

test('the median of runs ignores missing values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([Number.NaN, 5]), 5);
  assert.ok(Number.isNaN(median([])));
});

test('the chart is an SVG with a line per percentile and system', () => {
  const step = (rate: number, ms: number) => ({ rate, achieved: rate, e2e: { p50: ms, p99: ms * 3, p999: ms * 5 } });
  const svg = latencyChart([{ system: 'ChitChat', steps: [step(1000, 1), step(2000, 2)] }, { system: 'baseline', steps: [step(1000, 2), { ...step(2000, 9), failed: 'x' }] }], 'title');
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<polyline/g)?.length, 6);
  assert.equal(latencyChart([], 'empty'), '');
});

test('the CPU of a window is split by process and role, and the parts add up to the system', () => {
  const reading = (at: number, ticks: Record<string, [pid: number, ticks: number]>): CpuReading => ({
    at,
    busy: at / 5, // 2 cores busy the whole time at 100 ticks/s
    generator: at / 40,
    processes: new Map(Object.entries(ticks).map(([name, [pid, t]]) => [name, { pid, ticks: t }])),
  });
  const from = reading(10_000, { redis: [1, 500], 'gateway-0': [2, 100], 'gateway-1': [3, 100], 'ingest-0': [4, 50] });
  // 2 s later; ingest-0 was restarted (another pid) in between, so all its ticks are the window's.
  const to = reading(12_000, { redis: [1, 690], 'gateway-0': [2, 161], 'gateway-1': [3, 155], 'ingest-0': [9, 20] });
  const use = CpuMeter.between(from, to);
  assert.ok(use);
  assert.deepEqual(use.cpuByProcess, { redis: 0.95, 'gateway-0': 0.31, 'gateway-1': 0.28, 'ingest-0': 0.1 });
  assert.deepEqual(use.cpuByRole, { redis: 0.95, gateway: 0.58, ingest: 0.1 });
  assert.equal(use.cpuSystem, 1.63);
  assert.equal(use.cpuGenerator, 0.25);
  assert.equal(use.cpuOther, 0.12);
  assert.equal(CpuMeter.between(to, to), undefined, 'no time, no figure');
  assert.equal(roleOf('persistence-12'), 'persistence');
  assert.equal(roleOf('redis'), 'redis');
});

test("Redis's commandstats are read, and the busiest commands of a window found", () => {
  const info = (xadd: number, evalsha: number) =>
    `# Commandstats\r\ncmdstat_xadd:calls=${xadd},usec=${xadd * 4},usec_per_call=4.00,rejected_calls=0,failed_calls=0\r\n` +
    `cmdstat_evalsha:calls=${evalsha},usec=${evalsha * 20},usec_per_call=20.00,rejected_calls=0,failed_calls=0\r\ncmdstat_client|setname:calls=3,usec=3,usec_per_call=1.00\r\n`;
  const before = parseCommandStats(info(10, 5));
  assert.deepEqual(before.get('client|setname'), { calls: 3, usec: 3 });
  assert.deepEqual(commandsBetween(before, parseCommandStats(info(1010, 105)), 5), [
    { command: 'xadd', calls: 1000, usec: 4000, usecPerCall: 4 },
    { command: 'evalsha', calls: 100, usec: 2000, usecPerCall: 20 },
  ]);
});
