import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencyChart, type Series } from './chart.ts';
import { markdown } from './markdown.ts';
import type { BenchOptions } from './options.ts';
import { Profiler, type ProfileSummary } from './profile.ts';
import { CpuMeter, othersBusy, type CpuUse } from './systems/cpu.ts';
import { codeVersion, machine, median, problemsOf, scenarioReport, summariseRuns, type BenchReport, type SystemResults } from './report.ts';
import { scenarios } from './scenarios/index.ts';
import type { RunResult, Scenario } from './scenarios/scenario.ts';
import { BaselineSystem } from './systems/baseline.ts';
import { ChitChatSystem } from './systems/chitchat.ts';
import { commandsBetween, repoRoot, type CommandCounters, type CommandStat, type System, type SystemKind, type SystemOptions } from './systems/system.ts';

/** Cores used by other processes during a measured window above which a run counts as disturbed. */
const OTHER_CPU_LIMIT = 0.2;

/** Redis commands kept per run (by time taken); the report shows the top 5 of their medians. */
const REDIS_COMMANDS_KEPT = 10;

/** The longest one run of one scenario may take before it counts as failed. */
const RUN_TIMEOUT_MS = 20 * 60_000;

export interface BenchOutcome {
  report: BenchReport;
  files: { json: string; markdown: string; chart: string | undefined };
}

/**
 * Runs every selected scenario `runs` times on ChitChat and (unless disabled) on the
 * baseline, each run on a freshly started system, alternating the two so that drift of the
 * machine (another job, thermal throttling) affects both alike. Writes the JSON, Markdown
 * and chart files and returns the report.
 */
export async function runBench(o: BenchOptions): Promise<BenchOutcome> {
  const startedAt = new Date().toISOString();
  const logDir = mkdtempSync(join(tmpdir(), 'chitchat-bench-'));
  const profiles: ProfileSummary[] = [];
  const reports = [];
  const kinds: SystemKind[] = o.baseline ? ['chitchat', 'baseline'] : ['chitchat'];
  for (const name of o.scenarios) {
    const scenario = scenarios[name];
    const runs: Record<SystemKind, RunResult[]> = { chitchat: [], baseline: [] };
    const errors: Record<SystemKind, string[]> = { chitchat: [], baseline: [] };
    for (let run = 1; run <= o.runs; run++) {
      for (const kind of kinds) {
        const tag = `[${name} ${kind} ${run}/${o.runs}]`;
        const profiler = o.cpuProf && kind === 'chitchat' && run === 1;
        try {
          let result: RunResult | undefined;
          const repeated: string[] = [];
          for (let attempt = 0; ; attempt++) {
            await waitForQuiet(o, tag);
            result = await runOnce(scenario, kind, o, { logDir, profile: profiler, log: (line) => o.log(`${tag} ${line}`), profiles });
            const other = result.metrics.cpuOther ?? 0;
            if (other <= OTHER_CPU_LIMIT || attempt >= o.disturbedRetries) break;
            repeated.push(`a run disturbed by other processes (${other} cores) was done again`);
            o.log(`${tag} disturbed: other processes used ${other} cores; once more`);
          }
          result.notes = [...repeated, ...(result.notes ?? [])];
          runs[kind].push(result);
          o.log(`${tag} ${headline(scenario, result)}`);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          errors[kind].push(why);
          o.log(`${tag} FAILED: ${why}`);
        }
      }
    }
    const chitchat = summariseRuns(runs.chitchat, errors.chitchat);
    const baseline = o.baseline ? summariseRuns(runs.baseline, errors.baseline) : null;
    reports.push(scenarioReport(scenario, chitchat, baseline));
  }
  const problems = problemsOf(reports);
  const { log: _log, ...options } = o;
  const report: BenchReport = { name: o.name, startedAt, finishedAt: new Date().toISOString(), machine: machine(), code: codeVersion(repoRoot()), options, scenarios: reports, profiles, problems, ok: problems.length === 0 };
  const files = write(report, o.outDir);
  // Service logs are kept when something failed: they are where the why is.
  if (report.ok) rmSync(logDir, { recursive: true, force: true });
  else o.log(`service logs kept in ${logDir}`);
  return { report, files };
}

async function runOnce(
  scenario: Scenario,
  kind: SystemKind,
  o: BenchOptions,
  { logDir, profile, log, profiles }: { logDir: string; profile: boolean; log: (line: string) => void; profiles: ProfileSummary[] },
): Promise<RunResult> {
  const full = scenario.topology(o);
  // A tiny run proves the harness works: two gateways (messages cross between them), one of
  // everything else, so it starts in half the time.
  const topology = o.tiny ? { ...full, ingests: Math.min(1, full.ingests), workers: Math.min(1, full.workers), histories: Math.min(1, full.histories) } : full;
  const systemOptions: SystemOptions = { topology, inspect: scenario.inspect === true || profile, logDir, logLevel: o.logLevel };
  const system: System = kind === 'chitchat' ? await ChitChatSystem.start(systemOptions) : await BaselineSystem.start(systemOptions);
  const profiler = profile ? new Profiler(system.profiled, join(o.outDir, 'profiles'), `${o.name}-${scenario.name}`) : undefined;
  const cpu = new CpuMeter(() => system.processes());
  // Redis's own view of the window: which commands took its time. Not worth failing a run over.
  const commands = (): Promise<CommandCounters | undefined> => system.redisCommands().catch(() => undefined);
  let commandsBefore: CommandCounters | undefined;
  let redisCommands: CommandStat[] | undefined;
  const measure = {
    begin: async (): Promise<void> => {
      if (commandsBefore) return;
      commandsBefore = await commands();
      cpu.begin();
      await profiler?.begin();
    },
    end: async (): Promise<void> => {
      await profiler?.end();
      cpu.end();
      const after = commandsBefore && !redisCommands ? await commands() : undefined;
      if (commandsBefore && after) redisCommands = commandsBetween(commandsBefore, after, REDIS_COMMANDS_KEPT);
    },
    step: (): (() => CpuUse | undefined) => {
      const from = cpu.read();
      return () => CpuMeter.between(from, cpu.read());
    },
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${RUN_TIMEOUT_MS / 60_000} min`)), RUN_TIMEOUT_MS);
    });
    const result = await Promise.race([scenario.run({ system, options: o, log, measure }), timeout]);
    const withCommands = redisCommands ? { ...result, redisCommands } : result;
    const use = cpu.result;
    if (!use) return withCommands;
    const { cpuByProcess, cpuByRole, ...figures } = use;
    const notes = use.cpuOther > OTHER_CPU_LIMIT ? [`other processes used ${use.cpuOther} of ${use.cpuCores} cores during the measured window: the figures are disturbed`] : [];
    return { ...withCommands, metrics: { ...result.metrics, ...figures }, cpuByProcess, cpuByRole, notes: [...(result.notes ?? []), ...notes] };
  } finally {
    clearTimeout(timer);
    await profiler?.end().catch(() => {});
    if (profiler) profiles.push(...profiler.summaries);
    await system.stop();
  }
}

/**
 * Waits, up to `quietWaitS`, until other processes use less than OTHER_CPU_LIMIT cores over
 * three seconds: on a machine shared with test suites, a run started in the middle of one
 * measures the suite as much as the system.
 */
async function waitForQuiet(o: BenchOptions, tag: string): Promise<void> {
  if (o.quietWaitS <= 0) return;
  const deadline = Date.now() + o.quietWaitS * 1000;
  let said = false;
  for (;;) {
    const other = await othersBusy(3);
    if (other === undefined || other <= OTHER_CPU_LIMIT) return;
    if (Date.now() > deadline) {
      o.log(`${tag} the machine is still busy (${other.toFixed(2)} cores used by other processes); running anyway`);
      return;
    }
    if (!said) o.log(`${tag} waiting for other processes to leave the CPU (${other.toFixed(2)} cores busy)`);
    said = true;
  }
}

/** One line per run for the console: the scenario's first figures. */
function headline(scenario: Scenario, r: RunResult): string {
  const figures = scenario.metrics.slice(0, 3).map((m) => `${m.label} ${r.metrics[m.key] ?? '—'}${m.unit ? ` ${m.unit}` : ''}`);
  return `${figures.join(', ')}; lost ${r.checks.loss}, duplicates ${r.checks.duplicates}, gaps ${r.checks.gaps}`;
}

/** Writes a report's JSON, Markdown and chart into `outDir` (also to redraw an earlier report). */
export function write(report: BenchReport, outDir: string): BenchOutcome['files'] {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, `${report.name}.json`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const svg = chart(report);
  let chartFile: string | undefined;
  if (svg) {
    chartFile = join(outDir, `${report.name}.svg`);
    writeFileSync(chartFile, svg);
  }
  const md = join(outDir, `${report.name}.md`);
  writeFileSync(md, `${markdown(report, chartFile ? `${report.name}.svg` : undefined)}\n`);
  return { json, markdown: md, chart: chartFile };
}

/** The ingest ramps (the run with the median result, per system) as a chart of latency against send rate. */
function chart(report: BenchReport): string {
  const ingest = report.scenarios.find((s) => s.name === 'ingest');
  if (!ingest) return '';
  const series: Series[] = [];
  for (const [label, results] of [['ChitChat', ingest.chitchat], ['baseline', ingest.baseline]] as const) {
    const run = medianRun(results);
    if (run?.steps?.length) series.push({ system: label, steps: run.steps });
  }
  return latencyChart(series, 'End-to-end latency against send rate (ingest ramp)');
}

function medianRun(results: SystemResults | null): RunResult | undefined {
  if (!results || results.runs.length === 0) return undefined;
  const m = median(results.runs.map((r) => r.metrics.maxRate ?? 0));
  return [...results.runs].sort((a, b) => Math.abs((a.metrics.maxRate ?? 0) - m) - Math.abs((b.metrics.maxRate ?? 0) - m))[0];
}
