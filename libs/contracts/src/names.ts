/**
 * Names and limits from the public protocol (`docs/protocol.md`, "Names").
 * Every service validates against these, so a name accepted by one is accepted by all.
 */

/** 3-32 characters of `A-Z a-z 0-9 _ . -`; unique case-insensitively. */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.-]{3,32}$';
/** 1-64 characters of `a-z 0-9 _ -`. */
export const ROOM_PATTERN = '^[a-z0-9_-]{1,64}$';
/** The room that always exists, even before its first message. */
export const DEFAULT_ROOM = 'general';
/** Longest message text, in characters (code points), after trimming. */
export const TEXT_MAX_CHARS = 4000;
/** Longest `clientMsgId`. */
export const CLIENT_MSG_ID_MAX = 64;
/** History page size: default and maximum. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;

const usernameRe = new RegExp(USERNAME_PATTERN);
const roomRe = new RegExp(ROOM_PATTERN);

export function isValidUsername(name: unknown): name is string {
  return typeof name === 'string' && usernameRe.test(name);
}

export function isValidRoom(room: unknown): room is string {
  return typeof room === 'string' && roomRe.test(room);
}

/** The form under which a username is unique: names differing only in case collide. */
export function usernameKey(name: string): string {
  return name.toLowerCase();
}

/** Length in characters as a user counts them (code points, not UTF-16 units). */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Why a message text is not acceptable, or `undefined` if it is. */
export function textProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return 'text must not be empty or only whitespace';
  const n = charLength(trimmed);
  if (n > TEXT_MAX_CHARS) return `text has ${n} characters; at most ${TEXT_MAX_CHARS} are allowed`;
  return undefined;
}
