// Repeats deploy/Dockerfile's build without Docker: in a temporary copy of the repository,
// `npm ci` and build, then production dependencies only, then exactly the files the
// runtime stage copies; then starts each service from that layout with the image's
// command and NODE_ENV=production, and checks /healthz. A file or dependency the image
// would miss fails here. Keep in step with deploy/Dockerfile.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'chitchat-image-'));
const services = { ingest: 3001, persistence: 3004, gateway: 3002, history: 3003 };
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', process.stderr, 'inherit'] });
let redis;

try {
  console.log(`image layout: building in ${work}`);
  const build = join(work, 'build');
  mkdirSync(build);
  // The build context: tracked files only (what .dockerignore leaves is not tracked).
  for (const file of execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (/^(package\.json|package-lock\.json|tsconfig\.base\.json|tsconfig\.json|libs\/|services\/|tools\/|bench\/|scripts\/)/.test(file)) {
      cpSync(join(root, file), join(build, file), { recursive: true });
    }
  }
  run('npm', ['ci', '--no-audit', '--no-fund'], build);
  run('npm', ['run', 'build'], build);
  rmSync(join(build, 'node_modules'), { recursive: true, force: true });
  run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', ...Object.keys(services).flatMap((s) => ['-w', `services/${s}`])], build);

  const app = join(work, 'app');
  for (const path of ['package.json', 'package-lock.json', 'node_modules', 'libs/contracts', 'libs/platform', ...Object.keys(services).map((s) => `services/${s}`)]) {
    cpSync(join(build, path), join(app, path), { recursive: true, verbatimSymlinks: true });
  }

  const port = 20000 + Math.floor(Math.random() * 20000);
  redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let seen = '';
    redis.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('Ready to accept connections')) resolve();
    });
    redis.on('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  redis.stdout.resume();
  for (const [service, basePort] of Object.entries(services)) {
    const servicePort = basePort + 10000 + Math.floor(Math.random() * 1000);
    const child = spawn(process.execPath, [`services/${service}/dist/src/main.js`], {
      cwd: app,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', TOKEN_SECRET: 'x'.repeat(40), REDIS_URL: `redis://127.0.0.1:${port}`, PORT: String(servicePort), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(`exited with ${code}`)));
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      const state = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 200, 'waiting'))]);
      if (state !== 'waiting') throw new Error(`${service} ${state} when started from the image layout`);
      ok = await fetch(`http://127.0.0.1:${servicePort}/healthz`).then((r) => r.ok, () => false);
    }
    child.kill('SIGTERM');
    await exited;
    if (!ok) throw new Error(`${service} did not answer /healthz from the image layout`);
    console.log(`image layout: ${service} starts and is healthy with production dependencies only`);
  }
} finally {
  redis?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
