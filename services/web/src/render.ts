// DOM building for messages. User text only ever becomes text nodes (and links built
// from parsed http(s) URLs, and spans around @mentions), never HTML.
import type { Message, Reaction } from './api.ts';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
// `@name` where name is a username, not preceded by a name character (so `a@b.c` is no
// mention): the rule the server uses to notify.
const MENTION_PATTERN = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]{3,32})(?![A-Za-z0-9_-])/g;

/** The emoji offered by the reaction picker. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

/** Plain text with its `@name` tokens in `.mention` spans (`.mention-me` for `me`). */
function withMentions(text: string, me: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const match of text.matchAll(MENTION_PATTERN)) {
    // A trailing dot ends a sentence, not a name: "thanks @bob."
    const name = (match[1] as string).replace(/\.+$/, '');
    if (name.length < 3) continue;
    out.append(text.slice(at, match.index));
    const span = document.createElement('span');
    span.className = name.toLowerCase() === me.toLowerCase() ? 'mention mention-me' : 'mention';
    span.textContent = `@${name}`;
    out.append(span);
    at = match.index + 1 + name.length;
  }
  out.append(text.slice(at));
  return out;
}

/** Text with its http(s) links as real links and its @mentions highlighted. */
export function richText(text: string, me = ''): DocumentFragment {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    out.append(withMentions(text.slice(at, match.index), me));
    const a = document.createElement('a');
    a.href = match[0];
    a.textContent = match[0];
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    out.append(a);
    at = match.index + match[0].length;
  }
  out.append(withMentions(text.slice(at), me));
  return out;
}

/** The start of a message's text on one line, for quotes and notices. */
export function excerpt(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function dayOf(ts: number): string {
  return new Date(ts).toDateString();
}

export function formatFull(ts: number): string {
  return fullFormat.format(ts);
}

export function daySeparator(ts: number): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'day-separator';
  li.setAttribute('role', 'separator');
  li.dataset.day = dayOf(ts);
  li.textContent = dayFormat.format(ts);
  return li;
}

export type MessageState = 'pending' | 'confirmed' | 'failed';

/** What a message element shows besides the message: who is looking, and its parent if a reply. */
export interface View {
  /** The signed-in user. */
  me: string;
  /** The message replied to: the message, `null` when it is gone, `undefined` while unknown. */
  parent?: Message | null;
  /** Whether `me` may moderate the room (then the admin actions are offered). */
  admin?: boolean;
}

type Shown = Pick<Message, 'user' | 'text' | 'ts'> & Partial<Message>;

function button(label: string, text: string, action: string, className = 'btn btn-sm btn-link'): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.dataset.action = action;
  b.textContent = text;
  if (label !== text) {
    b.setAttribute('aria-label', label);
    b.title = label;
  }
  return b;
}

/** One message; `grouped` hides author and time when it follows the same author closely. */
export function messageItem(m: Shown, mine: boolean, grouped: boolean, view: View): HTMLLIElement {
  const li = document.createElement('li');
  li.className = `message${mine ? ' mine' : ''}${grouped ? ' grouped' : ''}`;
  li.dataset.user = m.user;
  li.dataset.ts = String(m.ts);
  if (m.seq !== undefined) li.dataset.seq = String(m.seq);
  if (m.id !== undefined) li.dataset.id = m.id;
  if (!grouped) {
    const meta = document.createElement('div');
    meta.className = 'meta';
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = m.user;
    meta.append(author);
    if (m.bot) meta.append(botBadge());
    const time = document.createElement('time');
    time.dateTime = new Date(m.ts).toISOString();
    time.textContent = timeFormat.format(m.ts);
    time.title = formatFull(m.ts);
    meta.append(time);
    li.append(meta);
  }
  const quote = document.createElement('div');
  quote.className = 'quote-slot';
  const body = document.createElement('div');
  body.className = 'body';
  const reactions = document.createElement('div');
  reactions.className = 'reactions';
  const problem = document.createElement('div');
  problem.className = 'problem small text-danger';
  problem.setAttribute('role', 'alert');
  li.append(quote, body, reactions, problem);
  fillMessage(li, m, mine, view);
  return li;
}

/** (Re)draws what can change in a message element: text, edited mark, deletion, reactions, actions. */
export function fillMessage(li: HTMLElement, m: Shown, mine: boolean, view: View): void {
  li.classList.toggle('deleted', !!m.deleted);
  li.classList.toggle('mentions-me', !m.deleted && !mine && mentions(m.text, view.me));
  const quote = li.querySelector('.quote-slot') as HTMLElement;
  quote.replaceChildren(...(m.replyTo !== undefined && !m.deleted ? [replyQuote(m.replyTo, view.parent)] : []));

  const body = li.querySelector('.body') as HTMLElement;
  const text = document.createElement('span');
  text.className = 'text';
  if (m.deleted) {
    text.classList.add('fst-italic', 'text-body-secondary');
    text.textContent = 'message deleted';
    body.replaceChildren(text);
  } else {
    text.append(richText(m.text, view.me));
    body.replaceChildren(text);
    if (m.editedAt !== undefined) {
      const edited = document.createElement('span');
      edited.className = 'edited small text-body-secondary';
      edited.textContent = '(edited)';
      edited.title = `Edited ${formatFull(m.editedAt)}`;
      body.append(' ', edited);
    }
  }

  const reactions = li.querySelector('.reactions') as HTMLElement;
  reactions.replaceChildren(...(m.deleted ? [] : (m.reactions ?? []).filter((r) => r.count > 0).map(reactionChip)));

  // The actions depend only on who wrote it and whether one may moderate (kept as they are,
  // so an open menu stays open; only the admin items come and go).
  const bar = li.querySelector<HTMLElement>('.actions');
  const admin = view.admin === true;
  if (m.deleted) {
    bar?.remove();
    li.classList.remove('menu-open', 'selected');
  } else if (!bar && m.seq !== undefined) {
    li.append(actions(m.user, mine, admin, m.bot === true));
  } else if (bar && bar.dataset.admin !== String(admin)) {
    bar.dataset.admin = String(admin);
    const holder = bar.querySelector<HTMLElement>('.more');
    if (holder) fillMore(holder, m.user, admin, m.bot === true);
  }
}

/** The small "BOT" mark after the name of a bot's message. */
function botBadge(): HTMLSpanElement {
  const badge = document.createElement('span');
  badge.className = 'badge bot-badge text-bg-secondary';
  badge.textContent = 'BOT';
  badge.title = 'Posted by a bot of this room';
  return badge;
}

function mentions(text: string, me: string): boolean {
  const key = me.toLowerCase();
  for (const match of text.matchAll(MENTION_PATTERN)) if ((match[1] as string).replace(/\.+$/, '').toLowerCase() === key) return true;
  return false;
}

function reactionChip(r: Reaction): HTMLButtonElement {
  const chip = document.createElement('button');
  chip.type = 'button';
  chip.className = `btn btn-sm reaction ${r.me ? 'btn-primary' : 'btn-outline-secondary'}`;
  chip.dataset.action = 'toggle-reaction';
  chip.dataset.emoji = r.emoji;
  chip.setAttribute('aria-pressed', String(!!r.me));
  chip.title = r.me ? `You reacted with ${r.emoji}: click to take it back` : `React with ${r.emoji}`;
  const emoji = document.createElement('span');
  emoji.className = 'emoji';
  emoji.textContent = r.emoji;
  const count = document.createElement('span');
  count.className = 'count';
  count.textContent = String(r.count);
  chip.append(emoji, ' ', count);
  return chip;
}

/** The quoted parent of a reply: a button that scrolls to it. */
export function replyQuote(target: number, parent: Message | null | undefined): HTMLButtonElement {
  const quote = document.createElement('button');
  quote.type = 'button';
  quote.className = 'reply-quote';
  quote.dataset.action = 'quote';
  quote.dataset.target = String(target);
  const who = document.createElement('span');
  who.className = 'quote-author';
  const what = document.createElement('span');
  what.className = 'quote-text';
  if (parent === undefined) {
    what.textContent = '…';
  } else if (parent === null) {
    what.textContent = 'original message unavailable';
    what.classList.add('fst-italic');
  } else {
    who.textContent = parent.user;
    if (parent.deleted) {
      what.textContent = 'message deleted';
      what.classList.add('fst-italic');
    } else {
      what.textContent = excerpt(parent.text);
    }
  }
  quote.setAttribute('aria-label', parent ? `Reply to ${parent.user}: ${what.textContent}. Show it` : 'Reply to an earlier message');
  quote.append('↩ ', who, who.textContent ? ': ' : '', what);
  return quote;
}

function actions(user: string, mine: boolean, admin: boolean, bot: boolean): HTMLDivElement {
  const bar = document.createElement('div');
  bar.className = 'actions shadow-sm';
  bar.dataset.admin = String(admin);
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Message actions');
  bar.append(button('Reply', '↩', 'reply', 'btn btn-sm action'));

  const react = document.createElement('div');
  react.className = 'menu-holder';
  const reactButton = button('Add reaction', '☺+', 'picker', 'btn btn-sm action');
  reactButton.setAttribute('aria-haspopup', 'true');
  reactButton.setAttribute('aria-expanded', 'false');
  const picker = document.createElement('div');
  picker.className = 'dropdown-menu dropdown-menu-end picker';
  picker.dataset.bsPopper = 'static';
  for (const emoji of QUICK_REACTIONS) {
    const b = button(`React with ${emoji}`, emoji, 'react', 'btn btn-sm btn-link picker-emoji');
    b.dataset.emoji = emoji;
    picker.append(b);
  }
  react.append(reactButton, picker);
  bar.append(react);

  if (mine) {
    bar.append(button('Edit', '✎', 'edit', 'btn btn-sm action'), button('Delete', '🗑', 'delete', 'btn btn-sm action'));
  } else {
    const more = document.createElement('div');
    more.className = 'menu-holder more';
    const moreButton = button('More actions', '⋯', 'more', 'btn btn-sm action');
    moreButton.setAttribute('aria-haspopup', 'menu');
    moreButton.setAttribute('aria-expanded', 'false');
    const menu = document.createElement('div');
    menu.className = 'dropdown-menu dropdown-menu-end';
    menu.dataset.bsPopper = 'static';
    menu.setAttribute('role', 'menu');
    more.append(moreButton, menu);
    fillMore(more, user, admin, bot);
    bar.append(more);
  }
  return bar;
}

/**
 * The "More actions" menu of someone else's message: a direct message to its author, and
 * for room admins Delete, Mute and Ban. A bot has no session to write to, mute or ban (its
 * name may even be a person's), so its messages offer only the admins' Delete; with nothing
 * to offer the menu is hidden.
 */
function fillMore(holder: HTMLElement, user: string, admin: boolean, bot: boolean): void {
  const menu = holder.querySelector('.dropdown-menu') as HTMLElement;
  const item = (text: string, action: string, danger = false): HTMLButtonElement => {
    const b = button(text, text, action, `dropdown-item${danger ? ' text-danger' : ''}`);
    b.setAttribute('role', 'menuitem');
    return b;
  };
  const items: HTMLElement[] = bot ? [] : [item(`Message ${user}`, 'dm')];
  if (admin) {
    const header = document.createElement('h6');
    header.className = 'dropdown-header';
    header.textContent = 'Room admins';
    if (items.length > 0) {
      const divider = document.createElement('hr');
      divider.className = 'dropdown-divider';
      items.push(divider);
    }
    items.push(header, item('Delete', 'mod-delete', true));
    if (!bot) items.push(item('Mute 10 min', 'mute', true), item('Ban', 'ban', true));
  }
  menu.replaceChildren(...items);
  holder.hidden = items.length === 0;
}

/** An inline yes/no question in a message (before a delete or a ban). */
export function confirmBox(question: string, yes: string, action: string): HTMLDivElement {
  const box = document.createElement('div');
  box.className = 'confirm small d-flex flex-wrap align-items-center gap-2 mt-1';
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', question);
  const text = document.createElement('span');
  text.textContent = question;
  box.append(text, button(yes, yes, action, 'btn btn-sm btn-danger py-0'), button('Cancel', 'Cancel', 'cancel-confirm', 'btn btn-sm btn-outline-secondary py-0'));
  return box;
}

/** The inline editor of one's own message. */
export function editor(text: string): HTMLFormElement {
  const form = document.createElement('form');
  form.className = 'editor mt-1';
  const area = document.createElement('textarea');
  area.className = 'form-control form-control-sm';
  area.value = text;
  area.rows = Math.min(8, text.split('\n').length);
  area.maxLength = 4000;
  area.setAttribute('aria-label', 'Edit message');
  const row = document.createElement('div');
  row.className = 'd-flex align-items-center gap-2 mt-1 small';
  const hint = document.createElement('span');
  hint.className = 'text-body-secondary me-auto';
  hint.textContent = 'Enter saves · Esc cancels';
  const save = button('Save', 'Save', 'save-edit', 'btn btn-sm btn-primary py-0');
  save.type = 'submit';
  row.append(hint, button('Cancel', 'Cancel', 'cancel-edit', 'btn btn-sm btn-outline-secondary py-0'), save);
  form.append(area, row);
  return form;
}

/** Marks a message element pending, confirmed or failed (with why, and a retry button). */
export function setState(li: HTMLLIElement, state: MessageState, retry?: () => void, reason?: string): void {
  li.dataset.state = state;
  li.querySelector('.state')?.remove();
  if (state === 'confirmed') return;
  const note = document.createElement('div');
  note.className = 'state small';
  if (state === 'pending') {
    note.textContent = 'sending…';
  } else {
    note.classList.add('text-danger');
    note.append(reason ? `not sent: ${reason} ` : 'not sent ');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-link btn-sm p-0 align-baseline retry';
    button.textContent = 'Retry';
    button.addEventListener('click', () => retry?.());
    note.append(button);
  }
  li.append(note);
}
