// The ChitChat browser client: join, rooms with unread counts, history with paging, live
// messages, sending with pending/confirmed/failed states, presence and typing; editing,
// deleting, reactions, replies and mentions; private rooms and direct messages; moderation.
import 'bootstrap/js/dist/offcanvas';
import { Api, ApiError, type Message, type RoomInfo, type RoomSummary } from './api.ts';
import { Live, type Mention, type MessageEvent } from './live.ts';
import { confirmBox, dayOf, daySeparator, editor, excerpt, fillMessage, messageItem, replyQuote, setState } from './render.ts';

const ROOM_PATTERN = /^[a-z0-9_-]{1,64}$/;
const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
const GROUP_WINDOW_MS = 5 * 60_000;
const MUTE_SECONDS = 600;
const ROOMS_REFRESH_MS = 30_000;

interface Room extends RoomSummary {
  /** Someone mentioned the user there since they last opened it. */
  mentioned?: boolean;
}

interface Pending {
  li: HTMLLIElement;
  text: string;
  room: string;
  replyTo?: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const api = new Api();
const state = {
  username: '',
  rooms: new Map<string, Room>(),
  active: '',
  /** Messages shown in the active room, ascending seq. */
  shown: [] as Message[],
  /** The same messages by seq (they are changed in place by edits, deletes and reactions). */
  bySeq: new Map<number, Message>(),
  /** The active room's latest seq seen (messages and events): what is read when at the end. */
  activeSeq: 0,
  /** While the active room's first page loads, its live frames wait here. */
  loading: false,
  queue: [] as (() => void)[],
  loadingOlder: false,
  pending: new Map<string, Pending>(),
  typingTimers: new Map<string, number>(),
  lastTypingSent: 0,
  readTimer: 0,
  /** The message the next one replies to. */
  replyTo: undefined as Message | undefined,
  /** Parents of replies that are not shown, by `room/seq` (null: gone). */
  parents: new Map<string, Message | null>(),
  parentFetches: new Map<string, Promise<void>>(),
};

const live = new Live({
  message: onMessage,
  change: onChange,
  mention: onMention,
  presence: (room, users) => {
    if (room === state.active) $('presence').textContent = users.length ? `Online: ${users.join(', ')}` : '';
  },
  typing: (room, user) => {
    if (room !== state.active) return;
    clearTimeout(state.typingTimers.get(user));
    state.typingTimers.set(user, window.setTimeout(() => (state.typingTimers.delete(user), renderTyping()), 4000));
    renderTyping();
  },
  read: (room, seq) => {
    const summary = state.rooms.get(room);
    if (!summary) return;
    summary.readSeq = Math.max(summary.readSeq ?? 0, seq);
    summary.unread = Math.max(0, summary.headSeq - summary.readSeq);
    renderRooms();
  },
  roomClosed: onRoomClosed,
  status: (online) => {
    $('banner').hidden = online;
  },
  unauthorized: () => signedOut(),
});
api.onUnauthorized = () => signedOut();

// ----- session -----

function show(joined: boolean): void {
  $('join').hidden = joined;
  $('chat').hidden = !joined;
  $('leave').hidden = !joined;
  $('whoami').textContent = joined ? state.username : '';
}

async function join(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLInputElement>('username');
  $('join-error').textContent = '';
  input.classList.remove('is-invalid');
  try {
    const session = await api.join(input.value.trim());
    localStorage.setItem('chitchat.session', JSON.stringify(session));
    await enter(session.token, session.username);
  } catch (err) {
    input.classList.add('is-invalid');
    $('join-error').textContent = err instanceof ApiError && err.code === 'username_taken' ? 'That name is taken right now. Pick another.' : (err as Error).message;
  }
}

async function enter(token: string, username: string): Promise<void> {
  api.token = token;
  state.username = username;
  show(true);
  live.start(token);
  await loadRooms();
  await openRoom(roomFromHash());
}

function signedOut(): void {
  localStorage.removeItem('chitchat.session');
  api.token = '';
  live.stop();
  state.rooms.clear();
  state.parents.clear();
  show(false);
}

// ----- rooms -----

function roomFromHash(): string {
  const match = /^#\/room\/([a-z0-9_-]{1,64})$/.exec(location.hash);
  return match?.[1] ?? 'general';
}

function isPrivate(room: string): boolean {
  return room.startsWith('priv-') || room.startsWith('dm-');
}

function isMe(user: string): boolean {
  return user.toLowerCase() === state.username.toLowerCase();
}

/** How a room is named on screen: `# general`, `@bob` (a DM), or a private room's title. */
function roomLabel(room: string): string {
  const r = state.rooms.get(room);
  if (room.startsWith('dm-')) {
    const other = r?.members?.find((m) => !isMe(m));
    return other ? `@${other}` : 'direct message';
  }
  if (r?.private || isPrivate(room)) return r?.title ?? 'private room';
  return `# ${room}`;
}

/** The room in a sentence: "#general", "@bob", "Plans". */
function roomInText(room: string): string {
  return roomLabel(room).replace(/^# /, '#');
}

function emptyRoom(room: string): Room {
  return { room, headSeq: 0, lastMessageAt: null, online: 0, joined: true, ...(isPrivate(room) ? { private: true } : {}) };
}

async function loadRooms(): Promise<void> {
  const { rooms } = await api.rooms();
  for (const r of rooms) {
    state.rooms.set(r.room, r);
    // Joined rooms (and one's private rooms and DMs) stay subscribed, so their unread
    // counts move as messages come.
    if (r.joined || r.private) live.subscribe(r.room, r.headSeq);
  }
  renderRooms();
}

/**
 * Picks up rooms that appeared without a frame telling us: a private room someone added us
 * to, a DM someone opened with us. Counts of known rooms stay as the live frames keep them.
 */
async function refreshRooms(): Promise<void> {
  if (!api.token || document.hidden) return;
  const { rooms } = await api.rooms();
  let changed = false;
  for (const r of rooms) {
    const known = state.rooms.get(r.room);
    if (known) {
      if (r.title !== undefined && known.title !== r.title) {
        known.title = r.title;
        changed = true;
      }
      if (r.members && !known.members) {
        known.members = r.members;
        changed = true;
      }
      continue;
    }
    state.rooms.set(r.room, r);
    if (r.joined || r.private) live.subscribe(r.room, r.headSeq);
    changed = true;
  }
  if (!changed) return;
  renderRooms();
  renderTitle();
}

/** Adds what a RoomInfo tells about a room (title, members) to its summary. */
function learnRoom(info: RoomInfo): Room {
  const summary = state.rooms.get(info.room) ?? emptyRoom(info.room);
  if (info.private !== undefined) summary.private = info.private;
  if (info.title !== undefined) summary.title = info.title;
  if (info.members !== undefined) summary.members = info.members;
  return summary;
}

/** Puts a room first in the sidebar. */
function bump(summary: Room): void {
  state.rooms.delete(summary.room);
  state.rooms = new Map([[summary.room, summary], ...state.rooms]);
}

function renderRooms(): void {
  const list = $('rooms');
  list.replaceChildren(
    ...[...state.rooms.values()].map((r) => {
      const a = document.createElement('a');
      a.href = `#/room/${r.room}`;
      a.className = `list-group-item list-group-item-action d-flex align-items-center gap-2${r.room === state.active ? ' active' : ''}`;
      a.dataset.room = r.room;
      if (r.room === state.active) a.setAttribute('aria-current', 'page');
      const name = document.createElement('span');
      name.className = 'room-name text-truncate me-auto';
      if (r.private && !r.room.startsWith('dm-')) {
        const lock = document.createElement('span');
        lock.className = 'lock';
        lock.textContent = '🔒';
        lock.setAttribute('aria-label', 'private:');
        lock.setAttribute('role', 'img');
        name.append(lock, ' ');
      }
      name.append(roomLabel(r.room));
      a.append(name);
      if (r.mentioned && r.room !== state.active) {
        const badge = document.createElement('span');
        badge.className = 'badge text-bg-warning rounded-pill mention-badge';
        badge.textContent = '@';
        badge.setAttribute('aria-label', 'you were mentioned');
        a.append(badge);
      }
      if (r.unread && r.room !== state.active) {
        const badge = document.createElement('span');
        badge.className = 'badge text-bg-primary rounded-pill';
        badge.textContent = String(r.unread);
        badge.setAttribute('aria-label', `${r.unread} unread`);
        a.append(badge);
      }
      return a;
    }),
  );
}

function renderTitle(): void {
  const room = state.active;
  if (!room) return;
  const title = $('room-title');
  title.textContent = state.rooms.get(room)?.private && !room.startsWith('dm-') ? `🔒 ${roomLabel(room)}` : roomLabel(room);
  const members = state.rooms.get(room)?.members;
  title.title = members ? `Members: ${members.join(', ')}` : '';
}

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

async function openRoom(room: string): Promise<void> {
  state.active = room;
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
  try {
    page = await api.page(room);
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
  for (const m of page.messages) append(m);
  state.activeSeq = page.headSeq;
  summary.headSeq = Math.max(summary.headSeq, page.headSeq);
  live.subscribe(room, page.headSeq);
  state.loading = false;
  for (const apply of state.queue.splice(0)) apply();
  if (summary.private && (summary.title === undefined || summary.members === undefined)) {
    api
      .room(room)
      .then((info) => (learnRoom(info), renderRooms(), renderTitle()))
      .catch(() => {});
  }
  renderTitle();
  renderRooms();
  scrollToEnd();
  markRead();
  document.querySelector<HTMLElement>('.offcanvas.show .btn-close')?.click();
}

function onRoomClosed(room: string, code: string, detail: string): void {
  const label = roomInText(room);
  state.rooms.delete(room);
  renderRooms();
  const text = code === 'banned' ? `You were banned from ${label}.` : `Room not found: ${label} does not exist or you are no longer a member.`;
  if (room === state.active) roomProblem(text);
  else toast(text, detail);
}

async function createPrivateRoom(event: Event): Promise<void> {
  event.preventDefault();
  const title = $<HTMLInputElement>('private-title');
  const members = $<HTMLInputElement>('private-members')
    .value.split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  $('private-error').textContent = '';
  if (!title.value.trim()) {
    $('private-error').textContent = 'Give the room a title.';
    return;
  }
  const bad = members.find((m) => !USERNAME_PATTERN.test(m));
  if (bad) {
    $('private-error').textContent = `"${bad}" is not a username.`;
    return;
  }
  try {
    const info = await api.createRoom(title.value.trim(), members);
    const summary = learnRoom({ private: true, ...info });
    bump(summary);
    $<HTMLDialogElement>('private-dialog').close();
    $<HTMLFormElement>('private-form').reset();
    location.hash = `#/room/${info.room}`;
  } catch (err) {
    $('private-error').textContent = (err as Error).message;
  }
}

async function openDm(user: string, problem: (text: string) => void): Promise<void> {
  try {
    const info = await api.dm(user);
    const summary = learnRoom({ private: true, ...info });
    if (!summary.members) summary.members = [state.username, user];
    if (!state.rooms.has(info.room)) bump(summary);
    location.hash = `#/room/${info.room}`;
  } catch (err) {
    problem((err as Error).message);
  }
}

// ----- messages -----

/** While the active room's first page is on its way, its live frames wait (they are newer). */
function whenLoaded(room: string, apply: () => void): void {
  if (room === state.active && state.loading) state.queue.push(apply);
  else apply();
}

function onMessage(m: Message): void {
  const summary = state.rooms.get(m.room);
  if (summary) {
    summary.headSeq = Math.max(summary.headSeq, m.seq);
    if (m.user !== state.username && m.room !== state.active) summary.unread = Math.max(0, m.seq - (summary.readSeq ?? 0));
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
      if (atEnd || m.user === state.username) scrollToEnd();
      markRead();
    });
  }
  renderRooms();
}

/** An edit, delete or reaction: applied in place to the message, and to quotes of it. */
function onChange(event: MessageEvent): void {
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

function applyChange(m: Message, event: MessageEvent): void {
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

function itemOf(seq: number): HTMLLIElement | null {
  return $('messages').querySelector<HTMLLIElement>(`li.message[data-seq="${seq}"]`);
}

function redraw(li: HTMLElement, m: Message): void {
  fillMessage(li, m, m.user === state.username, { me: state.username, parent: parentOf(m) });
}

/** The parent of a reply, if known: shown, fetched before, or unknown yet (undefined). */
function parentOf(m: Pick<Message, 'room' | 'replyTo'>): Message | null | undefined {
  if (m.replyTo === undefined) return undefined;
  if (m.room === state.active) {
    const shown = state.bySeq.get(m.replyTo);
    if (shown) return shown;
  }
  return state.parents.get(`${m.room}/${m.replyTo}`);
}

function redrawQuotesOf(seq: number, parent: Message | null): void {
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

function append(m: Message): void {
  const last = state.shown.at(-1);
  if (last && m.seq <= last.seq) return;
  const list = $('messages');
  if (!last || dayOf(last.ts) !== dayOf(m.ts)) list.append(daySeparator(m.ts));
  const grouped = !!last && last.user === m.user && m.ts - last.ts < GROUP_WINDOW_MS && dayOf(last.ts) === dayOf(m.ts) && m.replyTo === undefined;
  const parent = parentOf(m);
  list.append(messageItem(m, m.user === state.username, grouped, { me: state.username, parent }));
  state.shown.push(m);
  state.bySeq.set(m.seq, m);
  if (m.replyTo !== undefined && parent === undefined && !m.deleted) fetchParent(m.room, m.replyTo);
}

/** Loads the page before the oldest shown message, keeping what is on screen in place. */
async function loadOlder(): Promise<void> {
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

function nearEnd(): boolean {
  const s = $('scroller');
  return s.scrollHeight - s.scrollTop - s.clientHeight < 60;
}

function scrollToEnd(): void {
  const s = $('scroller');
  s.scrollTop = s.scrollHeight;
}

/** Reports the room as read up to the latest seq seen (debounced), when the page is visible. */
function markRead(): void {
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

// ----- mentions -----

function onMention(mention: Mention): void {
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

/** A notice in the corner; clicking its text runs `open`. */
function toast(title: string, body: string, open?: () => void): void {
  const box = document.createElement('div');
  box.className = 'toast show';
  box.setAttribute('role', 'status');
  const header = document.createElement('div');
  header.className = 'toast-header';
  const strong = document.createElement('strong');
  strong.className = 'me-auto toast-title';
  strong.textContent = title;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn-close';
  close.setAttribute('aria-label', 'Close');
  close.addEventListener('click', () => box.remove());
  header.append(strong, close);
  box.append(header);
  if (body || open) {
    const content = open ? document.createElement('button') : document.createElement('div');
    content.className = 'toast-body d-block w-100 text-start border-0 bg-transparent';
    content.textContent = body || 'Open';
    if (open && content instanceof HTMLButtonElement) {
      content.type = 'button';
      content.title = 'Open the room';
      content.addEventListener('click', () => (box.remove(), open()));
    }
    box.append(content);
  }
  $('toasts').append(box);
  window.setTimeout(() => box.remove(), 15_000);
}

// ----- message actions -----

/** Shows a result or a problem of an action under the message ('' clears). */
function note(li: HTMLElement, text: string, ok = false): void {
  const el = li.querySelector('.problem');
  if (!el) return;
  el.textContent = text;
  el.classList.toggle('text-danger', !ok);
  el.classList.toggle('text-body-secondary', ok);
}

function problemText(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message;
  if (err.code === 'forbidden') return `Not allowed: ${err.message || 'only room admins can do that'}`;
  if (err.code === 'message_deleted') return 'This message was deleted.';
  return err.message || err.code;
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

function setReply(m: Message | undefined): void {
  state.replyTo = m;
  $('reply-bar').hidden = !m;
  $('reply-to').textContent = m ? `Replying to ${m.user}: ${excerpt(m.text, 100)}` : '';
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
      return ask(li, m.user === state.username ? 'Delete this message?' : `Delete ${m.user}'s message for everyone?`, 'Yes, delete', 'confirm-delete');
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

// ----- sending -----

async function send(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('text');
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  const clientMsgId = crypto.randomUUID();
  const replyTo = state.replyTo?.seq;
  const shown = { user: state.username, text, ts: Date.now(), room: state.active, ...(replyTo === undefined ? {} : { replyTo }) };
  const li = messageItem(shown, true, false, { me: state.username, parent: parentOf(shown) });
  li.dataset.clientMsgId = clientMsgId;
  state.pending.set(clientMsgId, { li, text, room: state.active, replyTo });
  setReply(undefined);
  $('pending').append(li);
  scrollToEnd();
  await deliver(clientMsgId);
}

/** Sends (or resends: the same clientMsgId can never make a second message) a pending message. */
async function deliver(clientMsgId: string): Promise<void> {
  const pending = state.pending.get(clientMsgId);
  if (!pending) return;
  setState(pending.li, 'pending');
  try {
    await api.send(pending.room, pending.text, clientMsgId, pending.replyTo);
    // Confirmed when it arrives live with its seq (onMessage).
  } catch (err) {
    // A refusal (muted, banned, ...) is said in words; a lost connection needs none.
    const reason = err instanceof ApiError && err.status !== 0 ? problemText(err) : undefined;
    setState(pending.li, 'failed', () => void deliver(clientMsgId), reason);
    pending.li.title = (err as Error).message;
  }
}

function renderTyping(): void {
  const users = [...state.typingTimers.keys()];
  $('typing').textContent = users.length === 0 ? '' : `${users.join(', ')} ${users.length === 1 ? 'is' : 'are'} typing…`;
}

// ----- wiring -----

function followSystemTheme(): void {
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const apply = (): void => document.documentElement.setAttribute('data-bs-theme', dark.matches ? 'dark' : 'light');
  apply();
  dark.addEventListener('change', apply);
}

followSystemTheme();
$('join').addEventListener('submit', (event) => void join(event));
$('send').addEventListener('submit', (event) => void send(event));
$('leave').addEventListener('click', () => void api.leave().catch(() => {}).then(signedOut));
$('scroller').addEventListener('scroll', () => {
  if ($('scroller').scrollTop < 40) void loadOlder();
  if (nearEnd()) markRead();
});
$('messages').addEventListener('click', onMessagesClick);
document.addEventListener('click', (event) => {
  if (!(event.target as HTMLElement).closest('.menu-holder')) closeMenus();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && document.querySelector('#messages .dropdown-menu.show')) closeMenus();
});
$('text').addEventListener('keydown', (event) => {
  const input = event.target as HTMLTextAreaElement;
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $<HTMLFormElement>('send').requestSubmit();
  } else if (event.key === 'Escape' && state.replyTo) {
    setReply(undefined);
  } else if (event.key === 'ArrowUp' && input.value === '') {
    // Up in an empty composer edits one's last message.
    const mine = state.shown.findLast((m) => m.user === state.username && !m.deleted);
    const li = mine && itemOf(mine.seq);
    if (mine && li) {
      event.preventDefault();
      li.scrollIntoView({ block: 'nearest' });
      startEdit(li, mine);
    }
  }
});
$('text').addEventListener('input', () => {
  if (Date.now() - state.lastTypingSent < 2000) return;
  state.lastTypingSent = Date.now();
  live.typing(state.active);
});
$('reply-cancel').addEventListener('click', () => {
  setReply(undefined);
  $('text').focus();
});
$('new-room').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('new-room-name');
  const room = input.value.trim().toLowerCase();
  if (!ROOM_PATTERN.test(room) || isPrivate(room)) {
    input.classList.add('is-invalid');
    return;
  }
  input.classList.remove('is-invalid');
  input.value = '';
  location.hash = `#/room/${room}`;
});
$('new-private').addEventListener('click', () => {
  $('private-error').textContent = '';
  $<HTMLDialogElement>('private-dialog').showModal();
});
$('private-cancel').addEventListener('click', () => $<HTMLDialogElement>('private-dialog').close());
$('private-form').addEventListener('submit', (event) => void createPrivateRoom(event));
$('dm-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('dm-user');
  const user = input.value.trim();
  const problem = (text: string): void => {
    input.classList.add('is-invalid');
    $('dm-error').textContent = text;
  };
  input.classList.remove('is-invalid');
  if (!USERNAME_PATTERN.test(user)) return problem('3-32 of A-Z a-z 0-9 _ . -');
  if (isMe(user)) return problem('That is you.');
  input.value = '';
  void openDm(user, problem);
});
window.addEventListener('hashchange', () => {
  if (api.token && roomFromHash() !== state.active) void openRoom(roomFromHash());
});
document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  markRead();
  void refreshRooms().catch(() => {});
});
window.setInterval(() => void refreshRooms().catch(() => {}), ROOMS_REFRESH_MS);

const saved = localStorage.getItem('chitchat.session');
if (saved) {
  const { token, username } = JSON.parse(saved) as { token: string; username: string };
  enter(token, username).catch(() => signedOut());
} else {
  show(false);
}
