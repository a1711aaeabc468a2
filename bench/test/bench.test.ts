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
import type { BenchReport, SystemResults } from '../src/report.ts';

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
      assertCpuBreakdown(`${s.name}: ${who}`, r);
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
  // Who used the CPU, busiest first: a line per system and scenario, instances of a role shown each.
  const cpuLines = md.split('\n').filter((l) => / CPU at the (measured window|best sustained step) \(cores, median\): /.test(l));
  assert.equal(cpuLines.length, SCENARIOS.length * 2, 'a CPU line per scenario and system');
  assert.ok(cpuLines.some((l) => l.startsWith('ChitChat') && /\bgateway [\d.]+ \([\d.]+ \+ [\d.]+\)/.test(l) && /\bredis [\d.]+/.test(l) && /; system [\d.]+, generator [\d.]+/.test(l)), cpuLines.join('\n'));
  assert.ok(cpuLines.some((l) => l.startsWith('Baseline') && /\bsocketio [\d.]+/.test(l)), cpuLines.join('\n'));
  assert.match(md, /^ChitChat Redis, the commands that took it the most time in the measured window \(median\): \S+ [\d,]+ × [\d.]+ µs/m);
  assert.ok(files.chart && existsSync(files.chart) && readFileSync(files.chart, 'utf8').startsWith('<svg'), 'the latency chart was drawn');
});

/**
 * Who used the CPU: every run (and every ramp step) names each process of the system, and the
 * parts add up to cpuSystem within their rounding (each part is rounded to 0.01 cores).
 */
function assertCpuBreakdown(what: string, r: SystemResults): void {
  const names = what.endsWith('ChitChat') ? /^(redis|(ingest|persistence|gateway|history)-\d+)$/ : /^(redis|socketio-\d+)$/;
  const addsUp = (label: string, system: number | undefined, byProcess: Record<string, number> | undefined, byRole: Record<string, number> | undefined): void => {
    assert.ok(byProcess && byRole && system !== undefined, `${label}: CPU by process measured`);
    const processes = Object.keys(byProcess);
    assert.ok(processes.includes('redis') && processes.length >= 2 && processes.every((n) => names.test(n)), `${label}: every process named by role: ${processes.join(', ')}`);
    const parts = Object.values(byProcess);
    const slack = 0.005 * (parts.length + 1) + 1e-9;
    assert.ok(Math.abs(parts.reduce((a, b) => a + b, 0) - system) <= slack, `${label}: ${JSON.stringify(byProcess)} adds up to cpuSystem ${system}`);
    assert.ok(Math.abs(Object.values(byRole).reduce((a, b) => a + b, 0) - system) <= slack, `${label}: ${JSON.stringify(byRole)} adds up to cpuSystem ${system}`);
  };
  for (const run of r.runs) {
    addsUp(what, run.metrics.cpuSystem, run.cpuByProcess, run.cpuByRole);
    for (const st of run.steps ?? []) addsUp(`${what} at ${st.rate} msg/s`, st.cpu?.cpuSystem, st.cpu?.cpuByProcess, st.cpu?.cpuByRole);
  }
  assert.ok(r.cpu && Object.keys(r.cpu.byProcess).length > 0, `${what}: the median CPU by process is in the results`);
  if (what.endsWith('ChitChat')) assert.ok((r.redisCommands?.length ?? 0) > 0, `${what}: Redis's busiest commands are in the results`);
}
