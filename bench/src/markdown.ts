import { format, type BenchReport, type CpuSummary, type MetricRow, type ScenarioReport } from './report.ts';
import { roleOf } from './systems/cpu.ts';
import type { CommandStat } from './systems/system.ts';

/** The results as Markdown: one table of every figure, then each scenario's details. */
export function markdown(r: BenchReport, chartFile: string | undefined): string {
  const m = r.machine;
  const o = r.options;
  const lines = [
    `# ChitChat benchmark: ${r.name}`,
    '',
    `ChitChat at ${r.code.commit}${r.code.dirty ? ' with uncommitted changes in services/ or libs/' : ''}; ` +
      `${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.os}; Node ${m.node}, Redis ${m.redis}. ` +
      `Scale ${o.scale}${o.tiny ? ' (tiny: a smoke run, the figures mean nothing)' : ''}, ${o.runs} run(s) per figure (median), messages of ${o.messageBytes} characters, ` +
      `ChitChat services at LOG_LEVEL=${o.logLevel}. Redis, every service, the baseline and the load generator all ran on this one machine, ` +
      `one after another (never two systems at once).`,
    '',
    `Result: ${r.ok ? '**clean**: no message lost, duplicated or out of order, no run failed' : `**not clean**: ${r.problems.join('; ')}`}.`,
    '',
    '| Scenario | Figure | ChitChat | Baseline (Socket.IO) | ChitChat vs baseline | Target | Met |',
    '|---|---|--:|--:|--:|---|---|',
    ...r.scenarios.flatMap((s) => s.rows.map((row, i) => tableRow(i === 0 ? s.name : '', row))),
    '',
    'ChitChat vs baseline: how many times better ChitChat is (its value over the baseline’s, inverted where lower is better); the issue asks for at least 2×. ' +
      'Correctness counts (lost, duplicates, gaps) are summed over all runs; every other figure is the median of the runs.',
    '',
  ];
  if (chartFile) lines.push(`![End-to-end latency against send rate](${chartFile})`, '');
  for (const s of r.scenarios) lines.push(...details(s));
  if (r.profiles.length > 0) {
    lines.push('## CPU profiles', '');
    for (const p of r.profiles) {
      lines.push(`### ${p.scenario}: ${p.process} (busy ${p.busyMs} of ${p.totalMs} ms)`, '', '| self ms | % of busy | function | where |', '|--:|--:|---|---|');
      for (const t of p.top) lines.push(`| ${t.selfMs} | ${t.percentOfBusy} | \`${t.fn}\` | ${t.where} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

function tableRow(scenario: string, row: MetricRow): string {
  const target = row.target ? `${row.target.op === '=' ? '=' : row.target.op} ${format(row.target.value, row.unit)}` : '';
  const vs = row.advantage === null ? '' : `${row.advantage}×${row.advantage >= 2 ? '' : row.advantage >= 1 ? ' (< 2×)' : ' (worse)'}`;
  const met = row.met === null ? '' : row.met ? 'yes' : '**no**';
  return `| ${scenario} | ${row.label} | ${format(row.chitchat, row.unit)} | ${format(row.baseline, row.unit)} | ${vs} | ${target} | ${met} |`;
}

function details(s: ScenarioReport): string[] {
  const out = [`## ${s.name}: ${s.title}`, '', `Parameters: ${Object.entries(s.params).map(([k, v]) => `${k} ${v}`).join(', ')}.`, ''];
  for (const [who, r] of [['ChitChat', s.chitchat], ['Baseline', s.baseline]] as const) {
    if (!r) continue;
    const figures = Object.entries(r.median).map(([k, v]) => `${k} ${format(v)}`).join(', ');
    out.push(`${who} (median of ${r.runs.length}): ${figures}.`, '');
    if (r.cpu) out.push(`${who} CPU at ${r.cpu.at} (cores, median): ${cpuLine(r.cpu)}.`, '');
    if (r.redisCommands?.length) out.push(`${who} Redis, the commands that took it the most time in the measured window (median): ${commandsLine(r.redisCommands)}.`, '');
    const steps = r.runs[Math.floor(r.runs.length / 2)]?.steps;
    if (steps && steps.length > 0) {
      // Results from before steps were CPU-measured keep their table as it was.
      const withCpu = steps.some((st) => st.cpu);
      const cpuHead = withCpu ? [' CPU cores: system / generator (busiest) |', '--:|'] : ['', ''];
      out.push(`${who} ramp (middle run):`, '', `| rate msg/s | achieved /s | POST p50 / p99 ms | e2e p50 / p99 / p99.9 ms |${cpuHead[0]} sustained |`, `|--:|--:|--:|--:|${cpuHead[1]}---|`);
      for (const st of steps) {
        const cpu = !withCpu ? '' : st.cpu ? ` ${st.cpu.cpuSystem} / ${st.cpu.cpuGenerator} (${busiest(st.cpu.cpuByProcess)}) |` : ' |';
        out.push(`| ${format(st.rate)} | ${format(st.achieved)} | ${st.post ? `${st.post.p50} / ${st.post.p99}` : ''} | ${st.e2e.p50} / ${st.e2e.p99} / ${st.e2e.p999} |${cpu} ${st.failed ? `no: ${st.failed}` : 'yes'} |`);
      }
      out.push('');
    }
  }
  if (s.notes.length > 0) out.push(...s.notes.map((n) => `- ${n}`), '');
  return out;
}

/**
 * `redis 0.93, gateway 0.55 (0.28 + 0.27), …; system 1.9, generator 0.24, other 0`: the roles
 * busiest first, so the line says what limits; a role with several instances shows each.
 */
function cpuLine(c: CpuSummary): string {
  const roles = Object.entries(c.byRole).sort((a, b) => b[1] - a[1]);
  const parts = roles.map(([role, cores]) => {
    const instances = Object.entries(c.byProcess).filter(([name]) => name !== role && roleOf(name) === role);
    return instances.length > 1 ? `${role} ${cores} (${instances.map(([, v]) => v).join(' + ')})` : `${role} ${cores}`;
  });
  return `${parts.join(', ')}; system ${c.system}, generator ${format(c.generator)}, other ${format(c.other)}`;
}

/** The busiest process of a step and its cores. */
function busiest(byProcess: Record<string, number>): string {
  const [name, cores] = Object.entries(byProcess).sort((a, b) => b[1] - a[1])[0] ?? ['—', 0];
  return `${name} ${cores}`;
}

/** `evalsha 12,000 × 25 µs, xadd …`: calls and µs per call, by total time. */
function commandsLine(commands: CommandStat[]): string {
  return commands.map((c) => `${c.command} ${format(c.calls)} × ${c.usecPerCall} µs`).join(', ');
}
