// DOM building for messages. User text only ever becomes text nodes (and links built
// from parsed http(s) URLs), never HTML.
import type { Message } from './api.ts';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Text with its http(s) links as real links. */
export function richText(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    out.append(text.slice(at, match.index));
    const a = document.createElement('a');
    a.href = match[0];
    a.textContent = match[0];
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    out.append(a);
    at = match.index + match[0].length;
  }
  out.append(text.slice(at));
  return out;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function dayOf(ts: number): string {
  return new Date(ts).toDateString();
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

/** One message; `grouped` hides author and time when it follows the same author closely. */
export function messageItem(m: Pick<Message, 'user' | 'text' | 'ts'> & { seq?: number }, mine: boolean, grouped: boolean): HTMLLIElement {
  const li = document.createElement('li');
  li.className = `message${mine ? ' mine' : ''}${grouped ? ' grouped' : ''}`;
  li.dataset.user = m.user;
  li.dataset.ts = String(m.ts);
  if (m.seq !== undefined) li.dataset.seq = String(m.seq);
  if (!grouped) {
    const meta = document.createElement('div');
    meta.className = 'meta';
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = m.user;
    const time = document.createElement('time');
    time.dateTime = new Date(m.ts).toISOString();
    time.textContent = timeFormat.format(m.ts);
    meta.append(author, time);
    li.append(meta);
  }
  const body = document.createElement('div');
  body.className = 'text';
  body.append(richText(m.text));
  li.append(body);
  return li;
}

/** Marks a message element pending, confirmed or failed (with a retry button). */
export function setState(li: HTMLLIElement, state: MessageState, retry?: () => void): void {
  li.dataset.state = state;
  li.querySelector('.state')?.remove();
  if (state === 'confirmed') return;
  const note = document.createElement('div');
  note.className = 'state small';
  if (state === 'pending') {
    note.textContent = 'sending…';
  } else {
    note.classList.add('text-danger');
    note.append('not sent ');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-link btn-sm p-0 align-baseline retry';
    button.textContent = 'Retry';
    button.addEventListener('click', () => retry?.());
    note.append(button);
  }
  li.append(note);
}
