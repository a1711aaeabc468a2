// Being told: a notice when someone mentions you, and the inbox behind the bell (mentions
// left unread, webhooks that were disabled), with a count of what you have not seen yet.
import type { Notification } from './api.ts';
import type { Mention } from './live.ts';
import { excerpt, formatFull } from './render.ts';
import { $, api, emptyRoom, roomInText, state } from './state.ts';
import { bump, refreshRooms, renderRooms } from './sidebar.ts';
import { toast } from './ui.ts';

export function onMention(mention: Mention): void {
  const summary = state.rooms.get(mention.room) ?? emptyRoom(mention.room);
  const seen = mention.room === state.active && !document.hidden;
  if (!seen) summary.mentioned = true;
  bump(summary);
  renderRooms();
  if (!seen) {
    toast(`${mention.user} mentioned you in ${roomInText(mention.room)}`, excerpt(mention.text, 120), () => (location.hash = `#/room/${mention.room}`));
  }
  // A room we did not know of (a private room someone added us to): learn its name.
  if (summary.private && summary.title === undefined && summary.members === undefined) void refreshRooms().catch(() => {});
}

const inbox = {
  /** Newest first, as the server keeps them. */
  items: [] as Notification[],
  /** The newest `at` the user has seen in the open inbox (kept per user in this browser). */
  seenAt: 0,
  /** Entries newer than this are marked new in the list (what was unseen when it opened). */
  newAfter: 0,
};

/**
 * One inbox entry however often it comes (the answer to GET and a live frame may overlap).
 * Entries have no id: a mention is one per message; a webhook may be disabled again later.
 */
function keyOf(n: Notification): string {
  return n.type === 'mention' ? `mention/${n.room}/${n.seq}` : `${n.type}/${n.room}/${n.webhookId}/${n.at}`;
}

function seenStorageKey(): string {
  return `chitchat.inboxSeen.${state.username.toLowerCase()}`;
}

function merge(more: Notification[]): void {
  const byKey = new Map<string, Notification>();
  for (const n of [...more, ...inbox.items]) if (!byKey.has(keyOf(n))) byKey.set(keyOf(n), n);
  inbox.items = [...byKey.values()].sort((a, b) => b.at - a.at);
}

/** Loads the inbox (after signing in, and after a reconnection, as frames may have been missed). */
export async function loadInbox(): Promise<void> {
  inbox.seenAt = Number(localStorage.getItem(seenStorageKey()) ?? 0) || 0;
  const list = $('inbox-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const { notifications } = await api.notifications();
    merge(notifications);
  } finally {
    list.removeAttribute('aria-busy');
    renderInbox();
  }
}

export function onNotification(notification: Notification): void {
  merge([notification]);
  renderInbox();
}

export function resetInbox(): void {
  inbox.items = [];
  inbox.seenAt = 0;
  inbox.newAfter = 0;
  closeInbox();
  renderInbox();
}

function isOpen(): boolean {
  return !$('inbox').hidden;
}

/** Everything in view is seen: the count goes away. */
function markSeen(): void {
  const newest = inbox.items[0]?.at ?? 0;
  if (newest <= inbox.seenAt) return;
  inbox.seenAt = newest;
  localStorage.setItem(seenStorageKey(), String(newest));
}

function renderInbox(): void {
  if (isOpen()) markSeen();
  else inbox.newAfter = inbox.seenAt;
  const unseen = inbox.items.filter((n) => n.at > inbox.seenAt).length;
  const count = $('inbox-count');
  count.hidden = unseen === 0;
  count.textContent = unseen > 99 ? '99+' : String(unseen);
  $('inbox-button').setAttribute('aria-label', unseen === 0 ? 'Notifications' : `Notifications, ${unseen} new`);
  $('inbox-list').replaceChildren(...inbox.items.map(inboxItem));
  $('inbox-empty').hidden = inbox.items.length > 0;
  $<HTMLButtonElement>('inbox-clear').disabled = inbox.items.length === 0;
}

function inboxItem(n: Notification): HTMLLIElement {
  const li = document.createElement('li');
  li.className = `list-group-item p-0 inbox-item${n.at > inbox.newAfter ? ' unseen' : ''}`;
  li.dataset.type = n.type;
  const content = n.type === 'mention' ? document.createElement('button') : document.createElement('div');
  content.className = 'inbox-entry d-block w-100 text-start border-0 bg-transparent px-3 py-2';
  const text = document.createElement('div');
  text.className = 'inbox-text';
  const time = document.createElement('time');
  time.className = 'd-block small text-body-secondary';
  time.dateTime = new Date(n.at).toISOString();
  time.textContent = formatFull(n.at);
  if (n.type === 'mention') {
    text.textContent = `${n.user} mentioned you in ${roomInText(n.room)}: ${excerpt(n.text, 140)}`;
    (content as HTMLButtonElement).type = 'button';
    content.title = 'Open the room';
    content.addEventListener('click', () => {
      closeInbox();
      location.hash = `#/room/${n.room}`;
    });
  } else {
    text.textContent = `A webhook of ${roomInText(n.room)} was disabled after failing: ${n.url}`;
  }
  content.append(text, time);
  li.append(content);
  return li;
}

function openInbox(): void {
  $('inbox').hidden = false;
  $('inbox-button').setAttribute('aria-expanded', 'true');
  renderInbox();
  ($('inbox').querySelector<HTMLElement>('.inbox-entry, #inbox-clear:not(:disabled)') ?? $('inbox')).focus();
}

function closeInbox(): void {
  $('inbox').hidden = true;
  $('inbox-button').setAttribute('aria-expanded', 'false');
}

async function clearInbox(): Promise<void> {
  const button = $<HTMLButtonElement>('inbox-clear');
  button.disabled = true;
  try {
    await api.clearNotifications();
    inbox.items = [];
  } catch (err) {
    toast('Could not clear the notifications', (err as Error).message);
  }
  renderInbox();
}

export function wireInbox(): void {
  $('inbox-button').addEventListener('click', () => (isOpen() ? closeInbox() : openInbox()));
  $('inbox-clear').addEventListener('click', () => void clearInbox());
  document.addEventListener('click', (event) => {
    if (isOpen() && !(event.target as HTMLElement).closest('#inbox-holder')) closeInbox();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !isOpen()) return;
    closeInbox();
    $('inbox-button').focus();
  });
}
