// The ChitChat browser client: join, rooms with unread counts, history with paging, live
// messages, sending with pending/confirmed/failed states, presence and typing; editing,
// deleting, reactions, replies and mentions; private rooms and direct messages; moderation;
// bots; the notification inbox. This file signs in and out and wires the parts together:
//   state.ts          what the parts share (API, live connection, session and room state)
//   sidebar.ts        the room list, private rooms and DMs
//   room.ts           the open room: opening it, its live messages, presence and typing
//   timeline.ts       the open room's message list: drawing, changes in place, paging, read marker
//   composer.ts       writing, replying and sending
//   actions.ts        what one does to a message (react, edit, delete, moderate)
//   notifications.ts  mention notices and the inbox
//   render.ts, ui.ts  DOM building
import 'bootstrap/js/dist/offcanvas';
import { ApiError } from './api.ts';
import { wireActions } from './actions.ts';
import { wireComposer } from './composer.ts';
import { loadInbox, onMention, onNotification, resetInbox, wireInbox } from './notifications.ts';
import { onChange, onMessage, onPresence, onRoomClosed, onTyping, openRoom } from './room.ts';
import { loadRooms, onRead, onRoom, refreshRooms, wireSidebar } from './sidebar.ts';
import { $, api, live, roomFromHash, state } from './state.ts';
import { loadOlder, markRead, nearEnd } from './timeline.ts';

/** The connection was lost since it was last up: frames may have been missed. */
let wasOffline = false;

live.handle({
  message: onMessage,
  change: onChange,
  mention: onMention,
  room: onRoom,
  notification: onNotification,
  presence: onPresence,
  typing: onTyping,
  read: onRead,
  roomClosed: onRoomClosed,
  status: (online) => {
    $('banner').hidden = online;
    if (!online) {
      wasOffline = true;
    } else if (wasOffline) {
      // `room` and `notification` frames are not replayed on a resume: ask again.
      wasOffline = false;
      void refreshRooms().catch(() => {});
      void loadInbox().catch(() => {});
    }
  },
  unauthorized: () => signedOut(),
});
api.onUnauthorized = () => signedOut();

function show(joined: boolean): void {
  $('join').hidden = joined;
  $('chat').hidden = !joined;
  $('leave').hidden = !joined;
  $('inbox-holder').hidden = !joined;
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
  void loadInbox().catch(() => {});
  await loadRooms();
  await openRoom(roomFromHash());
}

function signedOut(): void {
  localStorage.removeItem('chitchat.session');
  api.token = '';
  live.stop();
  wasOffline = false;
  state.rooms.clear();
  state.parents.clear();
  resetInbox();
  show(false);
}

function followSystemTheme(): void {
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const apply = (): void => document.documentElement.setAttribute('data-bs-theme', dark.matches ? 'dark' : 'light');
  apply();
  dark.addEventListener('change', apply);
}

followSystemTheme();
$('join').addEventListener('submit', (event) => void join(event));
$('leave').addEventListener('click', () => void api.leave().catch(() => {}).then(signedOut));
$('scroller').addEventListener('scroll', () => {
  if ($('scroller').scrollTop < 40) void loadOlder();
  if (nearEnd()) markRead();
});
wireComposer();
wireActions();
wireSidebar();
wireInbox();
window.addEventListener('hashchange', () => {
  if (api.token && roomFromHash() !== state.active) void openRoom(roomFromHash());
});
document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  markRead();
  void refreshRooms().catch(() => {});
});

const saved = localStorage.getItem('chitchat.session');
if (saved) {
  const { token, username } = JSON.parse(saved) as { token: string; username: string };
  enter(token, username).catch(() => signedOut());
} else {
  show(false);
}
