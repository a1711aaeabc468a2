/**
 * Message life in the web client, in a real browser (Debian's chromium driven by
 * playwright-core) against the whole system: edits, deletes, reactions, replies, mentions,
 * private rooms and direct messages, moderation, bots, the notification inbox. Two or three
 * people, each in their own browser context, act through the page only (a bot and a webhook
 * are set up over REST, as their owners' programs would); what one does, the others must see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Locator, type Page, type WebSocketRoute } from 'playwright-core';
import { freePort } from '@chitchat/testing';
import { DESKTOP, PHONE, artifacts, signedIn, skip, startBrowserStack, type BrowserStack } from './browser-harness.ts';

/** May moderate every room. */
const ADMIN = 'mod';

let stack: BrowserStack;
let base = '';
if (!skip) {
  stack = await startBrowserStack({
    ADMIN_USERS: ADMIN,
    // A mention still unread after this goes to the inbox.
    MENTION_NOTIFY_DELAY_MS: '300',
    // A webhook to a closed local port fails at its only try and is disabled at once.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_ATTEMPTS: '1',
    WEBHOOK_DISABLE_AFTER: '1',
  });
  base = stack.base;
}

async function person(name: string, room: string, viewport = DESKTOP): Promise<Page> {
  return signedIn(stack, name, room, viewport);
}

/** Goes to a room the way a link does (no reload). */
async function visit(page: Page, room: string): Promise<void> {
  await page.evaluate((r) => (location.hash = `#/room/${r}`), room);
  await page.locator('#room-title', { hasText: `# ${room}` }).waitFor();
}

let modPage: Page | undefined;

/** The admin of every room: one person, in one browser, going from room to room. */
async function moderator(room: string): Promise<Page> {
  if (!modPage) modPage = await person(ADMIN, room);
  else await visit(modPage, room);
  return modPage;
}

/** Marks the page, so that `stayed` tells whether it was reloaded since. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded?: boolean }).notReloaded = true));
}

async function stayed(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
}

/** Not the 30 s a room-list poll would take: what a live frame brings is there in seconds. */
const LIVE = { timeout: 10_000 };

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

/** The confirmed message (in the room's list, not pending) whose text has `text`. */
function message(page: Page, text: string): Locator {
  return page.locator('#messages .message', { has: page.locator('.text', { hasText: text }) });
}

/** Runs one of a message's actions the way a mouse user does: hover, then click. */
async function act(item: Locator, action: string): Promise<void> {
  await item.hover();
  await item.getByRole('button', { name: action, exact: true }).click();
}

async function moreAction(item: Locator, action: string): Promise<void> {
  await act(item, 'More actions');
  await item.getByRole('menuitem', { name: action, exact: true }).click();
}

async function reactWith(item: Locator, emoji: string): Promise<void> {
  await act(item, 'Add reaction');
  await item.getByRole('button', { name: `React with ${emoji}`, exact: true }).click();
}

/** The reaction chip of `emoji` on a message: its count and whether it is pressed. */
async function chip(item: Locator, emoji: string, count: number, pressed: boolean): Promise<void> {
  await item.locator(`.reaction[data-emoji="${emoji}"][aria-pressed="${pressed}"]`, { has: item.page().locator('.count', { hasText: new RegExp(`^${count}$`) }) }).waitFor();
}

const texts = (page: Page) => page.locator('#messages .message .text').allTextContents();

async function tokenOf(page: Page): Promise<string> {
  const saved = await page.evaluate(() => localStorage.getItem('chitchat.session') ?? '{}');
  return (JSON.parse(saved) as { token: string }).token;
}

/** A REST call with a bearer token; the answer's status and JSON body. */
async function rest(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
  return { status: res.status, json };
}

test('alice edits and deletes her message; bob sees both change in place, and after a reload', { skip }, async () => {
  const alice = await person('alice', 'life-edit');
  const bob = await person('bob', 'life-edit');
  await say(alice, 'meet at 10');
  await say(alice, 'and bring snacks');
  await say(bob, 'ok');
  await message(alice, 'ok').waitFor();
  await message(bob, 'and bring snacks').waitFor();
  const firstSeq = await message(bob, 'meet at 10').getAttribute('data-seq');
  const secondSeq = await message(bob, 'and bring snacks').getAttribute('data-seq');

  // Edit: Enter saves.
  const first = message(alice, 'meet at 10');
  await act(first, 'Edit');
  const box = first.getByLabel('Edit message');
  assert.equal(await box.inputValue(), 'meet at 10', 'the editor starts with the text');
  await box.fill('meet at 11');
  await box.press('Enter');
  const bobsFirst = bob.locator(`#messages .message[data-seq="${firstSeq}"]`);
  await bobsFirst.locator('.text', { hasText: 'meet at 11' }).waitFor();
  const mark = bobsFirst.locator('.edited', { hasText: '(edited)' });
  await mark.waitFor();
  assert.match((await mark.getAttribute('title')) ?? '', /^Edited \S/, 'the edit time is in the tooltip');
  assert.deepEqual(await texts(bob), ['meet at 11', 'and bring snacks', 'ok'], 'changed where it was, nothing added');
  await alice.locator(`#messages .message[data-seq="${firstSeq}"] .edited`).waitFor();

  // Edit: Esc cancels.
  const second = message(alice, 'and bring snacks');
  await act(second, 'Edit');
  await second.getByLabel('Edit message').fill('never mind');
  await second.getByLabel('Edit message').press('Escape');
  await second.getByLabel('Edit message').waitFor({ state: 'detached' });
  assert.equal(await second.locator('.text').textContent(), 'and bring snacks');
  assert.equal(await second.locator('.edited').count(), 0);

  // Delete, after a confirmation.
  await act(second, 'Delete');
  await second.getByRole('button', { name: 'Yes, delete' }).click();
  const bobsSecond = bob.locator(`#messages .message[data-seq="${secondSeq}"]`);
  await bobsSecond.locator('.text', { hasText: 'message deleted' }).waitFor();
  assert.equal(await bobsSecond.locator('.text').evaluate((el) => getComputedStyle(el).fontStyle), 'italic');
  assert.equal(await bobsSecond.getByRole('button', { name: 'Reply' }).count(), 0, 'a deleted message has no actions');
  assert.deepEqual(await texts(bob), ['meet at 11', 'message deleted', 'ok']);
  await alice.locator(`#messages .message[data-seq="${secondSeq}"] .text`, { hasText: 'message deleted' }).waitFor();

  // From here bob's WebSocket goes through the test, which can cut it.
  let cut = false;
  const sockets: WebSocketRoute[] = [];
  await bob.routeWebSocket(/\/v1\/ws/, async (ws) => {
    if (cut) return ws.close({ code: 1013, reason: 'cut by the test' });
    ws.connectToServer();
    sockets.push(ws);
  });
  await bob.reload();
  await message(bob, 'ok').waitFor();
  assert.deepEqual(await texts(bob), ['meet at 11', 'message deleted', 'ok'], 'history has the current state');
  await bob.locator(`#messages .message[data-seq="${firstSeq}"] .edited`).waitFor();

  // An edit made while bob is disconnected reaches him when he is back (the resume with `since`).
  cut = true;
  for (const ws of sockets.splice(0)) await ws.close({ code: 1012, reason: 'cut by the test' });
  await bob.locator('#banner').waitFor();
  const alicesFirst = alice.locator(`#messages .message[data-seq="${firstSeq}"]`);
  await act(alicesFirst, 'Edit');
  await alicesFirst.getByLabel('Edit message').fill('meet at 11:30');
  await alicesFirst.getByLabel('Edit message').press('Enter');
  await alicesFirst.locator('.text', { hasText: 'meet at 11:30' }).waitFor();
  cut = false;
  await bobsFirst.locator('.text', { hasText: 'meet at 11:30' }).waitFor();
  assert.deepEqual(await texts(bob), ['meet at 11:30', 'message deleted', 'ok']);
});

test('bob reacts and alice sees the count; toggling takes a reaction back', { skip }, async () => {
  const carol = await person('carol', 'life-react');
  const dave = await person('dave', 'life-react');
  await say(carol, 'lunch at noon?');
  const davesView = message(dave, 'lunch at noon?');
  await reactWith(davesView, '👍');
  const carolsView = message(carol, 'lunch at noon?');
  await chip(carolsView, '👍', 1, false);
  await chip(davesView, '👍', 1, true);

  await carolsView.locator('.reaction[data-emoji="👍"]').click();
  await chip(carolsView, '👍', 2, true);
  await chip(davesView, '👍', 2, true);

  await reactWith(carolsView, '🎉');
  await chip(davesView, '🎉', 1, false);

  await davesView.locator('.reaction[data-emoji="👍"]').click();
  await chip(carolsView, '👍', 1, true);
  await chip(davesView, '👍', 1, false);

  await carol.reload();
  const afterReload = message(carol, 'lunch at noon?');
  await chip(afterReload, '👍', 1, true);
  await chip(afterReload, '🎉', 1, true);
});

test('bob replies and alice sees the quote; a click on it shows the parent; a parent not loaded is fetched', { skip }, async () => {
  const erin = await person('erin', 'life-reply');
  const frank = await person('frank', 'life-reply');
  await say(erin, 'who has the keys?');
  const parent = message(frank, 'who has the keys?');
  await parent.waitFor();
  // Enough talk after the question that it is off screen, and (after a reload) off the first page.
  const token = await tokenOf(frank);
  for (let i = 1; i <= 55; i++) {
    const res = await fetch(`${base}/v1/rooms/life-reply/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `filler ${i}` }) });
    assert.equal(res.status, 202);
  }
  await message(frank, 'filler 55').waitFor();
  await act(parent, 'Reply');
  await frank.locator('#reply-bar', { hasText: 'Replying to erin: who has the keys?' }).waitFor();
  await say(frank, 'I do');
  await frank.locator('#reply-bar').waitFor({ state: 'hidden' });

  const reply = message(erin, 'I do');
  const quote = reply.locator('.reply-quote');
  await quote.filter({ hasText: 'erin: who has the keys?' }).waitFor();
  const questionSeq = Number(await message(erin, 'who has the keys?').getAttribute('data-seq'));
  const inView = (seq: number): boolean => {
    const el = document.querySelector(`#messages .message[data-seq="${seq}"]`);
    const scroller = document.getElementById('scroller');
    if (!el || !scroller) return false;
    const box = el.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    return box.bottom > view.top && box.top < view.bottom;
  };
  assert.equal(await erin.evaluate(inView, questionSeq), false, 'the question is scrolled out of view');
  await quote.click();
  await erin.waitForFunction(inView, questionSeq);

  // After a reload the question is not on the first page: the quote is fetched by seq.
  await erin.reload();
  await message(erin, 'I do').waitFor();
  assert.equal(await message(erin, 'who has the keys?').count(), 0, 'the question is not loaded');
  await message(erin, 'I do').locator('.reply-quote', { hasText: 'erin: who has the keys?' }).waitFor();
});

test('bob mentions @alice while she is in another room: she gets a notice and the room comes first', { skip }, async () => {
  const grace = await person('grace', 'life-quiet');
  const heidi = await person('heidi', 'life-standup');
  assert.equal(await grace.locator('#rooms a', { hasText: 'life-standup' }).count(), 0, 'grace does not know the room yet');
  await say(heidi, 'ping @grace, can you review?');
  const notice = grace.locator('#toasts .toast', { hasText: 'heidi mentioned you in #life-standup' });
  await notice.waitFor();
  await notice.filter({ hasText: 'ping @grace, can you review?' }).waitFor();
  const first = grace.locator('#rooms a').first();
  await first.filter({ hasText: '# life-standup' }).locator('.mention-badge').waitFor();
  assert.equal(await heidi.locator('#messages .mention-me').count(), 0, "heidi's own view highlights the name, not as hers");
  await message(heidi, 'ping').locator('.mention', { hasText: '@grace' }).waitFor();

  await notice.locator('.toast-body').click();
  await grace.locator('#room-title', { hasText: '# life-standup' }).waitFor();
  await message(grace, 'can you review?').locator('.mention-me', { hasText: '@grace' }).waitFor();
  await grace.locator('#rooms a', { hasText: 'life-standup' }).locator('.mention-badge').waitFor({ state: 'detached' });
});

test('a private room is seen by its members only, and shows in their sidebars at once; so does a DM', { skip }, async () => {
  const ivan = await person('ivan', 'life-lobby');
  const judy = await person('judy', 'life-lobby');
  const ken = await person('ken', 'life-lobby');
  await mark(judy);
  await mark(ivan);
  assert.equal(await judy.locator('#rooms a', { hasText: 'Surprise party' }).count(), 0, 'judy has no such room yet');

  await ivan.getByRole('button', { name: 'New private room' }).click();
  await ivan.getByLabel('Title').fill('Surprise party');
  await ivan.getByLabel('Members').fill('judy');
  await ivan.getByRole('button', { name: 'Create' }).click();
  await ivan.locator('#room-title', { hasText: '🔒 Surprise party' }).waitFor();
  const room = /#\/room\/(priv-[a-z0-9_-]+)$/.exec(ivan.url())?.[1];
  assert.ok(room, `the page is at the new room (${ivan.url()})`);
  await ivan.locator('#rooms a', { hasText: 'Surprise party' }).locator('.lock').waitFor();

  // judy is a member: the room appears in her sidebar while she stays in the lobby.
  const item = judy.locator('#rooms a', { hasText: 'Surprise party' });
  await item.locator('.lock').waitFor(LIVE);
  assert.equal(await judy.locator('#room-title').textContent(), '# life-lobby', 'judy is still where she was');
  await say(ivan, 'shh, it is for ken');
  await message(ivan, 'shh').waitFor();
  await say(ivan, 'and bring a card');
  await item.locator('.badge', { hasText: /^2$/ }).waitFor(LIVE);
  assert.equal(await stayed(judy), true, 'judy did not reload');
  await item.click();
  await message(judy, 'shh, it is for ken').waitFor();
  await message(judy, 'and bring a card').waitFor();
  assert.equal(await ken.locator('#rooms a', { hasText: 'Surprise party' }).count(), 0, 'ken was not told of it');

  await ken.reload();
  await ken.locator('#rooms a', { hasText: '# life-lobby' }).waitFor();
  assert.equal(await ken.locator('#rooms a', { hasText: 'Surprise party' }).count(), 0, 'ken does not see it');
  await ken.goto(`${base}/#/room/${room}`);
  await ken.locator('#room-problem', { hasText: 'Room not found' }).waitFor();
  assert.equal(await ken.locator('#messages .message').count(), 0);
  assert.equal(await ken.locator('#send').isVisible(), false, 'nothing to write into');

  // A direct message: judy writes to ivan from the sidebar.
  await judy.getByLabel('Message a user').fill('ivan');
  await judy.getByRole('button', { name: 'Message', exact: true }).click();
  await judy.locator('#room-title', { hasText: '@ivan' }).waitFor();
  assert.match(judy.url(), /#\/room\/dm-[a-z0-9_-]+$/);
  await say(judy, 'hi ivan, about the cake');
  await message(judy, 'about the cake').waitFor();
  // ivan is told of the DM when judy opens it: it shows in his sidebar, unread, no reload.
  const dm = ivan.locator('#rooms a', { hasText: '@judy' });
  await dm.locator('.badge', { hasText: /^1$/ }).waitFor(LIVE);
  assert.equal(await stayed(ivan), true, 'ivan did not reload');
  await dm.click();
  await message(ivan, 'about the cake').waitFor();
  assert.equal(await ken.evaluate(() => document.body.textContent?.includes('about the cake')), false);
});

test('moderation: a non-admin is offered no admin actions; an admin deletes, mutes and bans', { skip }, async () => {
  const mod = await moderator('life-town');
  const trent = await person('trent', 'life-town');
  const victor = await person('victor', 'life-town');
  await say(trent, 'buy cheap watches');
  await message(mod, 'cheap watches').waitFor();

  const ADMIN_ITEMS = ['Delete', 'Mute 10 min', 'Ban'];
  const victorsView = message(victor, 'cheap watches');
  await act(victorsView, 'More actions');
  await victorsView.getByRole('menuitem', { name: 'Message trent', exact: true }).waitFor();
  for (const name of ADMIN_ITEMS) assert.equal(await victorsView.getByRole('menuitem', { name, exact: true }).count(), 0, `victor is not offered ${name}`);
  assert.equal(await victorsView.getByText('Room admins').count(), 0);
  await victor.keyboard.press('Escape');
  await say(trent, 'still here');
  await message(victor, 'still here').waitFor();

  const modsView = message(mod, 'cheap watches');
  await act(modsView, 'More actions');
  for (const name of ADMIN_ITEMS) await modsView.getByRole('menuitem', { name, exact: true }).waitFor();
  await mod.keyboard.press('Escape');
  await modsView.getByRole('menu').waitFor({ state: 'hidden' });
  await moreAction(modsView, 'Delete');
  await modsView.getByRole('button', { name: 'Yes, delete' }).click();
  await trent.locator('#messages .message .text', { hasText: 'message deleted' }).waitFor();
  assert.deepEqual(await texts(trent), ['message deleted', 'still here']);

  const again = message(mod, 'still here');
  await moreAction(again, 'Mute 10 min');
  await again.locator('.problem', { hasText: 'trent is muted in #life-town until' }).waitFor();
  await say(trent, 'can I talk?');
  await trent.locator('#pending .message[data-state="failed"]', { hasText: 'not sent: ' }).waitFor();

  await moreAction(again, 'Ban');
  await again.getByRole('button', { name: 'Yes, ban' }).click();
  await trent.locator('#room-problem', { hasText: 'You were banned from #life-town' }).waitFor();
  assert.equal(await trent.locator('#messages .message').count(), 0, 'the room is no longer shown');
  assert.equal(await trent.locator('#rooms a', { hasText: 'life-town' }).count(), 0, 'nor in the sidebar');
});

test('a bot posts with its token: its messages carry a BOT badge, people\'s do not', { skip }, async () => {
  const mod = await moderator('life-bots');
  const wendy = await person('wendy', 'life-bots');
  const created = await rest(await tokenOf(mod), 'POST', '/v1/rooms/life-bots/bots', { name: 'deploybot' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const botToken = created.json.token as string;
  await say(wendy, 'is the deploy done?');
  await message(wendy, 'is the deploy done?').waitFor();
  const posted = await rest(botToken, 'POST', '/v1/rooms/life-bots/messages', { text: 'deploy 142 finished' });
  assert.equal(posted.status, 202, JSON.stringify(posted.json));
  await say(wendy, 'thanks');

  const botsView = message(wendy, 'deploy 142 finished');
  const badge = botsView.locator('.meta .author:text-is("deploybot") + .bot-badge');
  await badge.waitFor();
  assert.equal(await badge.textContent(), 'BOT');
  const own = message(wendy, 'is the deploy done?');
  await own.locator('.meta .author', { hasText: 'wendy' }).waitFor();
  assert.equal(await own.locator('.bot-badge').count(), 0, "a person's message has no badge");
  await message(wendy, 'thanks').locator('.meta .author', { hasText: 'wendy' }).waitFor();
  assert.equal(await wendy.locator('#messages .bot-badge').count(), 1, 'one badge: on the one bot message');
  await wendy.screenshot({ path: `${artifacts}/bot-desktop.png` });

  // From history too; and a bot cannot be written to, muted or banned: an admin may only delete.
  await wendy.reload();
  await message(wendy, 'deploy 142 finished').locator('.bot-badge', { hasText: 'BOT' }).waitFor();
  const modsView = message(mod, 'deploy 142 finished');
  await modsView.locator('.bot-badge').waitFor();
  await act(modsView, 'More actions');
  await modsView.getByRole('menuitem', { name: 'Delete', exact: true }).waitFor();
  for (const name of ['Message deploybot', 'Mute 10 min', 'Ban']) assert.equal(await modsView.getByRole('menuitem', { name, exact: true }).count(), 0, `no ${name} on a bot`);
  await mod.keyboard.press('Escape');
});

test('a mention left unread goes to the inbox behind the bell; it opens the room; Clear empties it', { skip }, async () => {
  const quinn = await person('quinn', 'life-inbox');
  const rupert = await person('rupert', 'life-elsewhere');
  const bell = rupert.getByRole('button', { name: /^Notifications/ });
  const count = rupert.locator('#inbox-count');
  const entries = rupert.locator('#inbox-list .inbox-item');
  await bell.waitFor();
  assert.equal(await count.isVisible(), false, 'nothing new yet');

  await say(quinn, '@rupert the build is red');
  await count.filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await bell.getAttribute('aria-label'), 'Notifications, 1 new');
  await bell.click();
  const entry = entries.filter({ hasText: 'quinn mentioned you in #life-inbox: @rupert the build is red' });
  await entry.waitFor();
  assert.equal(await entries.count(), 1);
  await count.waitFor({ state: 'hidden' });

  // Kept by the server, and no longer new after a reload.
  await rupert.reload();
  await rupert.locator('#room-title', { hasText: '# life-elsewhere' }).waitFor();
  await entry.waitFor({ state: 'attached' });
  assert.equal(await count.isVisible(), false, 'seen before the reload');
  await bell.click();
  await entry.click();
  await rupert.locator('#room-title', { hasText: '# life-inbox' }).waitFor();
  await message(rupert, 'the build is red').locator('.mention-me').waitFor();
  assert.equal(await rupert.locator('#inbox').isVisible(), false, 'the inbox closed');

  await bell.click();
  await rupert.getByRole('button', { name: 'Clear', exact: true }).click();
  await rupert.locator('#inbox-empty', { hasText: 'No notifications' }).waitFor();
  assert.equal(await entries.count(), 0);
  await rupert.keyboard.press('Escape');

  // Cleared on the server too: after a reload and a new mention, only the new one is there.
  await rupert.locator('#rooms a', { hasText: '# life-elsewhere' }).click();
  await rupert.locator('#room-title', { hasText: '# life-elsewhere' }).waitFor();
  await rupert.reload();
  await rupert.locator('#room-title', { hasText: '# life-elsewhere' }).waitFor();
  await rupert.locator('#inbox-list:not([aria-busy])').waitFor({ state: 'attached' });
  await say(quinn, 'and now it is green, @rupert');
  await count.filter({ hasText: /^1$/ }).waitFor();
  await bell.click();
  await entries.filter({ hasText: 'quinn mentioned you in #life-inbox: and now it is green, @rupert' }).waitFor();
  assert.equal(await entries.count(), 1, 'the cleared mention is gone');
  await rupert.screenshot({ path: `${artifacts}/inbox-desktop.png` });
});

test("a webhook that keeps failing is disabled, and its creator finds it in the inbox", { skip }, async () => {
  const mod = await moderator('life-hooks');
  const token = await tokenOf(mod);
  const url = `http://127.0.0.1:${await freePort()}/hook`; // nothing listens there
  const hook = await rest(token, 'POST', '/v1/rooms/life-hooks/webhooks', { url });
  assert.equal(hook.status, 201, JSON.stringify(hook.json));
  const count = mod.locator('#inbox-count');
  assert.equal(await count.isVisible(), false, 'nothing new yet');
  await say(mod, 'this one goes nowhere');
  await count.filter({ hasText: /^1$/ }).waitFor();
  await mod.getByRole('button', { name: /^Notifications/ }).click();
  await mod.locator('#inbox-list .inbox-item', { hasText: `A webhook of #life-hooks was disabled after failing: ${url}` }).waitFor();
  await mod.keyboard.press('Escape');
  await mod.locator('#inbox').waitFor({ state: 'hidden' });
});

test('screenshots of a conversation with an edit, a deletion, reactions and a reply (desktop and phone)', { skip }, async () => {
  const olivia = await person('olivia', 'weekend', DESKTOP);
  const peggy = await person('peggy', 'weekend', PHONE);
  await say(olivia, 'Hike on Saturday? Meet at the station at 8:00');
  const plan = message(olivia, 'Hike on Saturday');
  await act(plan, 'Edit');
  await plan.getByLabel('Edit message').fill('Hike on Saturday? Meet at the station at 8:30');
  await plan.getByLabel('Edit message').press('Enter');
  await message(peggy, '8:30').locator('.edited').waitFor();
  await say(peggy, 'oops, wrong chat');
  const oops = message(peggy, 'oops, wrong chat');
  await act(oops, 'Delete');
  await oops.getByRole('button', { name: 'Yes, delete' }).click();
  await olivia.locator('#messages .message.deleted').waitFor();
  await reactWith(message(peggy, '8:30'), '👍');
  await reactWith(message(peggy, '8:30'), '🎉');
  await chip(plan, '🎉', 1, false);
  await plan.locator('.reaction[data-emoji="👍"]').click();
  await chip(message(peggy, '8:30'), '👍', 2, true);
  await act(message(peggy, '8:30'), 'Reply');
  await say(peggy, 'Count me in! @olivia I will bring sandwiches');
  await message(olivia, 'Count me in').locator('.reply-quote', { hasText: 'olivia: Hike on Saturday' }).waitFor();
  await say(olivia, 'Great, see you there 🙂');
  await message(peggy, 'see you there').waitFor();
  await peggy.locator('#scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await olivia.screenshot({ path: `${artifacts}/life-desktop.png` });
  await peggy.screenshot({ path: `${artifacts}/life-phone.png` });
});
