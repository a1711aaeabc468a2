// The ChitChat browser client: join, rooms with unread counts, history with paging, live
// messages, sending with pending/confirmed/failed states, presence and typing.
import 'bootstrap/js/dist/offcanvas';
import { Api, ApiError, type Message, type RoomSummary } from './api.ts';
import { Live } from './live.ts';
import { dayOf, daySeparator, messageItem, setState } from './render.ts';

const ROOM_PATTERN = /^[a-z0-9_-]{1,64}$/;
const GROUP_WINDOW_MS = 5 * 60_000;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const api = new Api();
const state = {
  username: '',
  rooms: new Map<string, RoomSummary>(),
  active: '',
  /** Messages shown in the active room, ascending seq. */
  shown: [] as Message[],
  loadingOlder: false,
  pending: new Map<string, { li: HTMLLIElement; text: string; room: string }>(),
  typingTimers: new Map<string, number>(),
  lastTypingSent: 0,
  readTimer: 0,
};

const live = new Live({
  message: onMessage,
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
  show(false);
}

// ----- rooms -----

function roomFromHash(): string {
  const match = /^#\/room\/([a-z0-9_-]{1,64})$/.exec(location.hash);
  return match?.[1] ?? 'general';
}

async function loadRooms(): Promise<void> {
  const { rooms } = await api.rooms();
  for (const r of rooms) {
    state.rooms.set(r.room, r);
    // Joined rooms stay subscribed, so their unread counts move as messages come.
    if (r.joined) live.subscribe(r.room, r.headSeq);
  }
  renderRooms();
}

function renderRooms(): void {
  const list = $('rooms');
  list.replaceChildren(
    ...[...state.rooms.values()].map((r) => {
      const a = document.createElement('a');
      a.href = `#/room/${r.room}`;
      a.className = `list-group-item list-group-item-action d-flex justify-content-between align-items-center${r.room === state.active ? ' active' : ''}`;
      if (r.room === state.active) a.setAttribute('aria-current', 'page');
      a.textContent = `# ${r.room}`;
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

async function openRoom(room: string): Promise<void> {
  state.active = room;
  state.shown = [];
  $('room-title').textContent = `# ${room}`;
  $('presence').textContent = '';
  state.typingTimers.clear();
  renderTyping();
  $('messages').replaceChildren();
  $('pending').replaceChildren(...[...state.pending.values()].filter((p) => p.room === room).map((p) => p.li));
  const summary = state.rooms.get(room) ?? { room, headSeq: 0, lastMessageAt: null, online: 0, joined: true };
  state.rooms.set(room, summary);
  const page = await api.page(room);
  if (state.active !== room) return;
  for (const m of page.messages) append(m);
  summary.headSeq = Math.max(summary.headSeq, page.headSeq);
  live.subscribe(room, page.headSeq);
  renderRooms();
  scrollToEnd();
  markRead();
  document.querySelector<HTMLElement>('.offcanvas.show .btn-close')?.click();
}

// ----- messages -----

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
    const atEnd = nearEnd();
    append(m);
    if (atEnd || m.user === state.username) scrollToEnd();
    markRead();
  }
  renderRooms();
}

function append(m: Message): void {
  const last = state.shown.at(-1);
  if (last && m.seq <= last.seq) return;
  const list = $('messages');
  if (!last || dayOf(last.ts) !== dayOf(m.ts)) list.append(daySeparator(m.ts));
  const grouped = !!last && last.user === m.user && m.ts - last.ts < GROUP_WINDOW_MS && dayOf(last.ts) === dayOf(m.ts);
  list.append(messageItem(m, m.user === state.username, grouped));
  state.shown.push(m);
}

/** Loads the page before the oldest shown message, keeping what is on screen in place. */
async function loadOlder(): Promise<void> {
  const first = state.shown[0];
  if (state.loadingOlder || !first || first.seq <= 1) return;
  state.loadingOlder = true;
  const room = state.active;
  try {
    const page = await api.page(room, first.seq);
    if (state.active !== room || page.messages.length === 0) return;
    // Keep the message that was first on screen exactly where it was.
    const scroller = $('scroller');
    const anchorAt = (): number => $('messages').querySelector<HTMLElement>(`[data-seq="${first.seq}"]`)?.getBoundingClientRect().top ?? 0;
    const before = anchorAt();
    const all = [...page.messages, ...state.shown];
    state.shown = [];
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

/** Reports the last shown seq as read (debounced), when the page is visible. */
function markRead(): void {
  clearTimeout(state.readTimer);
  state.readTimer = window.setTimeout(() => {
    const last = state.shown.at(-1);
    const summary = state.rooms.get(state.active);
    if (!last || document.hidden || !summary || (summary.readSeq ?? 0) >= last.seq) return;
    summary.readSeq = last.seq;
    summary.unread = 0;
    api.read(state.active, last.seq).catch(() => {});
  }, 500);
}

// ----- sending -----

async function send(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('text');
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  const clientMsgId = crypto.randomUUID();
  const li = messageItem({ user: state.username, text, ts: Date.now() }, true, false);
  li.dataset.clientMsgId = clientMsgId;
  state.pending.set(clientMsgId, { li, text, room: state.active });
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
    await api.send(pending.room, pending.text, clientMsgId);
    // Confirmed when it arrives live with its seq (onMessage).
  } catch (err) {
    setState(pending.li, 'failed', () => void deliver(clientMsgId));
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
$('text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $<HTMLFormElement>('send').requestSubmit();
  }
});
$('text').addEventListener('input', () => {
  if (Date.now() - state.lastTypingSent < 2000) return;
  state.lastTypingSent = Date.now();
  live.typing(state.active);
});
$('new-room').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('new-room-name');
  const room = input.value.trim().toLowerCase();
  if (!ROOM_PATTERN.test(room)) {
    input.classList.add('is-invalid');
    return;
  }
  input.classList.remove('is-invalid');
  input.value = '';
  location.hash = `#/room/${room}`;
});
window.addEventListener('hashchange', () => {
  if (api.token && roomFromHash() !== state.active) void openRoom(roomFromHash());
});
document.addEventListener('visibilitychange', () => !document.hidden && markRead());

const saved = localStorage.getItem('chitchat.session');
if (saved) {
  const { token, username } = JSON.parse(saved) as { token: string; username: string };
  enter(token, username).catch(() => signedOut());
} else {
  show(false);
}
