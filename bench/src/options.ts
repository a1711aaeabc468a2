export const SCENARIOS = ['latency', 'ingest', 'fanout', 'memory', 'history', 'reconnect'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  scenarios: ScenarioName[];
  /** Multiplies client counts, rates and data sizes (1 = the sizes of the issue). */
  scale: number;
  /** Runs per figure; the report gives the median. */
  runs: number;
  /** A few seconds per scenario at a handful of clients: proves the harness works (CI). */
  tiny: boolean;
  /** Also run the Socket.IO baseline and report ratios. */
  baseline: boolean;
  /** Seconds of measurement per scenario (per step of a ramp), instead of each scenario's own. */
  durationS: number | undefined;
  /** Length of every message text, in characters. */
  messageBytes: number;
  /** Where results go: <name>.json, <name>.md, <name>.svg. */
  outDir: string;
  /** Base name of the result files. */
  name: string;
  /** CPU-profile ChitChat's services during the first run's measured window (one per scenario). */
  cpuProf: boolean;
  /** ChitChat services' LOG_LEVEL (`info` logs every request). */
  logLevel: string;
  /** Before each run, wait up to this many seconds for other processes to leave the CPU idle. */
  quietWaitS: number;
  /** A run disturbed by other processes (see OTHER_CPU_LIMIT) is done again, at most this often. */
  disturbedRetries: number;
  /** Fan-out: distinct users behind the room's connections (see scenarios/fanout.ts). */
  fanoutUsers: number | undefined;
  log: (line: string) => void;
}

/** `full` at scale 1, scaled, never below `min`. */
export function scaled(o: BenchOptions, full: number, min: number): number {
  return Math.max(min, Math.round(full * o.scale));
}

/** A scenario's measured window in ms: `--duration`, or its own (tiny or full). */
export function window(o: BenchOptions, fullS: number, tinyS: number): number {
  return Math.round(1000 * (o.durationS ?? (o.tiny ? tinyS : fullS)));
}

/** A date stamp for result file names (local time): 2026-11-24. */
export function dateStamp(d = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
