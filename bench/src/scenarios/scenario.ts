import type { BenchOptions, ScenarioName } from '../options.ts';
import type { CpuUse } from '../systems/cpu.ts';
import type { CommandStat, System, Topology } from '../systems/system.ts';

/** A figure a scenario reports. */
export interface MetricSpec {
  key: string;
  label: string;
  unit: string;
  /** Which way is better: decides how many times better than the baseline a value is. */
  better: 'lower' | 'higher';
  /** The target for ChitChat, if it sets one. */
  target?: { op: '<=' | '>=' | '<' | '='; value: number };
  /** False for figures the baseline cannot be compared on (no ratio). */
  compare?: boolean;
}

/** One point of a ramp: the offered rate and what came of it. */
export interface StepResult {
  /** Offered messages per second. */
  rate: number;
  /** Accepted (ingest) or delivered (fan-out) per second in the measured part of the step. */
  achieved: number;
  /** POST latency from the scheduled send time (ms percentiles). */
  post?: { p50: number; p99: number; p999: number };
  /** End to end, scheduled send to WebSocket receipt (ms percentiles). */
  e2e: { p50: number; p99: number; p999: number };
  /** Why the step failed, if it did. */
  failed?: string;
  /** CPU over the measured part of the step: who was busy at this rate. */
  cpu?: CpuUse;
}

export interface RunResult {
  /** The sizes this run used (clients, rates, durations). */
  params: Record<string, number | string>;
  metrics: Record<string, number>;
  /** Correctness counts: any non-zero for ChitChat fails the benchmark. */
  checks: { loss: number; duplicates: number; gaps: number };
  steps?: StepResult[];
  notes?: string[];
  /** Cores per process of the system over the measured window; adds up to metrics.cpuSystem (within rounding). */
  cpuByProcess?: Record<string, number>;
  /** The same per role (instances summed). */
  cpuByRole?: Record<string, number>;
  /** The system's Redis over the measured window: its commands that took the most time. */
  redisCommands?: CommandStat[];
}

export interface RunContext {
  system: System;
  options: BenchOptions;
  log: (line: string) => void;
  /**
   * Marks the measured window (CPU profiles cover exactly it, when asked for). step() starts
   * a CPU reading of a part of it (a ramp's step); the function it returns ends that part.
   */
  measure: { begin(): Promise<void>; end(): Promise<void>; step(): () => CpuUse | undefined };
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  metrics: MetricSpec[];
  topology(o: BenchOptions): Topology;
  /** Start the socket servers with an inspector (memory readings). */
  inspect?: boolean;
  run(ctx: RunContext): Promise<RunResult>;
}
