/**
 * What the load generator writes into each message text and finds again in each frame it
 * receives: the room, the message's index in that room, and the time it was *scheduled* to
 * be sent (µs). Frames are scanned for these fields rather than parsed as JSON: at a few
 * hundred thousand frames per second, JSON.parse in the generator would cost more CPU than
 * the services it measures.
 */
export interface Tag {
  room: number;
  index: number;
  scheduledUs: number;
}

const MARK = 'b|';
const TEXT_KEY = '"text":"b|';

/** `b|<room>|<index>|<scheduledUs>|` padded with `x` to `bytes` characters. */
export function messageText(tag: Tag, bytes: number): string {
  const head = `${MARK}${tag.room}|${tag.index}|${tag.scheduledUs}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

/** The tag of the message text in a frame, if it carries one. */
export function tagOf(frame: string): Tag | undefined {
  const at = frame.indexOf(TEXT_KEY);
  if (at < 0) return undefined;
  let i = at + TEXT_KEY.length;
  const fields: number[] = [];
  for (let f = 0; f < 3; f++) {
    let n = 0;
    let digits = 0;
    for (let c = frame.charCodeAt(i); c >= 48 && c <= 57; c = frame.charCodeAt(++i)) {
      n = n * 10 + (c - 48);
      digits++;
    }
    if (digits === 0 || frame.charCodeAt(i) !== 124 /* | */) return undefined;
    fields.push(n);
    i++;
  }
  return { room: fields[0] as number, index: fields[1] as number, scheduledUs: fields[2] as number };
}

/** The non-negative integer after `key` (e.g. `"seq":`), if there is one. */
export function integerAfter(frame: string, key: string): number | undefined {
  const at = frame.indexOf(key);
  if (at < 0) return undefined;
  let i = at + key.length;
  let n = 0;
  let digits = 0;
  for (let c = frame.charCodeAt(i); c >= 48 && c <= 57; c = frame.charCodeAt(++i)) {
    n = n * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? n : undefined;
}

/** The string value after `key` (e.g. `"id":"`), up to the next quote. */
export function stringAfter(frame: string, key: string): string | undefined {
  const at = frame.indexOf(key);
  if (at < 0) return undefined;
  const end = frame.indexOf('"', at + key.length);
  return end < 0 ? undefined : frame.slice(at + key.length, end);
}
