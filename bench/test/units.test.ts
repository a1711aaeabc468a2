/** The generator's own parts: tags in message texts, the delivery bitset, the open loop, medians. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitSet } from '../src/bitset.ts';
import { latencyChart } from '../src/chart.ts';
import { nowUs } from '../src/clock.ts';
import { openLoop } from '../src/load.ts';
import { integerAfter, messageText, stringAfter, tagOf } from '../src/message.ts';
import { median } from '../src/report.ts';

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
