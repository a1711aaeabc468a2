/**
 * The web client in a real browser (Debian's chromium driven by playwright-core) against
 * the whole system: every service as a process behind the edge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Page } from 'playwright-core';
import { DESKTOP, PHONE, artifacts, signedIn, skip, startBrowserStack, type BrowserStack } from './browser-harness.ts';

let stack: BrowserStack;
let base = '';
if (!skip) {
  stack = await startBrowserStack();
  base = stack.base;
}

async function person(name: string, room = 'lobby', viewport = DESKTOP): Promise<Page> {
  return signedIn(stack, name, room, viewport);
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

const texts = (page: Page) => page.locator('#messages .message .text').allTextContents();

test('two people chat both ways, see each other online and typing; a taken name is refused inline', { skip }, async () => {
  const alice = await person('alice');
  const bob = await person('bob');
  await alice.locator('#presence', { hasText: 'alice, bob' }).waitFor();
  await bob.locator('#presence', { hasText: 'alice, bob' }).waitFor();
  await say(alice, 'hi bob');
  await bob.locator('#messages .text', { hasText: 'hi bob' }).waitFor();
  await say(bob, 'hi alice, see https://example.com/docs');
  await alice.locator('#messages .text', { hasText: 'hi alice' }).waitFor();
  const link = alice.locator('#messages a[href="https://example.com/docs"]');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  assert.deepEqual(await texts(alice), await texts(bob));
  await alice.getByLabel('Message', { exact: true }).pressSequentially('typing');
  await bob.locator('#typing', { hasText: 'alice is typing' }).waitFor();
  await alice.getByLabel('Message', { exact: true }).fill('');

  const context = await stack.browser.newContext();
  const third = await context.newPage();
  await third.goto(`${base}/`);
  await third.getByLabel('Pick a username').fill('Alice');
  await third.getByRole('button', { name: 'Join' }).click();
  await third.locator('#join-error', { hasText: 'taken' }).waitFor();
  assert.equal(await third.locator('#chat').isVisible(), false);
});

test('a reload keeps the session and the room history', { skip }, async () => {
  const carol = await person('carol', 'reload');
  await say(carol, 'before the reload');
  await carol.locator('#messages .text', { hasText: 'before the reload' }).waitFor();
  await carol.reload();
  await carol.locator('#messages .text', { hasText: 'before the reload' }).waitFor();
  assert.equal(await carol.locator('#whoami').textContent(), 'carol');
});

test('someone offline while 5 messages are sent gets exactly those 5, once each, in order', { skip }, async () => {
  const dave = await person('dave', 'offline');
  const erin = await person('erin', 'offline');
  await say(dave, 'start');
  await erin.locator('#messages .text', { hasText: 'start' }).waitFor();
  await erin.context().setOffline(true);
  for (let i = 1; i <= 5; i++) {
    await say(dave, `while away ${i}`);
    await dave.locator('#messages .text', { hasText: `while away ${i}` }).waitFor();
  }
  await erin.context().setOffline(false);
  await erin.locator('#messages .text', { hasText: 'while away 5' }).waitFor();
  assert.deepEqual(await texts(erin), ['start', 'while away 1', 'while away 2', 'while away 3', 'while away 4', 'while away 5']);
});

test('a send that fails shows "not sent"; Retry reuses its clientMsgId; a lost answer never duplicates', { skip }, async () => {
  const frank = await person('frank', 'retry');
  const sent: string[] = [];
  const record = (route: { request(): { postDataJSON(): unknown } }): void => {
    sent.push((route.request().postDataJSON() as { clientMsgId: string }).clientMsgId);
  };
  // The network fails before the request reaches the server.
  await frank.route('**/v1/rooms/retry/messages', async (route) => {
    record(route);
    await route.abort('connectionreset');
  });
  await say(frank, 'said once');
  await frank.locator('#pending .message[data-state="failed"]', { hasText: 'not sent' }).waitFor();
  await frank.unroute('**/v1/rooms/retry/messages');
  await frank.route('**/v1/rooms/retry/messages', async (route) => {
    record(route);
    await route.continue();
  });
  await frank.getByRole('button', { name: 'Retry' }).click();
  await frank.locator('#messages .text', { hasText: 'said once' }).waitFor();
  assert.equal(sent.length, 2);
  assert.equal(sent[0], sent[1], 'the retry carried the same clientMsgId');
  assert.equal(await frank.locator('#pending .message').count(), 0, 'confirmed, no longer pending');

  // The request is accepted but its answer is lost: the message still shows up once.
  await frank.unroute('**/v1/rooms/retry/messages');
  await frank.route('**/v1/rooms/retry/messages', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  });
  await say(frank, 'answer lost');
  await frank.locator('#messages .text', { hasText: 'answer lost' }).waitFor();
  await frank.unroute('**/v1/rooms/retry/messages');
  await frank.reload();
  await frank.locator('#messages .text', { hasText: 'answer lost' }).waitFor();
  assert.deepEqual(await texts(frank), ['said once', 'answer lost'], 'each stored once');
});

test('markup in a message is shown as text and runs nothing', { skip }, async () => {
  const mallory = await person('mallory', 'xss');
  const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  await say(mallory, payload);
  await mallory.locator('#messages .text', { hasText: '<img src=x' }).waitFor();
  assert.equal(await mallory.locator('#messages img, #messages script').count(), 0);
  assert.equal((await texts(mallory)).at(-1), payload);
});

test('scrolling up loads older pages without moving what is on screen', { skip }, async () => {
  const page = await person('reader', 'long');
  const saved = await page.evaluate(() => localStorage.getItem('chitchat.session') ?? '{}');
  const { token } = JSON.parse(saved) as { token: string };
  for (let i = 1; i <= 120; i++) {
    const res = await fetch(`${base}/v1/rooms/long/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `line ${i}` }) });
    assert.equal(res.status, 202);
  }
  await page.reload();
  await page.locator('#messages .text', { hasText: 'line 120' }).waitFor();
  assert.equal(await page.locator('#messages .message').count(), 50);
  const anchor = page.locator('#messages .message[data-seq="71"]');
  const before = await anchor.evaluate((el) => {
    const scroller = el.closest('#scroller');
    if (scroller) scroller.scrollTop = 0;
    return el.getBoundingClientRect().top;
  });
  await page.locator('#messages .message[data-seq="21"]').waitFor({ state: 'attached' });
  const after = await anchor.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(Math.abs(after - before) < 2, `the oldest message on screen stayed where it was (${before} -> ${after})`);
  await page.locator('#scroller').evaluate((el) => (el.scrollTop = 0));
  await page.locator('#messages .message[data-seq="1"]').waitFor({ state: 'attached' });
  const seqs = await page.locator('#messages .message').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: 120 }, (_, i) => i + 1));
});

test('screenshots at phone and desktop sizes', { skip }, async () => {
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    const page = await person(`shot-${name}`, 'general', viewport);
    for (const text of ['Good morning!', 'Has anyone tried the new build?', 'Yes, works for me: https://example.com/build/42']) await say(page, text);
    await page.locator('#messages .text', { hasText: 'works for me' }).last().waitFor();
    await page.screenshot({ path: `${artifacts}/chat-${name}.png` });
    if (name === 'phone') assert.equal(await page.locator('#sidebar').isVisible(), false, 'the room list is an offcanvas on a phone');
  }
});
