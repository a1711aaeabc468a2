// The sidebar: the room list with unread and mention badges, rooms learned from the server
// (the list, `room` frames for private rooms and DMs one is added to), and the forms that
// join a room, create a private one or open a direct message.
import type { RoomInfo } from './api.ts';
import { $, api, emptyRoom, isMe, isPrivate, live, roomLabel, ROOM_PATTERN, state, USERNAME_PATTERN, type Room } from './state.ts';

export async function loadRooms(): Promise<void> {
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
 * Picks up rooms that appeared while no frame could tell us (the connection was down, the
 * tab asleep): a private room someone added us to, a DM someone opened with us. Counts of
 * known rooms stay as the live frames keep them.
 */
export async function refreshRooms(): Promise<void> {
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

/** A `room` frame: we were made a member of a private room or DM. It shows at once, first. */
export function onRoom(info: RoomInfo): void {
  const known = state.rooms.has(info.room);
  const summary = learnRoom({ private: true, ...info });
  if (!known) bump(summary);
  // From its start: what was said before we subscribed counts as unread.
  live.subscribe(info.room, 0);
  renderRooms();
  renderTitle();
}

/** A read marker moved (on this device or another). */
export function onRead(room: string, seq: number): void {
  const summary = state.rooms.get(room);
  if (!summary) return;
  summary.readSeq = Math.max(summary.readSeq ?? 0, seq);
  summary.unread = Math.max(0, summary.headSeq - summary.readSeq);
  renderRooms();
}

/** Adds what a RoomInfo tells about a room (title, members) to its summary. */
export function learnRoom(info: RoomInfo): Room {
  const summary = state.rooms.get(info.room) ?? emptyRoom(info.room);
  if (info.private !== undefined) summary.private = info.private;
  if (info.title !== undefined) summary.title = info.title;
  if (info.members !== undefined) summary.members = info.members;
  return summary;
}

/** Puts a room first in the sidebar. */
export function bump(summary: Room): void {
  state.rooms.delete(summary.room);
  state.rooms = new Map([[summary.room, summary], ...state.rooms]);
}

export function renderRooms(): void {
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

export function renderTitle(): void {
  const room = state.active;
  if (!room) return;
  const title = $('room-title');
  title.textContent = state.rooms.get(room)?.private && !room.startsWith('dm-') ? `🔒 ${roomLabel(room)}` : roomLabel(room);
  const members = state.rooms.get(room)?.members;
  title.title = members ? `Members: ${members.join(', ')}` : '';
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

export async function openDm(user: string, problem: (text: string) => void): Promise<void> {
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

export function wireSidebar(): void {
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
}
