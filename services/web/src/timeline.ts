// The open room's messages: drawing them in order (grouped, with day separators and reply
// quotes), applying changes to them in place, older pages on scroll, and the read marker.
import { ApiError, type Message } from './api.ts';
import type { MessageEvent } from './live.ts';
import { dayOf, daySeparator, fillMessage, messageItem, replyQuote, type View } from './render.ts';
import { $, api, GROUP_WINDOW_MS, isMe, isMine, state } from './state.ts';

/** What a message element shows besides the message, for the signed-in user in the open room. */
export function viewOf(m: Pick<Message, 'room' | 'replyTo'>): View {
  return { me: state.username, parent: parentOf(m), admin: state.admin };
}

export function applyChange(m: Message, event: MessageEvent): void {
  switch (event.type) {
    case 'edited':
      if (m.deleted) return;
      m.text = event.text;
      m.editedAt = event.editedAt;
      return;
    case 'deleted':
      m.deleted = true;
      m.text = '';
      delete m.reactions;
      return;
    case 'reaction': {
      const reactions = m.reactions ?? [];
      const r = reactions.find((x) => x.emoji === event.emoji);
      const me = isMe(event.user) ? event.added : r?.me;
      if (r) {
        r.count = event.count;
        r.me = me;
      } else {
        reactions.push({ emoji: event.emoji, count: event.count, me });
      }
      m.reactions = reactions.filter((x) => x.count > 0);
      return;
    }
  }
}

export function itemOf(seq: number): HTMLLIElement | null {
  return $('messages').querySelector<HTMLLIElement>(`li.message[data-seq="${seq}"]`);
}

export function redraw(li: HTMLElement, m: Message): void {
  fillMessage(li, m, isMine(m), viewOf(m));
}

/** The parent of a reply, if known: shown, fetched before, or unknown yet (undefined). */
export function parentOf(m: Pick<Message, 'room' | 'replyTo'>): Message | null | undefined {
  if (m.replyTo === undefined) return undefined;
  if (m.room === state.active) {
    const shown = state.bySeq.get(m.replyTo);
    if (shown) return shown;
  }
  return state.parents.get(`${m.room}/${m.replyTo}`);
}

export function redrawQuotesOf(seq: number, parent: Message | null): void {
  for (const quote of document.querySelectorAll<HTMLElement>(`#messages .reply-quote[data-target="${seq}"], #pending .reply-quote[data-target="${seq}"]`)) {
    quote.replaceWith(replyQuote(seq, parent));
  }
}

/** Fetches a reply's parent that is not on screen, once, then draws the quotes of it. */
function fetchParent(room: string, seq: number): void {
  const key = `${room}/${seq}`;
  if (state.parents.has(key) || state.parentFetches.has(key)) return;
  const fetching = api
    .message(room, seq)
    .then(
      (m) => void state.parents.set(key, m),
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) state.parents.set(key, null);
      },
    )
    .finally(() => {
      state.parentFetches.delete(key);
      const parent = state.parents.get(key);
      if (room === state.active && parent !== undefined) redrawQuotesOf(seq, parent);
    });
  state.parentFetches.set(key, fetching);
}

export function append(m: Message): void {
  const last = state.shown.at(-1);
  if (last && m.seq <= last.seq) return;
  const list = $('messages');
  if (!last || dayOf(last.ts) !== dayOf(m.ts)) list.append(daySeparator(m.ts));
  // A bot and a person of the same name are two authors.
  const grouped =
    !!last && last.user === m.user && !last.bot === !m.bot && m.ts - last.ts < GROUP_WINDOW_MS && dayOf(last.ts) === dayOf(m.ts) && m.replyTo === undefined;
  const view = viewOf(m);
  list.append(messageItem(m, isMine(m), grouped, view));
  state.shown.push(m);
  state.bySeq.set(m.seq, m);
  if (m.replyTo !== undefined && view.parent === undefined && !m.deleted) fetchParent(m.room, m.replyTo);
}

/** Loads the page before the oldest shown message, keeping what is on screen in place. */
export async function loadOlder(): Promise<void> {
  const first = state.shown[0];
  if (state.loadingOlder || state.loading || !first || first.seq <= 1) return;
  state.loadingOlder = true;
  const room = state.active;
  try {
    const page = await api.page(room, first.seq);
    if (state.active !== room || page.messages.length === 0) return;
    // Keep the message that was first on screen exactly where it was.
    const scroller = $('scroller');
    const anchorAt = (): number => itemOf(first.seq)?.getBoundingClientRect().top ?? 0;
    const before = anchorAt();
    const all = [...page.messages, ...state.shown];
    state.shown = [];
    state.bySeq.clear();
    $('messages').replaceChildren();
    for (const m of all) append(m);
    scroller.scrollTop += anchorAt() - before;
  } finally {
    state.loadingOlder = false;
  }
}

export function nearEnd(): boolean {
  const s = $('scroller');
  return s.scrollHeight - s.scrollTop - s.clientHeight < 60;
}

export function scrollToEnd(): void {
  const s = $('scroller');
  s.scrollTop = s.scrollHeight;
}

/** Reports the room as read up to the latest seq seen (debounced), when the page is visible. */
export function markRead(): void {
  clearTimeout(state.readTimer);
  state.readTimer = window.setTimeout(() => {
    const seq = Math.max(state.activeSeq, state.shown.at(-1)?.seq ?? 0);
    const summary = state.rooms.get(state.active);
    if (!seq || document.hidden || !summary || (summary.readSeq ?? 0) >= seq) return;
    summary.readSeq = seq;
    summary.unread = 0;
    api.read(state.active, seq).catch(() => {});
  }, 500);
}
