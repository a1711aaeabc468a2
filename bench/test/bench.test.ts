/**
 * The benchmark at its tiny scale, every scenario on ChitChat and on the baseline: it must
 * run, lose and duplicate nothing, and write its results. Figures are not checked: a
 * benchmark never fails a build on a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../src/bench.ts';
import { SCENARIOS } from '../src/options.ts';
import type { BenchReport } from '../src/report.ts';

test('every scenario at tiny scale on ChitChat and the baseline: nothing lost, duplicated or skipped, results written', { timeout: 240_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'chitchat-bench-test-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const { report, files } = await runBench({
    scenarios: [...SCENARIOS],
    scale: 1,
    runs: 1,
    tiny: true,
    baseline: true,
    durationS: undefined,
    messageBytes: 128,
    outDir: out,
    name: 'tiny',
    cpuProf: false,
    logLevel: 'warn',
    fanoutUsers: undefined,
    quietWaitS: 0,
    disturbedRetries: 0,
    log: (line) => t.diagnostic(line),
  });

  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
  assert.deepEqual(report.scenarios.map((s) => s.name), [...SCENARIOS]);
  for (const s of report.scenarios) {
    for (const [who, r] of [['ChitChat', s.chitchat], ['baseline', s.baseline]] as const) {
      assert.ok(r, `${s.name}: ${who} ran`);
      assert.deepEqual(r.errors, [], `${s.name}: ${who} ran without error`);
      assert.equal(r.runs.length, 1);
      assert.deepEqual(r.checks, { loss: 0, duplicates: 0, gaps: 0 }, `${s.name}: ${who} lost, duplicated or skipped nothing`);
      const m = r.median;
      if (['latency', 'ingest', 'fanout', 'reconnect'].includes(s.name)) {
        assert.ok((m.accepted ?? 0) > 0 && (m.delivered ?? 0) > 0, `${s.name}: ${who} carried messages (${m.accepted} accepted, ${m.delivered} delivered)`);
        assert.equal(m.sendErrors, 0, `${s.name}: ${who} refused no send`);
      }
    }
  }
  const figure = (name: string, key: string): number | undefined => report.scenarios.find((s) => s.name === name)?.chitchat.median[key];
  assert.ok((figure('memory', 'heapPerConnection') ?? Number.NaN) > 0, 'memory per connection was read');
  assert.ok((figure('history', 'requests') ?? 0) > 0 && figure('history', 'errors') === 0, 'history pages were read, every one right');
  assert.ok((figure('reconnect', 'allCaughtUpMs') ?? Number.NaN) >= 0, 'every client caught up after the reconnect');

  const written = JSON.parse(readFileSync(files.json, 'utf8')) as BenchReport;
  assert.equal(written.scenarios.length, SCENARIOS.length);
  const md = readFileSync(files.markdown, 'utf8');
  assert.match(md, /\| Scenario \| Figure \| ChitChat \| Baseline \(Socket\.IO\) \|/);
  for (const name of SCENARIOS) assert.match(md, new RegExp(`^## ${name}:`, 'm'));
  assert.ok(files.chart && existsSync(files.chart) && readFileSync(files.chart, 'utf8').startsWith('<svg'), 'the latency chart was drawn');
});
