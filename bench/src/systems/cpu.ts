import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU used over a window, in cores (1 = one core busy all the time). */
export interface CpuUse {
  /** The system under test: its services (or instances) and its redis-server. */
  cpuSystem: number;
  /** The load generator (this process). */
  cpuGenerator: number;
  /** Everything else on the machine: another job here disturbs the figures. */
  cpuOther: number;
  /** What the machine has. */
  cpuCores: number;
}

/**
 * Who used the CPU during a measured window, from /proc (Linux; elsewhere it reports
 * nothing). On a shared machine this is how a run disturbed by another job shows itself,
 * and whether the generator, not the system, was the limit.
 */
export class CpuMeter {
  readonly #systemPids: () => number[];
  #start: { at: number; busy: number; system: number; generator: number } | undefined;
  #result: CpuUse | undefined;

  constructor(systemPids: () => number[]) {
    this.#systemPids = systemPids;
  }

  begin(): void {
    if (this.#start) return;
    this.#start = this.#read();
  }

  end(): void {
    if (!this.#start || this.#result) return;
    const now = this.#read();
    const seconds = (now.at - this.#start.at) / 1000;
    if (!(seconds > 0) || now.busy < 0) return;
    const cores = (ticks: number): number => Math.round((ticks / TICKS / seconds) * 100) / 100;
    const system = cores(now.system - this.#start.system);
    const generator = cores(now.generator - this.#start.generator);
    const busy = cores(now.busy - this.#start.busy);
    this.#result = { cpuSystem: system, cpuGenerator: generator, cpuOther: Math.max(0, Math.round((busy - system - generator) * 100) / 100), cpuCores: cpus().length };
  }

  get result(): CpuUse | undefined {
    return this.#result;
  }

  #read(): { at: number; busy: number; system: number; generator: number } {
    return { at: Date.now(), busy: machineBusy(), system: this.#systemPids().reduce((n, pid) => n + processTicks(pid), 0), generator: processTicks(process.pid) };
  }
}

/**
 * Cores used by other processes than this one over the next `seconds` (the system under test
 * is not running between runs, so that is everyone else); undefined without /proc.
 */
export async function othersBusy(seconds: number): Promise<number | undefined> {
  const busy0 = machineBusy();
  const mine0 = processTicks(process.pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const busy = machineBusy() - busy0;
  if (busy0 < 0) return undefined;
  return Math.max(0, (busy - (processTicks(process.pid) - mine0)) / TICKS / seconds);
}

/** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** Busy ticks of the whole machine since boot (-1 where /proc is missing). */
function machineBusy(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return -1;
  }
}

/** User and system ticks of a process (0 if it is gone). */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
