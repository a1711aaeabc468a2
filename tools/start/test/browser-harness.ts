/**
 * What the browser tests share: the whole system behind the edge (every service a process),
 * Debian's chromium driven by playwright-core, and a person signed in on a page.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLogger } from '@chitchat/platform';
import { defer, freePort, startServiceProcess, startTestRedis } from '@chitchat/testing';
import { buildEdge } from '../src/edge.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Skipped where chromium is missing, except in CI (which installs it). */
export const skip = existsSync(CHROMIUM) ? false : process.env.CI ? false : 'chromium is not installed (apt-get install chromium)';
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const artifacts = `${root}test-artifacts`;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

export interface BrowserStack {
  base: string;
  browser: Browser;
}

/** Starts Redis, the four services and the edge (with `env` for every service), and a browser. */
export async function startBrowserStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  const redis = await startTestRedis();
  defer(() => redis.stop());
  const edgePort = await freePort();
  const base = `http://127.0.0.1:${edgePort}`;
  const all = { REDIS_URL: redis.url, HOST: '127.0.0.1', ALLOWED_ORIGINS: base, ...env };
  const start = async (service: string) => {
    const proc = await startServiceProcess(service, `${root}services/${service}/dist/src/main.js`, all);
    defer(() => proc.kill());
    return proc;
  };
  const [ingest, history, gateway] = await Promise.all([start('ingest'), start('history'), start('gateway'), start('persistence')]);
  const edge = await buildEdge({
    upstreams: { ingest: `http://127.0.0.1:${ingest.port}`, history: `http://127.0.0.1:${history.port}`, gateway: `http://127.0.0.1:${gateway.port}` },
    webRoot: `${root}services/web/dist`,
    log: createLogger('edge', 'silent'),
  });
  await edge.listen({ port: edgePort, host: '127.0.0.1' });
  defer(() => edge.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  defer(() => browser.close());
  mkdirSync(artifacts, { recursive: true });
  return { base, browser };
}

/** A person in their own browser context, signed in as `name` and in `room`; a script error or a dialog fails the test. */
export async function signedIn({ base, browser }: BrowserStack, name: string, room: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  defer(() => assert.deepEqual(errors, [], `${name}'s page had no script error and no dialog`));
  await page.goto(`${base}/#/room/${room}`);
  await page.getByLabel('Pick a username').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.locator('#room-title', { hasText: `# ${room}` }).waitFor();
  return page;
}
