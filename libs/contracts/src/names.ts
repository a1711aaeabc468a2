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

/** Room names that are private: created only with `POST /v1/rooms` (priv-) or `POST /v1/dms` (dm-). */
export const PRIVATE_ROOM_PREFIXES = ['priv-', 'dm-'] as const;

export function isPrivateRoom(room: string): boolean {
  return PRIVATE_ROOM_PREFIXES.some((prefix) => room.startsWith(prefix));
}

/**
 * Whether a user sees a room: every public room, and a private room (or DM) they are a
 * member of. One that is not seen answers exactly like one that does not exist.
 */
export function isRoomVisible(room: string, member: boolean): boolean {
  return member || !isPrivateRoom(room);
}

/** Most distinct users one message can mention (more are ignored). */
export const MENTIONS_MAX = 20;

// `@name` where name is a username, not preceded by a name character (so `a@b.c` is no mention).
const mentionRe = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]{3,32})(?![A-Za-z0-9_-])/g;

/** The users a text mentions with `@name`, each once (case-insensitively), as written. */
export function mentionsIn(text: string): string[] {
  const seen = new Map<string, string>();
  for (const match of text.matchAll(mentionRe)) {
    // A trailing dot ends a sentence, not a name: "thanks @bob."
    const name = (match[1] as string).replace(/\.+$/, '');
    if (name.length >= 3 && !seen.has(usernameKey(name))) seen.set(usernameKey(name), name);
    if (seen.size === MENTIONS_MAX) break;
  }
  return [...seen.values()];
}

/** Longest reaction, in UTF-16 units: one emoji, with its modifiers and joiners. */
export const EMOJI_MAX = 32;
const emojiRe = /^(?:\p{Extended_Pictographic}|\p{Emoji_Presentation}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200d|\ufe0e|\ufe0f|\u20e3|[#*0-9])+$/u;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** A reaction: one emoji (one grapheme of pictographs, modifiers and joiners), not text. */
export function isEmoji(value: string): boolean {
  if (value.length === 0 || value.length > EMOJI_MAX || !emojiRe.test(value)) return false;
  if (!/\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(value)) return false;
  let count = 0;
  for (const _ of graphemes.segment(value)) count++;
  return count === 1;
}
