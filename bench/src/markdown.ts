import { format, type BenchReport, type MetricRow, type ScenarioReport } from './report.ts';

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
    const steps = r.runs[Math.floor(r.runs.length / 2)]?.steps;
    if (steps && steps.length > 0) {
      out.push(`${who} ramp (middle run):`, '', '| rate msg/s | achieved /s | POST p50 / p99 ms | e2e p50 / p99 / p99.9 ms | sustained |', '|--:|--:|--:|--:|---|');
      for (const st of steps) {
        out.push(`| ${format(st.rate)} | ${format(st.achieved)} | ${st.post ? `${st.post.p50} / ${st.post.p99}` : ''} | ${st.e2e.p50} / ${st.e2e.p99} / ${st.e2e.p999} | ${st.failed ? `no: ${st.failed}` : 'yes'} |`);
      }
      out.push('');
    }
  }
  if (s.notes.length > 0) out.push(...s.notes.map((n) => `- ${n}`), '');
  return out;
}
