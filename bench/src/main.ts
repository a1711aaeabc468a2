/**
 * `npm run bench -- [--scenario latency,fanout] [--scale 0.1] [--runs 3] [--no-baseline] [--tiny]`:
 * the benchmark from the command line. Exits 1 when ChitChat lost, duplicated or skipped a
 * message, or a run failed; never because of a time.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, write } from './bench.ts';
import { SCENARIOS, dateStamp, type BenchOptions, type ScenarioName } from './options.ts';
import type { BenchReport } from './report.ts';
import { repoRoot } from './systems/system.ts';

const USAGE = `usage: npm run bench -- [options]

  --scenario a,b      scenarios to run (default all): ${SCENARIOS.join(', ')}
  --scale N           client counts, rates and sizes times N (default 1: the issue's sizes)
  --runs N            runs per figure, median reported (default 3; 1 with --tiny)
  --tiny              a few seconds per scenario at a handful of clients (CI smoke run)
  --no-baseline       skip the Socket.IO baseline
  --duration S        seconds measured per scenario (per step of a ramp)
  --message-bytes N   message text length (default 128)
  --out DIR           where results go (default bench/results)
  --name NAME         result file name (default the date, plus -tiny or -scale<N>)
  --cpu-prof          CPU-profile ChitChat's services (first run of each scenario)
  --log-level L       LOG_LEVEL of ChitChat's services (default warn; info logs each request)
  --fanout-users N    distinct users behind the fan-out room's connections (default 100)
  --quiet-wait S      before each run, wait up to S seconds for other processes to leave
                      the CPU idle (default 600; 0 with --tiny)
  --render FILE       only rewrite the Markdown and chart of an earlier results JSON
  --retries N         do a run disturbed by other processes again, at most N times (default 2; 0 with --tiny)`;

/** A command-line mistake: say what, show the usage, exit 2. */
function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowNegative: true,
      options: {
        scenario: { type: 'string', default: SCENARIOS.join(',') },
        scale: { type: 'string', default: '1' },
        runs: { type: 'string' },
        tiny: { type: 'boolean', default: false },
        baseline: { type: 'boolean', default: true },
        duration: { type: 'string' },
        'message-bytes': { type: 'string', default: '128' },
        out: { type: 'string' },
        name: { type: 'string' },
        'cpu-prof': { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'warn' },
        'fanout-users': { type: 'string' },
        'quiet-wait': { type: 'string' },
        retries: { type: 'string' },
        render: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }
}

const { values } = parseCommandLine();

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

if (values.render) {
  const report = JSON.parse(readFileSync(values.render, 'utf8')) as BenchReport;
  const files = write(report, dirname(values.render));
  console.log(`rewrote ${files.markdown}${files.chart ? ` and ${files.chart}` : ''}`);
  process.exit(0);
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0)) usageError(`--${name} must be a positive number, got '${text}'`);
  return n;
}

function nonNegative(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n >= 0)) usageError(`--${name} must be a number >= 0, got '${text}'`);
  return n;
}

const selected = values.scenario.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = selected.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
if (unknown.length > 0) usageError(`unknown scenario(s) ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
const scale = positive('scale', values.scale) ?? 1;
const started = Date.now();
const options: BenchOptions = {
  scenarios: selected as ScenarioName[],
  scale,
  runs: positive('runs', values.runs) ?? (values.tiny ? 1 : 3),
  tiny: values.tiny,
  baseline: values.baseline,
  durationS: positive('duration', values.duration),
  messageBytes: positive('message-bytes', values['message-bytes']) ?? 128,
  outDir: values.out ?? join(repoRoot(), 'bench', 'results'),
  name: values.name ?? `${dateStamp()}${values.tiny ? '-tiny' : scale !== 1 ? `-scale${scale}` : ''}`,
  cpuProf: values['cpu-prof'],
  logLevel: values['log-level'],
  fanoutUsers: positive('fanout-users', values['fanout-users']),
  quietWaitS: nonNegative('quiet-wait', values['quiet-wait']) ?? (values.tiny ? 0 : 600),
  disturbedRetries: nonNegative('retries', values.retries) ?? (values.tiny ? 0 : 2),
  log: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
};

const { report, files } = await runBench(options);
console.log(`results: ${files.markdown}, ${files.json}${files.chart ? `, ${files.chart}` : ''}`);
console.log(report.ok ? 'bench: clean' : `bench: NOT CLEAN: ${report.problems.join('; ')}`);
process.exitCode = report.ok ? 0 : 1;
