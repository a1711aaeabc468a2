/**
 * The Grafana dashboard and the Prometheus alert rules of deploy/observability name only
 * metrics (and labels) that the running services really export: checked against the live
 * /metrics of ingest, persistence, gateway and history after real traffic. The compose and
 * provisioning wiring is checked offline in tools/deploy/test/observability.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { MetricName } from '@chitchat/platform';
import { cluster, readers, traffic } from './helper.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const observability = `${root}deploy/observability/`;

/** Series Prometheus makes itself for each target, never in a /metrics. */
const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
/** Labels Prometheus adds to every scraped series (the job and the replica's address). */
const TARGET_LABELS = new Set(['job', 'instance']);

/** PromQL words that are not metric names: aggregations, operators, modifiers, literals. */
const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'atan2',
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group', 'limitk', 'limit_ratio',
  'inf', 'nan',
]);

interface Query {
  /** Where it is, for messages: a panel title or an alert name. */
  where: string;
  expr: string;
  /** Labels used outside the expression: a legend's `{{x}}`, an annotation's `$labels.x`. */
  extraLabels: string[];
}

/** The metric and label names one PromQL expression uses. */
function references(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = [];
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings (regexes, label values)
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries: [5m], [$__rate_interval], [1h:1m]
    .replace(/\$\{[^}]*\}|\$\w+/g, ' '); // Grafana variables left anywhere else
  e = e.replace(/\{([^}]*)\}/g, (_m, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.push(m[1] as string);
    return ' ';
  });
  e = e.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, inner: string) => {
    labels.push(...inner.split(',').map((l) => l.trim()).filter((l) => l !== ''));
    return ' ';
  });
  e = e.replace(/\b\d+(?:ms|s|m|h|d|w|y)\b/g, ' ').replace(/(?<![\w:])\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, ' ');
  const metrics: string[] = [];
  for (const m of e.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const word = m[0];
    const after = e.slice((m.index ?? 0) + word.length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(word.toLowerCase())) continue; // a function or an aggregation
    metrics.push(word);
  }
  return { metrics, labels };
}

type Panel = { title: string; targets?: { expr: string; legendFormat?: string }[]; panels?: Panel[] };

function dashboardQueries(): Query[] {
  const dir = `${observability}grafana/dashboards/`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0, 'some dashboards');
  return files.flatMap((f) => {
    const panels = (JSON.parse(readFileSync(`${dir}${f}`, 'utf8')) as { panels: Panel[] }).panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    return panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ where: `${f}: ${p.title}`, expr: t.expr, extraLabels: [...(t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string) })),
    );
  });
}

function ruleQueries(): Query[] {
  const dir = `${observability}prometheus/rules/`;
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0, 'some rule files');
  return files.flatMap((f) => {
    const groups = (parse(readFileSync(`${dir}${f}`, 'utf8')) as { groups: { rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] }).groups;
    return groups.flatMap((g) =>
      g.rules.map((r) => ({
        where: `${f}: ${r.alert ?? r.record}`,
        expr: r.expr,
        extraLabels: Object.values({ ...r.annotations, ...r.labels }).flatMap((v) => [...v.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1] as string)),
      })),
    );
  });
}

/**
 * What a /metrics answer exports: each sample name with the label names its samples carry,
 * and the names that `# TYPE` lines declare (a histogram is queried as `_bucket`, `_sum` and
 * `_count`; a labelled metric nothing has touched yet has a TYPE but no sample).
 */
function exposition(text: string, into: { samples: Map<string, Set<string>>; declared: Set<string> }): void {
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      const names = kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : kind === 'summary' ? [name, `${name}_sum`, `${name}_count`] : [name];
      for (const n of names) into.declared.add(n);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!sample || line.startsWith('#')) continue;
    const name = sample[1] as string;
    const labels = into.samples.get(name) ?? new Set<string>();
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="(?:[^"\\]|\\.)*"/g)) labels.add(m[1] as string);
    into.samples.set(name, labels);
  }
}

async function scrape(port: number | undefined): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200, `/metrics on ${port}`);
  return res.text();
}

/** The value of the first unlabelled sample of `name`, or undefined. */
function value(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('the PromQL reader finds metric and label names, and nothing else', () => {
  assert.deepEqual(
    references('histogram_quantile(0.99, sum by (service, le) (rate(chitchat_x_bucket{status=~"5..", route!="/v1/{room}"}[$__rate_interval]))) / on(job) group_left sum(up) > 1e3 offset 5m'),
    { metrics: ['chitchat_x_bucket', 'up'], labels: ['status', 'route', 'service', 'le', 'job'] },
  );
  assert.deepEqual(references('sum(increase(a_total[$__range])) or absent(b_p99_seconds) and c:rate5m'), { metrics: ['a_total', 'b_p99_seconds', 'c:rate5m'], labels: [] });
});

test('the dashboard shows every ChitChat metric, and latency as histogram_quantile percentiles', () => {
  const queries = dashboardQueries();
  const used = new Set(queries.flatMap((q) => references(q.expr).metrics));
  for (const name of Object.values(MetricName)) {
    assert.ok([name, `${name}_bucket`, `${name}_sum`, `${name}_count`].some((n) => used.has(n)), `the dashboard shows ${name}`);
  }
  for (const histogram of [MetricName.deliveryLatency, MetricName.httpDuration]) {
    const quantiles = queries.filter((q) => q.expr.includes(`${histogram}_bucket`) && /histogram_quantile\(\s*0\.99\s*,/.test(q.expr));
    assert.ok(quantiles.length > 0, `the 99th percentile of ${histogram}`);
    for (const q of quantiles) assert.match(q.expr, /by \([^)]*\ble\b[^)]*\)/, `${q.where}: summed by le`);
  }
});

test('every metric and label the dashboard and the alerts use is in the live /metrics of the services', async (t) => {
  const queries = [...dashboardQueries(), ...ruleQueries()];
  const c = await cluster(t, { gateways: 1, workers: 1 });
  const [reader] = await readers(t, c, ['observed'], 1);
  const senders = await traffic(c, { rooms: ['observed'], senders: 2, perSender: 5 });
  assert.equal(senders.flatMap((s) => s.accepted).length, 10);
  await reader?.until('observed', 10);
  await c.historyOf('observed', await c.token('observer'));
  const ports = { ingest: c.ingest.port, persistence: c.workers[0]?.port, gateway: c.gateways[0]?.port, history: c.history.port };
  const live = { samples: new Map<string, Set<string>>(), declared: new Set<string>() };
  for (const [service, port] of Object.entries(ports)) {
    const text = await scrape(port);
    // Exported from the start (at 0), so its panel and alert have a series before any drop.
    assert.notEqual(value(text, MetricName.redisReconnects), undefined, `${service} exports ${MetricName.redisReconnects}`);
    assert.match(text, new RegExp(`service="${service}"`), `${service}: samples carry the service label`);
    exposition(text, live);
  }
  // The histograms the latency panels read have samples.
  assert.ok((value(await scrape(ports.gateway), `${MetricName.deliveryLatency}_count`) ?? 0) >= 10, 'delivery latency observed');
  assert.ok((value(await scrape(ports.ingest), `${MetricName.httpDuration}_count`) ?? 0) >= 10, 'request durations observed');

  const missing: string[] = [];
  for (const q of queries) {
    const { metrics, labels } = references(q.expr);
    assert.ok(metrics.length > 0, `${q.where}: names a metric`);
    const allowed = new Set(TARGET_LABELS);
    for (const m of metrics) {
      if (SCRAPE_SERIES.has(m)) continue;
      if (!live.samples.has(m) && !live.declared.has(m)) missing.push(`${q.where}: metric ${m}`);
      for (const l of live.samples.get(m) ?? []) allowed.add(l);
    }
    for (const l of new Set([...labels, ...q.extraLabels])) {
      if (!allowed.has(l)) missing.push(`${q.where}: label ${l} (not on ${metrics.join(', ')})`);
    }
  }
  assert.deepEqual(missing, [], 'names the services do not export');
});
