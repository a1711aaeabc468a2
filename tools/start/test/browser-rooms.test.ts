/**
 * Rooms and integrations in the web client, in a real browser against the whole system:
 * private rooms and direct messages, moderation, bots and the notification inbox. People
 * act through the page only (a bot and a webhook are set up over REST, as their owners'
 * programs would); what one does, the others must see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { freePort } from '@chitchat/testing';
import { artifacts, skip } from './browser-harness.ts';
import { LIVE, act, mark, message, moreAction, say, stayed, startLifeStack, texts, tokenOf, type LifeKit } from './browser-life-kit.ts';

let kit: LifeKit;
if (!skip) kit = await startLifeStack();
const person = (name: string, room: string, viewport?: { width: number; height: number }): Promise<Page> => kit.person(name, room, viewport);
const moderator = (room: string): Promise<Page> => kit.moderator(room);
const rest = (token: string, method: string, path: string, body?: unknown) => kit.rest(token, method, path, body);

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
  await ken.goto(`${kit.base}/#/room/${room}`);
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
