// The open room: opening it (its first page, what it is, whether one may moderate it), its
// live messages and changes, who is online and typing, and why it cannot be shown.
import { ApiError, type Message, type RoomInfo } from './api.ts';
import { setReply } from './composer.ts';
import type { MessageEvent } from './live.ts';
import { $, api, emptyRoom, isMine, isPrivate, live, roomInText, state } from './state.ts';
import { learnRoom, renderRooms, renderTitle } from './sidebar.ts';
import { append, applyChange, itemOf, markRead, nearEnd, redraw, redrawQuotesOf, scrollToEnd } from './timeline.ts';
import { toast } from './ui.ts';

/** Shows why the active room cannot be shown, instead of its messages. */
function roomProblem(text: string): void {
  $('messages').replaceChildren();
  $('pending').replaceChildren();
  state.shown = [];
  state.bySeq.clear();
  $('presence').textContent = '';
  $('room-problem').textContent = text;
  $('room-problem').hidden = false;
  $('send').hidden = true;
  setReply(undefined);
}

export async function openRoom(room: string): Promise<void> {
  state.active = room;
  state.admin = false;
  state.shown = [];
  state.bySeq.clear();
  state.parents.clear();
  state.activeSeq = 0;
  state.loading = true;
  state.queue = [];
  setReply(undefined);
  $('room-problem').hidden = true;
  $('send').hidden = false;
  $('presence').textContent = '';
  state.typingTimers.clear();
  renderTyping();
  $('messages').replaceChildren();
  $('pending').replaceChildren(...[...state.pending.values()].filter((p) => p.room === room).map((p) => p.li));
  const summary = state.rooms.get(room) ?? emptyRoom(room);
  summary.mentioned = false;
  if (!state.rooms.has(room) && !isPrivate(room)) state.rooms.set(room, summary);
  renderTitle();
  renderRooms();
  let page: { messages: Message[]; headSeq: number };
  // What the room is (a private room's title and members) and whether one may moderate it;
  // without it the room still opens, without the admin actions.
  let info: RoomInfo | undefined;
  try {
    [page, info] = await Promise.all([api.page(room), api.room(room).catch(() => undefined)]);
  } catch (err) {
    if (state.active !== room) return;
    state.loading = false;
    if (err instanceof ApiError && (err.code === 'room_not_found' || err.code === 'invalid_room')) {
      state.rooms.delete(room);
      renderRooms();
      roomProblem(`Room not found: there is no room "${room}", or it is private and you are not a member.`);
    } else if (err instanceof ApiError && err.code === 'banned') {
      roomProblem(`You are banned from ${roomInText(room)}.`);
    } else {
      roomProblem(`Could not load ${roomInText(room)}: ${(err as Error).message}`);
    }
    return;
  }
  if (state.active !== room) return;
  if (!state.rooms.has(room)) state.rooms.set(room, summary);
  if (info) {
    learnRoom(info);
    state.admin = info.admin === true;
  }
  for (const m of page.messages) append(m);
  state.activeSeq = page.headSeq;
  summary.headSeq = Math.max(summary.headSeq, page.headSeq);
  live.subscribe(room, page.headSeq);
  state.loading = false;
  for (const apply of state.queue.splice(0)) apply();
  renderTitle();
  renderRooms();
  scrollToEnd();
  markRead();
  document.querySelector<HTMLElement>('.offcanvas.show .btn-close')?.click();
}

export function onRoomClosed(room: string, code: string, detail: string): void {
  const label = roomInText(room);
  state.rooms.delete(room);
  renderRooms();
  const text = code === 'banned' ? `You were banned from ${label}.` : `Room not found: ${label} does not exist or you are no longer a member.`;
  if (room === state.active) roomProblem(text);
  else toast(text, detail);
}

/** While the active room's first page is on its way, its live frames wait (they are newer). */
function whenLoaded(room: string, apply: () => void): void {
  if (room === state.active && state.loading) state.queue.push(apply);
  else apply();
}

export function onMessage(m: Message): void {
  const summary = state.rooms.get(m.room);
  if (summary) {
    summary.headSeq = Math.max(summary.headSeq, m.seq);
    if (!isMine(m) && m.room !== state.active) summary.unread = Math.max(0, m.seq - (summary.readSeq ?? 0));
  }
  if (m.clientMsgId) {
    const pending = state.pending.get(m.clientMsgId);
    if (pending) {
      pending.li.remove();
      state.pending.delete(m.clientMsgId);
    }
  }
  if (m.room === state.active) {
    whenLoaded(m.room, () => {
      if (m.room !== state.active) return;
      const atEnd = nearEnd();
      append(m);
      state.activeSeq = Math.max(state.activeSeq, m.seq);
      if (atEnd || isMine(m)) scrollToEnd();
      markRead();
    });
  }
  renderRooms();
}

/** An edit, delete or reaction: applied in place to the message, and to quotes of it. */
export function onChange(event: MessageEvent): void {
  const summary = state.rooms.get(event.room);
  if (summary) summary.headSeq = Math.max(summary.headSeq, event.seq);
  const cached = state.parents.get(`${event.room}/${event.target}`);
  if (cached) applyChange(cached, event);
  if (event.room !== state.active) return;
  whenLoaded(event.room, () => {
    if (event.room !== state.active) return;
    state.activeSeq = Math.max(state.activeSeq, event.seq);
    const m = state.bySeq.get(event.target);
    if (m) {
      applyChange(m, event);
      const li = itemOf(m.seq);
      if (li) {
        if (m.deleted) {
          li.querySelectorAll('.editor, .confirm').forEach((el) => el.remove());
          li.classList.remove('editing');
        }
        redraw(li, m);
      }
      if (event.type !== 'reaction') redrawQuotesOf(m.seq, m);
    }
    if (state.replyTo?.seq === event.target && event.type === 'deleted') setReply(undefined);
    markRead();
  });
}

export function onPresence(room: string, users: string[]): void {
  if (room === state.active) $('presence').textContent = users.length ? `Online: ${users.join(', ')}` : '';
}

export function onTyping(room: string, user: string): void {
  if (room !== state.active) return;
  clearTimeout(state.typingTimers.get(user));
  state.typingTimers.set(user, window.setTimeout(() => (state.typingTimers.delete(user), renderTyping()), 4000));
  renderTyping();
}

function renderTyping(): void {
  const users = [...state.typingTimers.keys()];
  $('typing').textContent = users.length === 0 ? '' : `${users.join(', ')} ${users.length === 1 ? 'is' : 'are'} typing…`;
}
