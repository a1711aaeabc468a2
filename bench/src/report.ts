import { cpus, totalmem, platform, release } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { BenchOptions } from './options.ts';
import type { ProfileSummary } from './profile.ts';
import { bestStep } from './scenarios/ramp.ts';
import type { MetricSpec, RunResult, Scenario } from './scenarios/scenario.ts';
import type { CpuUse } from './systems/cpu.ts';
import type { CommandStat, SystemKind } from './systems/system.ts';

/** A system's results in one scenario: every run, and the median of each figure. */
export interface SystemResults {
  runs: RunResult[];
  /** Runs that threw, with why. */
  errors: string[];
  median: Record<string, number>;
  checks: RunResult['checks'];
  /** Where the CPU went at the reported point, median of the runs (absent in results from before it was measured). */
  cpu?: CpuSummary;
  /** Redis's commands that took it the most time in the measured window: median calls and µs of each over the runs, top 5. */
  redisCommands?: CommandStat[];
}

/** Cores used, median over runs of each figure. */
export interface CpuSummary {
  /** What the figures cover: a ramp's best sustained step (its figures are that step's), else the measured window. */
  at: string;
  system: number;
  generator: number;
  other: number;
  byProcess: Record<string, number>;
  byRole: Record<string, number>;
}

export interface MetricRow extends MetricSpec {
  chitchat: number | null;
  baseline: number | null;
  /** ChitChat / baseline. */
  ratio: number | null;
  /** How many times better ChitChat is (the ratio, or its inverse for lower-is-better figures). */
  advantage: number | null;
  /** Whether ChitChat's median meets the target. */
  met: boolean | null;
}

export interface ScenarioReport {
  name: string;
  title: string;
  params: Record<string, number | string>;
  rows: MetricRow[];
  chitchat: SystemResults;
  baseline: SystemResults | null;
  notes: string[];
}

export interface BenchReport {
  name: string;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGB: number; os: string; node: string; redis: string };
  /** The ChitChat code measured: its commit, and whether services/ or libs/ had uncommitted changes. */
  code: { commit: string; dirty: boolean | null };
  options: Omit<BenchOptions, 'log'>;
  scenarios: ScenarioReport[];
  profiles: ProfileSummary[];
  /** Why the run is not clean (lost, duplicated or out-of-order messages; runs that failed). */
  problems: string[];
  ok: boolean;
}

export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

export function summariseRuns(runs: RunResult[], errors: string[]): SystemResults {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  const med: Record<string, number> = {};
  for (const k of keys) med[k] = round(median(runs.map((r) => r.metrics[k] ?? Number.NaN)));
  // Correctness counts are summed over runs, not a median: one lost message in any run counts.
  const checks = { loss: 0, duplicates: 0, gaps: 0 };
  for (const r of runs) for (const k of ['loss', 'duplicates', 'gaps'] as const) checks[k] += r.checks[k];
  const cpu = cpuSummary(runs);
  const redisCommands = commandSummary(runs);
  return { runs, errors, median: med, checks, ...(cpu ? { cpu } : {}), ...(redisCommands ? { redisCommands } : {}) };
}

/**
 * The CPU at the point a run reports: a ramp's figures are those of its best sustained step,
 * so its CPU is that step's (the whole ramp would average in the easy steps and the failed
 * one); other scenarios report their measured window.
 */
function cpuSummary(runs: RunResult[]): CpuSummary | undefined {
  const points = runs.flatMap((r): (Omit<CpuUse, 'cpuCores'> & { step: boolean })[] => {
    const best = r.steps ? bestStep(r.steps) : undefined;
    if (best?.cpu) return [{ ...best.cpu, step: true }];
    const m = r.metrics;
    if (!r.cpuByProcess || m.cpuSystem === undefined) return [];
    return [{ cpuSystem: m.cpuSystem, cpuGenerator: m.cpuGenerator ?? Number.NaN, cpuOther: m.cpuOther ?? Number.NaN, cpuByProcess: r.cpuByProcess, cpuByRole: r.cpuByRole ?? {}, step: false }];
  });
  if (points.length === 0) return undefined;
  const steps = points.filter((p) => p.step).length;
  const medians = (records: Record<string, number>[]): Record<string, number> => {
    const keys = [...new Set(records.flatMap((x) => Object.keys(x)))];
    return Object.fromEntries(keys.map((k) => [k, round(median(records.map((x) => x[k] ?? Number.NaN)))]));
  };
  return {
    at: steps === points.length ? 'the best sustained step' : steps === 0 ? 'the measured window' : 'the best sustained step (the measured window in runs without one)',
    system: round(median(points.map((p) => p.cpuSystem))),
    generator: round(median(points.map((p) => p.cpuGenerator))),
    other: round(median(points.map((p) => p.cpuOther))),
    byProcess: medians(points.map((p) => p.cpuByProcess)),
    byRole: medians(points.map((p) => p.cpuByRole)),
  };
}

/** Median calls and µs of each command over the runs (0 in a run where it was not among the busiest), top 5 by µs. */
function commandSummary(runs: RunResult[]): CommandStat[] | undefined {
  const measured = runs.filter((r) => r.redisCommands);
  if (measured.length === 0) return undefined;
  const names = new Set(measured.flatMap((r) => (r.redisCommands ?? []).map((c) => c.command)));
  const of = (r: RunResult, name: string): CommandStat | undefined => r.redisCommands?.find((c) => c.command === name);
  return [...names]
    .map((command) => {
      const calls = median(measured.map((r) => of(r, command)?.calls ?? 0));
      const usec = median(measured.map((r) => of(r, command)?.usec ?? 0));
      return { command, calls, usec, usecPerCall: calls > 0 ? round(usec / calls) : 0 };
    })
    .sort((a, b) => b.usec - a.usec)
    .slice(0, 5);
}

function meets(value: number, target: NonNullable<MetricSpec['target']>): boolean {
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
    case '>=':
      return value >= target.value;
    case '=':
      return value === target.value;
  }
}

export function scenarioReport(scenario: Scenario, chitchat: SystemResults, baseline: SystemResults | null): ScenarioReport {
  const rows = scenario.metrics.map((spec): MetricRow => {
    const c = finite(chitchat.median[spec.key]);
    const b = baseline ? finite(baseline.median[spec.key]) : null;
    const ratio = spec.compare !== false && c !== null && b !== null && b !== 0 ? c / b : null;
    const advantage = ratio === null || ratio === 0 ? null : spec.better === 'higher' ? ratio : 1 / ratio;
    return { ...spec, chitchat: c, baseline: b, ratio: ratio === null ? null : round(ratio), advantage: advantage === null ? null : round(advantage), met: spec.target && c !== null ? meets(c, spec.target) : null };
  });
  const notes = [
    ...chitchat.errors.map((e) => `ChitChat run failed: ${e}`),
    ...(baseline?.errors ?? []).map((e) => `baseline run failed: ${e}`),
    ...chitchat.runs.flatMap((r, i) => (r.notes ?? []).map((n) => `ChitChat run ${i + 1}: ${n}`)),
    ...(baseline?.runs ?? []).flatMap((r, i) => (r.notes ?? []).map((n) => `baseline run ${i + 1}: ${n}`)),
  ];
  return { name: scenario.name, title: scenario.title, params: chitchat.runs[0]?.params ?? baseline?.runs[0]?.params ?? {}, rows, chitchat, baseline, notes };
}

/** What makes a run not clean: ChitChat losing, duplicating or skipping a message, or any run failing. */
export function problemsOf(scenarios: ScenarioReport[]): string[] {
  const out: string[] = [];
  for (const s of scenarios) {
    const { loss, duplicates, gaps } = s.chitchat.checks;
    if (loss + duplicates + gaps > 0) out.push(`${s.name}: ChitChat lost ${loss}, duplicated ${duplicates}, skipped ${gaps} (gaps)`);
    for (const [who, r] of [['ChitChat', s.chitchat], ['baseline', s.baseline]] as const) {
      if (r && r.errors.length > 0) out.push(`${s.name}: ${r.errors.length} ${who} run(s) failed`);
    }
  }
  return out;
}

export function machine(): BenchReport['machine'] {
  let redis = 'unknown';
  try {
    redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? redis;
  } catch {
    // Reported as unknown.
  }
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version, redis };
}

/**
 * The commit of the checkout the benchmark runs in. Outside a git checkout (a copy made
 * with git archive, say) `CHITCHAT_COMMIT` names it.
 */
export function codeVersion(root: string): BenchReport['code'] {
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'services', 'libs'], { encoding: 'utf8' }).trim().length > 0;
    return { commit, dirty };
  } catch {
    return { commit: process.env.CHITCHAT_COMMIT ?? 'unknown', dirty: null };
  }
}

function finite(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return Number(v.toFixed(digits));
}

/** A figure as text: 12,345 / 9.87 / 0.123, with its unit. */
export function format(v: number | null, unit = ''): string {
  if (v === null) return '—';
  const text = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(v);
  return unit ? `${text} ${unit}` : text;
}

export type { SystemKind };
