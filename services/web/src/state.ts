// What the parts of the client share: the API, the live connection, the state of the session
// and of the open room, and how rooms and people are named on screen.
import { Api, type Message, type RoomSummary } from './api.ts';
import { Live } from './live.ts';

export const ROOM_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
/** Messages of one author closer than this are grouped under one name. */
export const GROUP_WINDOW_MS = 5 * 60_000;
export const MUTE_SECONDS = 600;

export interface Room extends RoomSummary {
  /** Someone mentioned the user there since they last opened it. */
  mentioned?: boolean;
}

/** A message sent and not yet back with its seq. */
export interface Pending {
  li: HTMLLIElement;
  text: string;
  room: string;
  replyTo?: number;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
export const api = new Api();
/** The WebSocket; main.ts says who handles its events. */
export const live = new Live();

export const state = {
  username: '',
  rooms: new Map<string, Room>(),
  active: '',
  /** Whether the user may moderate the active room (`admin` of its RoomInfo). */
  admin: false,
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

export function roomFromHash(): string {
  const match = /^#\/room\/([a-z0-9_-]{1,64})$/.exec(location.hash);
  return match?.[1] ?? 'general';
}

export function isPrivate(room: string): boolean {
  return room.startsWith('priv-') || room.startsWith('dm-');
}

export function isMe(user: string): boolean {
  return user.toLowerCase() === state.username.toLowerCase();
}

/** Whether the signed-in user wrote a message (a bot that has the same name did not). */
export function isMine(m: Pick<Message, 'user' | 'bot'>): boolean {
  return m.user === state.username && !m.bot;
}

/** How a room is named on screen: `# general`, `@bob` (a DM), or a private room's title. */
export function roomLabel(room: string): string {
  const r = state.rooms.get(room);
  if (room.startsWith('dm-')) {
    const other = r?.members?.find((m) => !isMe(m));
    return other ? `@${other}` : 'direct message';
  }
  if (r?.private || isPrivate(room)) return r?.title ?? 'private room';
  return `# ${room}`;
}

/** The room in a sentence: "#general", "@bob", "Plans". */
export function roomInText(room: string): string {
  return roomLabel(room).replace(/^# /, '#');
}

export function emptyRoom(room: string): Room {
  return { room, headSeq: 0, lastMessageAt: null, online: 0, joined: true, ...(isPrivate(room) ? { private: true } : {}) };
}
