/**
 * The observability profile of docker-compose.yml (Jaeger, Prometheus, Grafana), checked
 * offline: it starts only with `--profile observability`, traces are exported only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, Prometheus scrapes every replica of every service that
 * serves /metrics on the port it listens on, and Grafana gets its data sources and the
 * dashboard from deploy/observability. That the dashboard's and the alerts' PromQL names
 * only metrics the services really export is checked live, in
 * tools/chaos/test/observability.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PROFILE = 'observability';

type Service = {
  image?: string;
  build?: { target?: string };
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

// `merge`: the services take their common settings from `<<: *service` and `<<: *env`.
const composeText = readFileSync(`${root}docker-compose.yml`, 'utf8');
const compose = parse(composeText, { merge: true }) as Compose;
const services = Object.entries(compose.services);

function service(name: string): Service {
  const s = compose.services[name];
  assert.ok(s, `docker-compose.yml has a service ${name}`);
  return s;
}

/** A variable as compose interpolates it: `${X}`, `${X:-default}`, `${X-default}`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (_m, name: string, op: string | undefined, fallback: string | undefined) => {
    const v = env[name];
    if (v === undefined || (op === ':-' && v === '')) return fallback ?? '';
    return v;
  });
}

/** The file or folder on this machine that a service sees at `containerPath`, through its bind mounts. */
function hostPath(name: string, containerPath: string): string {
  for (const volume of service(name).volumes ?? []) {
    const [source, target] = volume.split(':') as [string, string | undefined];
    if (!source.startsWith('./') || !target) continue;
    if (containerPath === target || containerPath.startsWith(`${target}/`)) return join(root, source, containerPath.slice(target.length));
  }
  assert.fail(`${name} mounts nothing from the repository at ${containerPath}`);
}

/**
 * The compose services that serve /metrics, with the port: those built from a Node stage
 * of deploy/Dockerfile (it sets `ENV PORT`); every one is a @chitchat/platform HTTP server,
 * which serves /metrics on that port. The edge (nginx) sets none.
 */
function metricsServices(): Map<string, number> {
  const dockerfile = readFileSync(`${root}deploy/Dockerfile`, 'utf8');
  const stagePort = new Map<string, number>();
  for (const stage of dockerfile.split(/^FROM /m)) {
    const target = /^\S+ AS (\S+)/.exec(stage)?.[1];
    const port = /^ENV PORT=(\d+)$/m.exec(stage)?.[1];
    if (target && port) stagePort.set(target, Number(port));
  }
  const out = new Map<string, number>();
  for (const [name, s] of services) {
    const port = s.build?.target ? stagePort.get(s.build.target) : undefined;
    if (port !== undefined) out.set(name, Number(s.environment?.PORT ?? port));
  }
  return out;
}

/** Container port of each published port (`host:port:container`, `port:container`). */
const containerPorts = (s: Service): number[] => (s.ports ?? []).map((p) => Number(p.split(':').at(-1)?.split('/')[0]));

test('the observability services start only with --profile observability, the rest always', () => {
  const inProfile = services.filter(([, s]) => s.profiles !== undefined).map(([name]) => name).sort();
  assert.deepEqual(inProfile, ['grafana', 'jaeger', 'prometheus'], 'Jaeger, Prometheus and Grafana are the profile, and nothing else has a profile');
  for (const name of inProfile) assert.deepEqual(service(name).profiles, [PROFILE], `${name}: profiles: [${PROFILE}]`);
  for (const [name, s] of services) {
    if (s.profiles) continue;
    // A plain `docker compose up` would fail on (or start) a dependency in a profile.
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const dep of deps) assert.ok(!service(dep).profiles, `${name} (always started) does not depend on ${dep}, which is in a profile`);
  }
  for (const name of inProfile) {
    const s = service(name);
    assert.match(s.image ?? '', /:v?\d+\.\d+\.\d+$/, `${name}: image pinned to a version (${s.image})`);
    for (const p of s.ports ?? []) assert.ok(p.startsWith('127.0.0.1:'), `${name}: ${p} is published on the loopback interface only`);
    for (const volume of s.volumes ?? []) {
      const [source] = volume.split(':') as [string];
      if (source.startsWith('./')) assert.ok(existsSync(join(root, source)), `${name}: ${source} exists`);
      else assert.ok(compose.volumes && source in compose.volumes, `${name}: volume ${source} is declared`);
    }
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const dep of deps) service(dep);
  }
});

test('traces are exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set, and the documented endpoint is Jaeger\'s OTLP/HTTP port', () => {
  const named = metricsServices();
  assert.ok(named.size > 0);
  const endpoint = /OTEL_EXPORTER_OTLP_ENDPOINT=(\S+) docker compose --profile observability up/.exec(composeText)?.[1];
  assert.ok(endpoint, 'docker-compose.yml says how to turn tracing on');
  for (const name of named.keys()) {
    const env = service(name).environment ?? {};
    // The name @chitchat/platform's tracing uses when OTEL_SERVICE_NAME is unset (npm start), so traces look the same.
    assert.equal(env.OTEL_SERVICE_NAME, `chitchat-${name}`, `${name}: OTEL_SERVICE_NAME`);
    const value = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    assert.equal(typeof value, 'string', `${name}: OTEL_EXPORTER_OTLP_ENDPOINT is set from the environment`);
    assert.equal(interpolate(value as string, {}), '', `${name}: no endpoint, so no export, unless the variable is set`);
    assert.equal(interpolate(value as string, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }), '', `${name}: empty stays empty`);
    assert.equal(interpolate(value as string, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), endpoint, `${name}: the variable is passed on`);
  }
  for (const [name, s] of services) {
    if (named.has(name)) continue;
    assert.ok(!Object.keys(s.environment ?? {}).some((k) => k.startsWith('OTEL_')), `${name} is not a traced service`);
  }
  const url = new URL(endpoint);
  assert.equal(url.protocol, 'http:');
  const collector = service(url.hostname);
  assert.deepEqual(collector.profiles, [PROFILE], `${url.hostname} is in the ${PROFILE} profile`);
  assert.equal(url.port, '4318', 'OTLP over HTTP (the services export with OTLP/HTTP)');
  assert.ok(containerPorts(collector).includes(4318) && containerPorts(collector).includes(4317), `${url.hostname} takes OTLP on 4317 and 4318`);
});

type ScrapeConfig = {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
  static_configs?: { targets: string[] }[];
};
type PrometheusConfig = { global?: { scrape_interval?: string }; rule_files?: string[]; scrape_configs: ScrapeConfig[] };
type RuleFile = { groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string }[] }[] };

function prometheusConfig(): { config: PrometheusConfig; file: string } {
  const flag = service('prometheus').command?.find((c) => c.startsWith('--config.file='));
  assert.ok(flag, 'prometheus is started with --config.file');
  const file = hostPath('prometheus', flag.slice('--config.file='.length));
  return { config: parse(readFileSync(file, 'utf8')) as PrometheusConfig, file };
}

/** Files matching one of Prometheus' rule_files globs (a `*` in the file name only). */
function ruleFiles(configFile: string, globs: string[]): string[] {
  const dir = join(configFile, '..');
  return globs.flatMap((glob) => {
    const full = join(dir, glob);
    const folder = join(full, '..');
    const pattern = new RegExp(`^${full.slice(folder.length + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    return existsSync(folder) ? readdirSync(folder).filter((f) => pattern.test(f)).map((f) => join(folder, f)) : [];
  });
}

test('Prometheus scrapes every replica of every service that serves /metrics, on the port it listens on', () => {
  const { config, file } = prometheusConfig();
  const targets = metricsServices();
  assert.deepEqual([...targets.keys()].sort(), ['gateway', 'history', 'ingest', 'persistence'], 'the services with /metrics');
  const jobs = config.scrape_configs.map((c) => c.job_name);
  assert.equal(new Set(jobs).size, jobs.length, 'job names are unique');
  for (const [name, port] of targets) {
    // DNS service discovery: the compose name resolves to one address per replica. A static
    // `name:port` target would scrape one replica, whichever the name resolved to.
    const job = config.scrape_configs.find((c) => c.dns_sd_configs?.some((d) => d.names.includes(name)));
    assert.ok(job, `a scrape job discovers the replicas of ${name} by DNS`);
    const sd = job.dns_sd_configs?.find((d) => d.names.includes(name));
    assert.ok(sd?.type === 'A' || sd?.type === 'AAAA', `${name}: A records (the default, SRV, has no records in compose)`);
    assert.equal(sd.port, port, `${name} is scraped on the port it listens on`);
    assert.ok((job.metrics_path ?? '/metrics') === '/metrics' && (job.scheme ?? 'http') === 'http', `${name}: http://…/metrics`);
  }
  for (const c of config.scrape_configs) {
    for (const target of (c.static_configs ?? []).flatMap((s) => s.targets)) {
      assert.ok(!targets.has(target.split(':')[0] ?? ''), `${c.job_name}: ${target} would scrape one replica only`);
    }
  }
  const rules = ruleFiles(file, config.rule_files ?? []);
  assert.ok(rules.length > 0, 'rule_files match some files');
  const alerts = new Set<string>();
  for (const rulesFile of rules) {
    const parsed = parse(readFileSync(rulesFile, 'utf8')) as RuleFile;
    assert.ok(parsed.groups.length > 0, `${rulesFile} has rule groups`);
    for (const rule of parsed.groups.flatMap((g) => g.rules)) {
      assert.ok(typeof rule.expr === 'string' && rule.expr.trim() !== '', `${rule.alert ?? rule.record}: an expression`);
      assert.ok((rule.alert === undefined) !== (rule.record === undefined), `${rule.expr}: either an alert or a recording rule`);
      if (rule.alert) {
        assert.ok(!alerts.has(rule.alert), `alert ${rule.alert} is defined once`);
        alerts.add(rule.alert);
      }
      if (rule.for !== undefined) assert.match(rule.for, /^\d+[smh]$/);
    }
  }
});

type Panel = {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
};

test('Grafana provisions the Prometheus and Jaeger data sources and the ChitChat dashboard from deploy/observability', () => {
  const grafana = service('grafana');
  const sources = hostPath('grafana', '/etc/grafana/provisioning/datasources');
  const datasources = readdirSync(sources)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => (parse(readFileSync(join(sources, f), 'utf8')) as { datasources: { uid: string; type: string; url: string; jsonData?: { timeInterval?: string } }[] }).datasources);
  const uids = new Map(datasources.map((d) => [d.uid, d]));
  for (const [type, name] of [['prometheus', 'prometheus'], ['jaeger', 'jaeger']] as const) {
    const ds = datasources.find((d) => d.type === type);
    assert.ok(ds, `a ${type} data source`);
    const url = new URL(ds.url);
    assert.equal(url.hostname, name, `${type} data source: the compose service`);
    assert.ok(containerPorts(service(name)).includes(Number(url.port)), `${type} data source: a port ${name} listens on`);
  }
  const { config } = prometheusConfig();
  assert.equal(datasources.find((d) => d.type === 'prometheus')?.jsonData?.timeInterval, config.global?.scrape_interval, 'Grafana knows the scrape interval ($__rate_interval)');

  const providersDir = hostPath('grafana', '/etc/grafana/provisioning/dashboards');
  const providers = readdirSync(providersDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => (parse(readFileSync(join(providersDir, f), 'utf8')) as { providers: { type: string; options: { path: string } }[] }).providers);
  assert.ok(providers.length > 0, 'a dashboard provider');
  const dashboards = providers.flatMap((p) => {
    const dir = hostPath('grafana', p.options.path);
    assert.ok(statSync(dir).isDirectory(), `${p.options.path} is a folder of the repository`);
    return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  });
  assert.ok(dashboards.some((d) => d.endsWith('deploy/observability/grafana/dashboards/chitchat.json')), 'the ChitChat dashboard is provisioned');
  const home = String(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '');
  assert.ok(existsSync(hostPath('grafana', home)), `the home dashboard ${home} is mounted`);

  for (const file of dashboards) {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { uid: string; title: string; panels: Panel[] };
    assert.ok(dashboard.uid && dashboard.title, `${file}: uid and title`);
    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${file}: panel ids are unique`);
    const cells = new Map<string, string>();
    for (const p of panels) {
      const { h, w, x, y } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${p.title}: inside the 24-column grid`);
      for (let r = y; r < y + h; r++) {
        for (let col = x; col < x + w; col++) {
          const other = cells.get(`${r},${col}`);
          assert.ok(!other, `${p.title} overlaps ${other}`);
          cells.set(`${r},${col}`, p.title);
        }
      }
      if (p.type === 'row') continue;
      assert.ok(p.targets && p.targets.length > 0, `${p.title}: has queries`);
      assert.ok(p.datasource && uids.get(p.datasource.uid)?.type === p.datasource.type, `${p.title}: a provisioned data source`);
      const refIds = p.targets.map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${p.title}: refIds are unique`);
      for (const t of p.targets) {
        assert.ok(t.expr.trim() !== '', `${p.title} ${t.refId}: an expression`);
        assert.ok(!t.datasource || uids.get(t.datasource.uid)?.type === t.datasource.type, `${p.title} ${t.refId}: a provisioned data source`);
        assert.equal([...t.expr].filter((ch) => ch === '(').length, [...t.expr].filter((ch) => ch === ')').length, `${p.title} ${t.refId}: balanced parentheses`);
      }
    }
  }
});
