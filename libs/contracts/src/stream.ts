/**
 * Entries of the Redis streams: what ingest appends to a partition, and what persistence
 * appends to a room log. Stream fields are flat strings, so these are string records.
 */
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { CLIENT_MSG_ID_MAX, ROOM_PATTERN, USERNAME_PATTERN } from './names.ts';
import { seqOfLogEntryId } from './keys.ts';
import type { Message } from './rest.ts';
import type { EventFrame, MessageFrame } from './frames.ts';

/** Changes to a stored message; each is an entry of its own in the room log. */
export const EVENT_KINDS = ['edit', 'delete', 'react', 'unreact'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * An accepted message, or an event on one (`kind`), on an ingest partition stream. Events go
 * through the same partition as the room's messages, so an edit is applied after the message
 * it edits even when both are accepted in the same millisecond.
 */
export const IngestEntry = Type.Object({
  /** Message (or event) id given by ingest; stays the message's id forever. */
  id: Type.String({ minLength: 1, maxLength: 64 }),
  room: Type.String({ pattern: ROOM_PATTERN }),
  /** The author, or who makes the change. */
  user: Type.String({ pattern: USERNAME_PATTERN }),
  /** The text; for `edit` the new text; absent for `delete` and reactions. */
  text: Type.Optional(Type.String({ minLength: 1 })),
  /** Epoch ms at which ingest accepted it. */
  at: Type.String({ pattern: '^[0-9]{1,15}$' }),
  clientMsgId: Type.Optional(Type.String({ minLength: 1, maxLength: CLIENT_MSG_ID_MAX })),
  /** Seq of the message replied to. */
  replyTo: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
  /** Users mentioned, comma-separated. */
  mentions: Type.Optional(Type.String({ maxLength: 2000 })),
  kind: Type.Optional(Type.Union([Type.Literal('edit'), Type.Literal('delete'), Type.Literal('react'), Type.Literal('unreact')])),
  /** Events: id of the message changed. */
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** Reactions: the emoji. */
  emoji: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** '1' when an admin deletes someone else's message. */
  admin: Type.Optional(Type.Literal('1')),
  /** '1' when a bot of the room posted it. */
  bot: Type.Optional(Type.Literal('1')),
  /**
   * W3C trace context of the request that accepted it, when tracing is on. Loose on purpose:
   * a malformed one only starts a new trace; it must never dead-letter a message.
   */
  traceparent: Type.Optional(Type.String({ maxLength: 256 })),
});
export type IngestEntry = Static<typeof IngestEntry>;

const ingestEntryValidator = Compile(IngestEntry);

/** Checks a raw partition entry; returns the entry or a description of what is wrong. */
export function parseIngestEntry(fields: Record<string, string>): IngestEntry | string {
  if (!ingestEntryValidator.Check(fields)) {
    const first = [...ingestEntryValidator.Errors(fields)][0];
    return first ? `${first.instancePath || '/'} ${first.message}` : 'invalid ingest entry';
  }
  const entry: IngestEntry = fields;
  switch (entry.kind) {
    case undefined:
      return entry.text === undefined ? '/text is required for a message' : entry;
    case 'edit':
      return entry.target === undefined || entry.text === undefined ? 'an edit needs target and text' : entry;
    case 'delete':
      return entry.target === undefined ? 'a delete needs target' : entry;
    default:
      return entry.target === undefined || entry.emoji === undefined ? `a ${entry.kind} needs target and emoji` : entry;
  }
}

/**
 * Fields of a room log entry. A message has `id user text ts` (and maybe `clientMsgId`,
 * `replyTo`, `mentions`); an event has `kind` too, with `target` (the message's seq),
 * `messageId`, `user` (who changed it), `ts`, and `text` (edit) or `emoji` + `count` (reactions).
 */
export interface LogEntryFields {
  id: string;
  user: string;
  text?: string;
  ts: string;
  clientMsgId?: string;
  replyTo?: string;
  mentions?: string;
  bot?: '1';
  kind?: EventKind;
  target?: string;
  messageId?: string;
  emoji?: string;
  count?: string;
}

/**
 * What changed on a message since it was stored, as kept in the room's state hash (the
 * overlay history applies to a page). Reactions keep the order they first appeared in; `u`
 * holds username keys.
 */
export interface MessageState {
  text?: string;
  editedAt?: number;
  deleted?: boolean;
  reactions?: { e: string; u: string[] }[];
}

/** A message with its current state applied; `viewer` (a username) gets `me` on reactions. */
export function applyState(message: Message, state: string | null | undefined, viewer?: string): Message {
  if (!state) return message;
  const s = JSON.parse(state) as MessageState;
  if (s.deleted) {
    message.text = '';
    message.deleted = true;
    delete message.mentions;
    return message;
  }
  if (s.text !== undefined) message.text = s.text;
  if (s.editedAt !== undefined) message.editedAt = s.editedAt;
  if (s.reactions && s.reactions.length > 0) {
    const me = viewer === undefined ? undefined : viewer.toLowerCase();
    message.reactions = s.reactions.map(({ e, u }) => (me === undefined ? { emoji: e, count: u.length } : { emoji: e, count: u.length, me: u.includes(me) }));
  }
  return message;
}

/** Turns a flat `[k1, v1, k2, v2, ...]` stream field list into a record. */
export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
  return out;
}

/** The public Message of a room log entry, as XRANGE returns it. */
export function messageFromLogEntry(room: string, entryId: string, fields: readonly string[]): Message {
  return messageFromRecord(room, entryId, fieldsToRecord(fields));
}

function messageFromRecord(room: string, entryId: string, f: Record<string, string>): Message {
  const message: Message = {
    id: f.id ?? '',
    room,
    seq: seqOfLogEntryId(entryId),
    user: f.user ?? '',
    text: f.text ?? '',
    ts: Number(f.ts),
  };
  if (f.clientMsgId !== undefined) message.clientMsgId = f.clientMsgId;
  if (f.replyTo !== undefined) message.replyTo = Number(f.replyTo);
  if (f.mentions) message.mentions = f.mentions.split(',');
  if (f.bot === '1') message.bot = true;
  return message;
}

/** Whether a log entry is a change to a message rather than a message. */
export function isEventEntry(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'kind') return true;
  return false;
}

/**
 * The frame a log entry is sent as in a catch-up: a message (with `state`, its current
 * state, applied) or an event frame. The live frames persistence publishes have the same shape.
 */
export function frameFromLogEntry(room: string, entryId: string, fields: readonly string[], state?: string | null): MessageFrame | EventFrame {
  const f = fieldsToRecord(fields);
  const seq = seqOfLogEntryId(entryId);
  const base = { room, seq, target: Number(f.target), messageId: f.messageId ?? '', user: f.user ?? '' };
  switch (f.kind) {
    case undefined:
      return { type: 'message', room, message: applyState(messageFromRecord(room, entryId, f), state) };
    case 'edit':
      return { type: 'edited', ...base, text: f.text ?? '', editedAt: Number(f.ts) };
    case 'delete':
      return { type: 'deleted', ...base };
    default:
      return { type: 'reaction', ...base, emoji: f.emoji ?? '', added: f.kind === 'react', count: Number(f.count ?? 0) };
  }
}
