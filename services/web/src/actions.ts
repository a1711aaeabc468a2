// What one does to a message: reply, react, edit, delete; and for room admins delete
// others' messages, mute and ban. Actions are buttons in the message (a toolbar on hover or
// tap, menus), handled by one click listener on the list.
import type { Message } from './api.ts';
import { setReply } from './composer.ts';
import { confirmBox, editor } from './render.ts';
import { $, api, isMine, MUTE_SECONDS, roomInText, state } from './state.ts';
import { openDm } from './sidebar.ts';
import { applyChange, itemOf, redraw, redrawQuotesOf } from './timeline.ts';
import { problemText } from './ui.ts';

/** Shows a result or a problem of an action under the message ('' clears). */
function note(li: HTMLElement, text: string, ok = false): void {
  const el = li.querySelector('.problem');
  if (!el) return;
  el.textContent = text;
  el.classList.toggle('text-danger', !ok);
  el.classList.toggle('text-body-secondary', ok);
}

function closeMenus(except?: Element): void {
  for (const menu of document.querySelectorAll('#messages .dropdown-menu.show')) {
    if (menu === except) continue;
    menu.classList.remove('show');
    menu.previousElementSibling?.setAttribute('aria-expanded', 'false');
    menu.closest('.message')?.classList.remove('menu-open');
  }
}

function toggleMenu(button: HTMLElement): void {
  const menu = button.nextElementSibling as HTMLElement | null;
  if (!menu) return;
  closeMenus(menu);
  const open = menu.classList.toggle('show');
  button.setAttribute('aria-expanded', String(open));
  const li = button.closest('.message');
  li?.classList.toggle('menu-open', open);
  if (open) {
    // Open upwards in the lower half of the list, so the menu is not cut off.
    const scroller = $('scroller').getBoundingClientRect();
    menu.classList.toggle('up', button.getBoundingClientRect().top > scroller.top + scroller.height / 2);
    menu.querySelector<HTMLElement>('button')?.focus();
  }
}

function startEdit(li: HTMLElement, m: Message): void {
  const open = li.querySelector<HTMLFormElement>('.editor');
  if (open) return open.querySelector('textarea')?.focus();
  for (const other of document.querySelectorAll('#messages .editor')) stopEdit(other.closest('.message') as HTMLElement);
  note(li, '');
  const form = editor(m.text);
  const area = form.querySelector('textarea') as HTMLTextAreaElement;
  li.classList.add('editing');
  li.querySelector('.body')?.after(form);
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      stopEdit(li);
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void saveEdit(li, m, form, area.value);
  });
}

function stopEdit(li: HTMLElement): void {
  li.querySelector('.editor')?.remove();
  li.classList.remove('editing');
}

async function saveEdit(li: HTMLElement, m: Message, form: HTMLFormElement, text: string): Promise<void> {
  if (!text.trim()) return note(li, 'A message cannot be empty: delete it instead.');
  if (text === m.text) return stopEdit(li);
  const fields = form.querySelectorAll<HTMLTextAreaElement | HTMLButtonElement>('textarea, button');
  fields.forEach((f) => (f.disabled = true));
  try {
    await api.edit(m.room, m.id, text);
    stopEdit(li);
    note(li, '');
    // Shown at once; the `edited` frame brings the exact time (if it has not already).
    if (m.text !== text && !m.deleted) {
      m.text = text;
      m.editedAt ??= Date.now();
      redraw(li, m);
      redrawQuotesOf(m.seq, m);
    }
  } catch (err) {
    fields.forEach((f) => (f.disabled = false));
    note(li, problemText(err));
  }
}

function ask(li: HTMLElement, question: string, yes: string, action: string): void {
  li.querySelector('.confirm')?.remove();
  const box = confirmBox(question, yes, action);
  li.querySelector('.reactions')?.after(box);
  box.querySelector<HTMLElement>('.btn-danger')?.focus();
}

async function remove(li: HTMLElement, m: Message): Promise<void> {
  li.querySelector('.confirm')?.remove();
  try {
    await api.remove(m.room, m.id);
    note(li, '');
    if (!m.deleted) {
      applyChange(m, { type: 'deleted', room: m.room, seq: 0, target: m.seq, messageId: m.id, user: state.username });
      stopEdit(li);
      redraw(li, m);
      redrawQuotesOf(m.seq, m);
    }
  } catch (err) {
    note(li, problemText(err));
  }
}

async function react(li: HTMLElement, m: Message, emoji: string): Promise<void> {
  const mine = m.reactions?.find((r) => r.emoji === emoji)?.me ?? false;
  const chips = li.querySelectorAll<HTMLButtonElement>(`.reaction[data-emoji="${CSS.escape(emoji)}"]`);
  chips.forEach((c) => (c.disabled = true));
  try {
    await api.react(m.room, m.id, emoji, !mine);
    note(li, '');
  } catch (err) {
    note(li, problemText(err));
  } finally {
    chips.forEach((c) => (c.disabled = false));
  }
}

async function moderate(li: HTMLElement, m: Message, action: 'mute' | 'ban'): Promise<void> {
  li.querySelector('.confirm')?.remove();
  try {
    if (action === 'mute') {
      const { until } = await api.mute(m.room, m.user, MUTE_SECONDS);
      const time = new Date(typeof until === 'number' ? until : Date.parse(until));
      note(li, `${m.user} is muted in ${roomInText(m.room)} until ${Number.isNaN(time.getTime()) ? 'in 10 minutes' : time.toLocaleTimeString()}.`, true);
    } else {
      await api.ban(m.room, m.user);
      note(li, `${m.user} is banned from ${roomInText(m.room)}.`, true);
    }
  } catch (err) {
    note(li, problemText(err));
  }
}

function scrollToParent(quote: HTMLElement): void {
  const seq = Number(quote.dataset.target);
  const parent = itemOf(seq);
  const li = quote.closest<HTMLElement>('.message');
  if (!parent) {
    if (li) note(li, 'The original message is further up: scroll up to load it.', true);
    return;
  }
  parent.scrollIntoView({ block: 'center' });
  parent.classList.remove('flash');
  void parent.offsetWidth; // restart the animation
  parent.classList.add('flash');
  parent.addEventListener('animationend', () => parent.classList.remove('flash'), { once: true });
}

function onMessagesClick(event: MouseEvent): void {
  const target = event.target as HTMLElement;
  const li = target.closest<HTMLLIElement>('#messages li.message');
  if (!li) return;
  const button = target.closest<HTMLElement>('[data-action]');
  const m = state.bySeq.get(Number(li.dataset.seq));
  if (!button) {
    // On a touch screen a tap on a message shows its actions.
    if (!target.closest('a, textarea, input') && matchMedia('(hover: none)').matches) {
      for (const other of document.querySelectorAll('#messages .message.selected')) if (other !== li) other.classList.remove('selected');
      li.classList.toggle('selected');
    }
    return;
  }
  if (!m) return;
  const action = button.dataset.action;
  if (action !== 'picker' && action !== 'more') closeMenus();
  switch (action) {
    case 'reply':
      setReply(m);
      $('text').focus();
      return;
    case 'picker':
    case 'more':
      return toggleMenu(button);
    case 'react':
    case 'toggle-reaction':
      return void react(li, m, button.dataset.emoji ?? '');
    case 'edit':
      return startEdit(li, m);
    case 'cancel-edit':
      return stopEdit(li);
    case 'delete':
    case 'mod-delete':
      return ask(li, isMine(m) ? 'Delete this message?' : `Delete ${m.user}'s message for everyone?`, 'Yes, delete', 'confirm-delete');
    case 'confirm-delete':
      return void remove(li, m);
    case 'ban':
      return ask(li, `Ban ${m.user} from ${roomInText(m.room)}?`, 'Yes, ban', 'confirm-ban');
    case 'confirm-ban':
      return void moderate(li, m, 'ban');
    case 'cancel-confirm':
      li.querySelector('.confirm')?.remove();
      return;
    case 'mute':
      return void moderate(li, m, 'mute');
    case 'dm':
      return void openDm(m.user, (text) => note(li, text));
    case 'quote':
      return scrollToParent(button);
  }
}

export function wireActions(): void {
  $('messages').addEventListener('click', onMessagesClick);
  document.addEventListener('click', (event) => {
    if (!(event.target as HTMLElement).closest('.menu-holder')) closeMenus();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && document.querySelector('#messages .dropdown-menu.show')) closeMenus();
  });
  // Up in an empty composer edits one's last message.
  $('text').addEventListener('keydown', (event) => {
    const input = event.target as HTMLTextAreaElement;
    if (event.key !== 'ArrowUp' || input.value !== '') return;
    const mine = state.shown.findLast((m) => isMine(m) && !m.deleted);
    const li = mine && itemOf(mine.seq);
    if (mine && li) {
      event.preventDefault();
      li.scrollIntoView({ block: 'nearest' });
      startEdit(li, mine);
    }
  });
}
