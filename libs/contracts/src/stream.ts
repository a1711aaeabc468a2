/**
 * Entries of the Redis streams: what ingest appends to a partition, and what persistence
 * appends to a room log. Stream fields are flat strings, so these are string records.
 */
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { CLIENT_MSG_ID_MAX, ROOM_PATTERN, USERNAME_PATTERN } from './names.ts';
import { seqOfLogEntryId } from './keys.ts';
import type { Message } from './rest.ts';

/** An accepted message on an ingest partition stream. */
export const IngestEntry = Type.Object({
  /** Message id given by ingest; stays the message's id forever. */
  id: Type.String({ minLength: 1, maxLength: 64 }),
  room: Type.String({ pattern: ROOM_PATTERN }),
  user: Type.String({ pattern: USERNAME_PATTERN }),
  text: Type.String({ minLength: 1 }),
  /** Epoch ms at which ingest accepted it. */
  at: Type.String({ pattern: '^[0-9]{1,15}$' }),
  clientMsgId: Type.Optional(Type.String({ minLength: 1, maxLength: CLIENT_MSG_ID_MAX })),
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
  if (ingestEntryValidator.Check(fields)) return fields;
  const first = [...ingestEntryValidator.Errors(fields)][0];
  return first ? `${first.instancePath || '/'} ${first.message}` : 'invalid ingest entry';
}

/** Fields of a room log entry (the room and seq are its key and entry ID). */
export interface LogEntryFields {
  id: string;
  user: string;
  text: string;
  ts: string;
  clientMsgId?: string;
}

/** Turns a flat `[k1, v1, k2, v2, ...]` stream field list into a record. */
export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
  return out;
}

/** The public Message of a room log entry, as XRANGE returns it. */
export function messageFromLogEntry(room: string, entryId: string, fields: readonly string[]): Message {
  const f = fieldsToRecord(fields);
  const message: Message = {
    id: f.id ?? '',
    room,
    seq: seqOfLogEntryId(entryId),
    user: f.user ?? '',
    text: f.text ?? '',
    ts: Number(f.ts),
  };
  if (f.clientMsgId !== undefined) message.clientMsgId = f.clientMsgId;
  return message;
}
