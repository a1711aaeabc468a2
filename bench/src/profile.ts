import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inspector, type CpuProfile } from './systems/inspector.ts';
import type { NodeProcess } from './systems/process.ts';

/** The functions a process spent its time in, by self time. */
export interface ProfileSummary {
  scenario: string;
  process: string;
  file: string;
  /** Length of the profile and the part of it not idle, in ms. */
  totalMs: number;
  busyMs: number;
  top: { fn: string; where: string; selfMs: number; percentOfBusy: number }[];
}

/**
 * CPU profiles of the system's processes over a scenario's measured window, through the
 * inspector (the same `.cpuprofile` format as `node --cpu-prof`, which could only profile
 * a process's whole life; open the files in Chrome DevTools or speedscope).
 */
export class Profiler {
  readonly summaries: ProfileSummary[] = [];
  readonly #processes: NodeProcess[];
  readonly #dir: string;
  readonly #label: string;
  #sessions: { proc: NodeProcess; inspector: Inspector }[] = [];

  constructor(processes: NodeProcess[], dir: string, label: string) {
    this.#processes = processes.filter((p) => p.inspectPort !== undefined);
    this.#dir = dir;
    this.#label = label;
  }

  async begin(): Promise<void> {
    if (this.#sessions.length > 0) return;
    this.#sessions = await Promise.all(this.#processes.map(async (proc) => ({ proc, inspector: await Inspector.connect(proc.inspectPort as number) })));
    await Promise.all(this.#sessions.map((s) => s.inspector.startProfile()));
  }

  async end(): Promise<void> {
    const sessions = this.#sessions.splice(0);
    if (sessions.length === 0) return;
    mkdirSync(this.#dir, { recursive: true });
    for (const { proc, inspector } of sessions) {
      const profile = await inspector.stopProfile();
      inspector.close();
      const file = join(this.#dir, `${this.#label}-${proc.name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      this.summaries.push({ scenario: this.#label, process: proc.name, file, ...summarise(profile) });
    }
  }
}

/**
 * Self time per function (name and source position), the largest first. A native function
 * (a syscall wrapper such as `writev`) has no source: it is named with its nearest caller
 * outside Node's own modules (ioredis, ws, jose, the service), which says what it was for.
 */
export function summarise(profile: CpuProfile, top = 15): Pick<ProfileSummary, 'totalMs' | 'busyMs' | 'top'> {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const caller = (id: number): string => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const f = byNode.get(p)?.callFrame;
      if (f?.url && !f.url.startsWith('node:')) return `via ${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    }
    return '';
  };
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const frame = byNode.get(id)?.callFrame;
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : frame.functionName.startsWith('(') ? '' : caller(id);
    const key = `${frame.functionName}@${where}`;
    const entry = self.get(key) ?? { fn: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += dt;
    self.set(key, entry);
  });
  const busy = total - idle;
  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    top: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, selfMs: Math.round(e.us / 1000), percentOfBusy: Math.round((1000 * e.us) / Math.max(1, busy)) / 10 })),
  };
}

/** A source URL without the machine's paths: `node_modules/ws/lib/sender.js`, `services/gateway/…`. */
function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  const m = /(services|libs|tools|bench)\/.*$/.exec(url);
  return m ? m[0] : url.replace(/^file:\/\//, '');
}
