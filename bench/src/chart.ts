import type { StepResult } from './scenarios/scenario.ts';

export interface Series {
  system: string;
  steps: StepResult[];
}

const W = 760;
const H = 440;
const PAD = { left: 70, right: 170, top: 40, bottom: 60 };
const COLORS = { p50: '#1f77b4', p99: '#d62728', p999: '#9467bd' } as const;
const DASH: Record<string, string> = { ChitChat: '', baseline: '6 4' };

/**
 * A hand-written SVG of end-to-end latency percentiles (log scale) against the offered send
 * rate (log scale), one solid line per percentile for ChitChat and dashed ones for the
 * baseline. A hollow marker is a step that was not sustained.
 */
export function latencyChart(series: Series[], title: string): string {
  const points = series.flatMap((s) => s.steps);
  if (points.length === 0) return '';
  const rates = points.map((p) => p.rate);
  const lat = points.flatMap((p) => [p.e2e.p50, p.e2e.p99, p.e2e.p999]).filter((v) => v > 0);
  const x0 = Math.log10(Math.min(...rates) / 1.2);
  const x1 = Math.log10(Math.max(...rates) * 1.2);
  const y0 = Math.log10(Math.max(0.1, Math.min(...lat) / 1.5));
  const y1 = Math.log10(Math.max(...lat) * 1.5);
  const x = (rate: number): number => PAD.left + ((Math.log10(rate) - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const y = (ms: number): number => H - PAD.bottom - ((Math.log10(Math.max(ms, 10 ** y0)) - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - PAD.right / 2 + PAD.left / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
  ];
  for (const v of ticks(10 ** y0, 10 ** y1)) {
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`);
  }
  for (const v of ticks(10 ** x0, 10 ** x1)) {
    out.push(`<line y1="${PAD.top}" y2="${H - PAD.bottom}" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${v.toLocaleString('en-US')}</text>`);
  }
  out.push(
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${PAD.left + (W - PAD.left - PAD.right) / 2}" y="${H - 18}" text-anchor="middle">offered send rate (messages/s, log scale)</text>`,
    `<text transform="translate(18 ${PAD.top + (H - PAD.top - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">latency, POST to WebSocket receipt (ms, log scale)</text>`,
  );
  let legendY = PAD.top + 10;
  for (const s of series) {
    for (const key of ['p50', 'p99', 'p999'] as const) {
      const pts = s.steps.map((st) => [x(st.rate), y(st.e2e[key])] as const);
      const dash = DASH[s.system] ? ` stroke-dasharray="${DASH[s.system]}"` : '';
      out.push(`<polyline fill="none" stroke="${COLORS[key]}" stroke-width="2"${dash} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`);
      s.steps.forEach((st, i) => {
        const [a, b] = pts[i] as readonly [number, number];
        out.push(`<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3.5" fill="${st.failed ? 'white' : COLORS[key]}" stroke="${COLORS[key]}"/>`);
      });
      const lx = W - PAD.right + 12;
      out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${legendY}" y2="${legendY}" stroke="${COLORS[key]}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${lx + 34}" y="${legendY + 4}">${escape(s.system)} ${key === 'p999' ? 'p99.9' : key}</text>`);
      legendY += 18;
    }
    legendY += 8;
  }
  out.push(`<text x="${W - PAD.right + 12}" y="${legendY + 8}" fill="#555">hollow: not sustained</text>`, '</svg>');
  return out.join('\n');
}

/** 1-2-5 ticks between lo and hi. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * decade).toPrecision(3));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
