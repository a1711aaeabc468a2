/**
 * The deploy files, checked offline (no Docker engine or cluster here): the compose file
 * against the compose specification (dclint), the Kubernetes overlays rendered by
 * `kubectl kustomize` and validated object by object (kubernetes-models), plus the rules
 * of this project: probes, limits, a locked-down security context, pinned images, and
 * only environment variables the services' config schemas know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; data?: Record<string, string> };
type Container = {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: object; limits?: object };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
};
type PodSpec = { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };

function render(overlay: 'dev' | 'prod'): Obj[] {
  // The prod secret comes from a file that is never committed: render a copy with a stand-in.
  const dir = mkdtempSync(join(tmpdir(), 'chitchat-k8s-'));
  try {
    cpSync(`${root}k8s`, dir, { recursive: true });
    writeFileSync(`${dir}/overlays/prod/token.env`, `TOKEN_SECRET=${'t'.repeat(40)}\n`);
    const out = execFileSync('kubectl', ['kustomize', `${dir}/overlays/${overlay}`], { encoding: 'utf8' });
    return parseAllDocuments(out).map((d) => d.toJSON() as Obj);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const knownCache = new Map<string, Set<string>>();

/** The config variables a service knows, read from its built config schema. */
function knownVariables(service: string): Set<string> {
  const cached = knownCache.get(service);
  if (cached) return cached;
  const script = `import('${root}services/${service}/dist/src/config.js').then((m) => console.log(JSON.stringify(Object.keys(m.${service}ConfigSchema))))`;
  const known = new Set(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[]);
  knownCache.set(service, known);
  return known;
}

test('docker-compose.yml passes the compose linter and runs Redis with AOF, two gateways and two workers', () => {
  execFileSync(`${root}node_modules/.bin/dclint`, ['--max-warnings', '0', `${root}docker-compose.yml`], { stdio: 'pipe' });
  const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8')) as { services: Record<string, { command?: string[]; deploy?: { replicas?: number }; healthcheck?: unknown; volumes?: string[]; build?: { target: string } }> };
  const redis = compose.services.redis;
  assert.ok(redis?.command?.join(' ').includes('--appendonly yes --appendfsync everysec --maxmemory-policy noeviction'));
  assert.ok(redis?.healthcheck && redis.volumes?.some((v) => v.endsWith(':/data')));
  assert.equal(compose.services.gateway?.deploy?.replicas, 2);
  assert.equal(compose.services.persistence?.deploy?.replicas, 2);
  for (const s of ['ingest', 'persistence', 'gateway', 'history', 'edge']) assert.equal(compose.services[s]?.build?.target, s, `${s} builds its own target`);
});

test('the Dockerfile pins its bases, builds every target, and runs as a non-root user with a health check', () => {
  const dockerfile = readFileSync(`${root}deploy/Dockerfile`, 'utf8');
  for (const base of dockerfile.matchAll(/^ARG \w+_IMAGE=(.+)$/gm)) assert.match(base[1] ?? '', /:\d+\.\d+\.\d+-/, `${base[1]} is pinned to a version`);
  for (const target of ['ingest', 'persistence', 'gateway', 'history', 'edge']) {
    const stage = dockerfile.split(/^FROM /m).find((s) => new RegExp(` AS ${target}\\n`).test(s)) ?? '';
    assert.match(stage, /HEALTHCHECK/, `${target} has a health check`);
  }
  assert.match(dockerfile, /^USER node$/m);
  for (const cmd of dockerfile.matchAll(/CMD \["node", "([^"]+)"\]/g)) assert.ok(cmd[1]?.startsWith('services/'), cmd[1]);
  const ignore = readFileSync(`${root}.dockerignore`, 'utf8');
  for (const pattern of ['**/node_modules', '**/dist', '.git', '.env']) assert.ok(ignore.includes(pattern), pattern);
});

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

for (const overlay of ['dev', 'prod'] as const) {
  test(`k8s/overlays/${overlay} renders to valid objects that follow the deployment rules`, { skip: kubectl ? false : 'kubectl is not installed (it renders the kustomize overlays)' }, async () => {
    const objects = render(overlay);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['Namespace', 'ConfigMap', 'Secret', 'Deployment', 'StatefulSet', 'Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
      assert.ok(kinds.has(kind), `has a ${kind}`);
    }
    for (const o of objects) await validate(o);

    const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    const podLabels = new Map(workloads.map((w) => [w.metadata.name, ((w.spec?.template as { metadata: { labels: Record<string, string> } }).metadata.labels)]));
    for (const w of workloads) {
      const selector = (w.spec?.selector as { matchLabels: Record<string, string> }).matchLabels;
      const labels = podLabels.get(w.metadata.name) ?? {};
      for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v, `${w.metadata.name}: selector matches its pods`);
      const pod = (w.spec?.template as { spec: PodSpec }).spec;
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${w.metadata.name}: runs as non-root`);
      for (const c of pod.containers) {
        assert.ok(c.readinessProbe && c.livenessProbe, `${c.name}: probes`);
        assert.ok(c.resources?.requests && c.resources.limits, `${c.name}: requests and limits`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${c.name}: no privilege escalation`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${c.name}: read-only root filesystem`);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${c.name}: all capabilities dropped`);
        assert.match(c.image, /:[0-9][\w.-]*$/, `${c.name}: image pinned to a version (${c.image})`);
        assert.doesNotMatch(c.image, /:latest$/);
      }
    }
    for (const s of objects.filter((o) => o.kind === 'Service')) {
      const spec = s.spec as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
      const target = workloads.find((w) => Object.entries(spec.selector).every(([k, v]) => podLabels.get(w.metadata.name)?.[k] === v));
      assert.ok(target, `service ${s.metadata.name} selects some pods`);
      const ports = (target.spec?.template as { spec: PodSpec }).spec.containers.flatMap((c) => c.ports ?? []);
      for (const p of spec.ports) assert.ok(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `service ${s.metadata.name}: target port ${p.targetPort} exists`);
    }
    // One source of truth: every variable set for a service is one its config schema reads.
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('chitchat-config'));
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('chitchat-secret'));
    assert.ok(config && secret);
    for (const service of ['ingest', 'persistence', 'gateway', 'history']) {
      const known = knownVariables(service);
      const deployment = workloads.find((w) => w.metadata.name === service);
      const container = (deployment?.spec?.template as { spec: PodSpec }).spec.containers[0];
      assert.ok(container);
      const fromRefs = (container.envFrom ?? []).flatMap((ref) => {
        if (ref.configMapRef) return Object.keys(config.data ?? {});
        if (ref.secretRef) return Object.keys(secret.data ?? {});
        return [];
      });
      for (const name of [...fromRefs, ...(container.env ?? []).map((e) => e.name)]) {
        // Shared settings may be meant for another service; a service ignores what it does not read.
        const knownSomewhere = ['ingest', 'persistence', 'gateway', 'history'].some((s) => knownVariables(s).has(name));
        assert.ok(known.has(name) || (fromRefs.includes(name) && knownSomewhere), `${service}: ${name} is a variable ChitChat knows`);
      }
    }
  });
}

async function validate(o: Obj): Promise<void> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const modules: Record<string, string> = {
    '': 'kubernetes-models/v1',
    apps: 'kubernetes-models/apps/v1',
    policy: 'kubernetes-models/policy/v1',
    autoscaling: 'kubernetes-models/autoscaling/v2',
    'networking.k8s.io': 'kubernetes-models/networking.k8s.io/v1',
  };
  const path = modules[group ?? ''];
  assert.ok(path && (version === 'v1' || version === 'v2'), `known apiVersion ${o.apiVersion}`);
  const models = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[o.kind];
  assert.ok(Model, `a model for ${o.kind}`);
  new Model(o).validate();
}
