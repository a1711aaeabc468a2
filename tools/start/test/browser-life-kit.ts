/**
 * What the message-life browser tests share: the whole system (with an admin, a short
 * mention delay and webhooks that give up at once), people on pages, a moderator who goes
 * from room to room, REST calls, and the gestures on a message.
 */
import type { Locator, Page } from 'playwright-core';
import { DESKTOP, signedIn, startBrowserStack, type BrowserStack } from './browser-harness.ts';

/** May moderate every room. */
export const ADMIN = 'mod';

/** Not the 30 s a room-list poll would take: what a live frame brings is there in seconds. */
export const LIVE = { timeout: 10_000 };

/** The stack of one test file and what needs it. */
export class LifeKit {
  readonly #stack: BrowserStack;
  #modPage: Page | undefined;

  constructor(stack: BrowserStack) {
    this.#stack = stack;
  }

  get base(): string {
    return this.#stack.base;
  }

  person(name: string, room: string, viewport = DESKTOP): Promise<Page> {
    return signedIn(this.#stack, name, room, viewport);
  }

  /** The admin of every room: one person, in one browser, going from room to room. */
  async moderator(room: string): Promise<Page> {
    if (!this.#modPage) this.#modPage = await this.person(ADMIN, room);
    else await visit(this.#modPage, room);
    return this.#modPage;
  }

  /** A REST call with a bearer token; the answer's status and JSON body. */
  async rest(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
    return { status: res.status, json };
  }
}

export async function startLifeStack(): Promise<LifeKit> {
  return new LifeKit(
    await startBrowserStack({
      ADMIN_USERS: ADMIN,
      // A mention still unread after this goes to the inbox.
      MENTION_NOTIFY_DELAY_MS: '300',
      // A webhook to a closed local port fails at its only try and is disabled at once.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_ATTEMPTS: '1',
      WEBHOOK_DISABLE_AFTER: '1',
    }),
  );
}

/** Goes to a room the way a link does (no reload). */
export async function visit(page: Page, room: string): Promise<void> {
  await page.evaluate((r) => (location.hash = `#/room/${r}`), room);
  await page.locator('#room-title', { hasText: `# ${room}` }).waitFor();
}

/** Marks the page, so that `stayed` tells whether it was reloaded since. */
export async function mark(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded?: boolean }).notReloaded = true));
}

export async function stayed(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
}

export async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

/** The confirmed message (in the room's list, not pending) whose text has `text`. */
export function message(page: Page, text: string): Locator {
  return page.locator('#messages .message', { has: page.locator('.text', { hasText: text }) });
}

/** Runs one of a message's actions the way a mouse user does: hover, then click. */
export async function act(item: Locator, action: string): Promise<void> {
  await item.hover();
  await item.getByRole('button', { name: action, exact: true }).click();
}

export async function moreAction(item: Locator, action: string): Promise<void> {
  await act(item, 'More actions');
  await item.getByRole('menuitem', { name: action, exact: true }).click();
}

export async function reactWith(item: Locator, emoji: string): Promise<void> {
  await act(item, 'Add reaction');
  await item.getByRole('button', { name: `React with ${emoji}`, exact: true }).click();
}

/** The reaction chip of `emoji` on a message: its count and whether it is pressed. */
export async function chip(item: Locator, emoji: string, count: number, pressed: boolean): Promise<void> {
  await item.locator(`.reaction[data-emoji="${emoji}"][aria-pressed="${pressed}"]`, { has: item.page().locator('.count', { hasText: new RegExp(`^${count}$`) }) }).waitFor();
}

export const texts = (page: Page) => page.locator('#messages .message .text').allTextContents();

export async function tokenOf(page: Page): Promise<string> {
  const saved = await page.evaluate(() => localStorage.getItem('chitchat.session') ?? '{}');
  return (JSON.parse(saved) as { token: string }).token;
}
