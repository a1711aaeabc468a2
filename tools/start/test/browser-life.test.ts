/**
 * Message life in the web client, in a real browser (Debian's chromium driven by
 * playwright-core) against the whole system: edits, deletes, reactions, replies and
 * mentions. Two or three people, each in their own browser context, act through the page
 * only; what one does, the others must see.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, WebSocketRoute } from 'playwright-core';
import { DESKTOP, PHONE, artifacts, skip } from './browser-harness.ts';
import { act, chip, message, reactWith, say, startLifeStack, texts, tokenOf, type LifeKit } from './browser-life-kit.ts';

let kit: LifeKit;
if (!skip) kit = await startLifeStack();
const person = (name: string, room: string, viewport?: { width: number; height: number }): Promise<Page> => kit.person(name, room, viewport);

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
    const res = await fetch(`${kit.base}/v1/rooms/life-reply/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `filler ${i}` }) });
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
