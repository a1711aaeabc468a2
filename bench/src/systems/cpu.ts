import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { SystemProcess } from './system.ts';

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
  /** cpuSystem per process of the system (`redis`, `gateway-0`…): which one is the limit. Adds up to cpuSystem within rounding. */
  cpuByProcess: Record<string, number>;
  /** The same per role, instances summed (`gateway` = gateway-0 + gateway-1). */
  cpuByRole: Record<string, number>;
}

/** Counters at one moment, to compare with a later reading. */
export interface CpuReading {
  at: number;
  busy: number;
  generator: number;
  /** Ticks of each process of the system, by name. */
  processes: Map<string, { pid: number; ticks: number }>;
}

/**
 * Who used the CPU during a measured window, from /proc (Linux; elsewhere it reports
 * nothing). On a shared machine this is how a run disturbed by another job shows itself,
 * whether the generator, not the system, was the limit, and which of the system's
 * processes was.
 */
export class CpuMeter {
  readonly #processes: () => SystemProcess[];
  #start: CpuReading | undefined;
  #result: CpuUse | undefined;

  constructor(processes: () => SystemProcess[]) {
    this.#processes = processes;
  }

  begin(): void {
    if (this.#start) return;
    this.#start = this.read();
  }

  end(): void {
    if (!this.#start || this.#result) return;
    this.#result = CpuMeter.between(this.#start, this.read());
  }

  get result(): CpuUse | undefined {
    return this.#result;
  }

  /** Now, for a part of the window (a step of a ramp) measured with between(). */
  read(): CpuReading {
    const processes = new Map<string, { pid: number; ticks: number }>();
    for (const { name, pid } of this.#processes()) processes.set(name, { pid, ticks: processTicks(pid) });
    return { at: Date.now(), busy: machineBusy(), generator: processTicks(process.pid), processes };
  }

  /** The use between two readings; undefined without /proc or time between them. */
  static between(from: CpuReading, to: CpuReading): CpuUse | undefined {
    const seconds = (to.at - from.at) / 1000;
    if (!(seconds > 0) || from.busy < 0 || to.busy < 0) return undefined;
    const cores = (ticks: number): number => Math.round((ticks / TICKS / seconds) * 100) / 100;
    const byProcess: Record<string, number> = {};
    const roleTicks = new Map<string, number>();
    let system = 0;
    for (const [name, now] of to.processes) {
      const before = from.processes.get(name);
      // A process started within the window spent all its ticks in it; one that exited reads
      // 0 (its ticks are lost either way, as they were before the breakdown).
      const ticks = Math.max(0, before?.pid === now.pid ? now.ticks - before.ticks : now.ticks);
      byProcess[name] = cores(ticks);
      roleTicks.set(roleOf(name), (roleTicks.get(roleOf(name)) ?? 0) + ticks);
      system += ticks;
    }
    const byRole = Object.fromEntries([...roleTicks].map(([role, ticks]) => [role, cores(ticks)]));
    const generator = cores(to.generator - from.generator);
    const busy = cores(to.busy - from.busy);
    const cpuSystem = cores(system);
    return { cpuSystem, cpuGenerator: generator, cpuOther: Math.max(0, Math.round((busy - cpuSystem - generator) * 100) / 100), cpuCores: cpus().length, cpuByProcess: byProcess, cpuByRole: byRole };
  }
}

/** A process's role: its name without the instance number (`gateway-1` → `gateway`). */
export function roleOf(name: string): string {
  return name.replace(/-\d+$/, '');
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
