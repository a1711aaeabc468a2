/** Schemas of every REST body, query and response of the public API, version 1. */
import { Type, type Static } from 'typebox';
import {
  CLIENT_MSG_ID_MAX,
  PAGE_DEFAULT,
  PAGE_MAX,
  ROOM_PATTERN,
  TEXT_MAX_CHARS,
  USERNAME_PATTERN,
} from './names.ts';

export const Username = Type.String({ pattern: USERNAME_PATTERN, description: '3-32 of A-Z a-z 0-9 _ . -' });
export const RoomName = Type.String({ pattern: ROOM_PATTERN, description: '1-64 of a-z 0-9 _ -' });

export const RoomParams = Type.Object({ room: RoomName });
export type RoomParams = Static<typeof RoomParams>;

export const CreateSessionBody = Type.Object({ username: Username });
export type CreateSessionBody = Static<typeof CreateSessionBody>;

export const SessionCreated = Type.Object({
  token: Type.String({ description: 'Bearer token for every other call; `?token=` on the WebSocket' }),
  username: Type.String(),
  expiresAt: Type.String({ format: 'date-time', description: 'when the session ends if unused' }),
});
export type SessionCreated = Static<typeof SessionCreated>;

export const SendMessageBody = Type.Object({
  text: Type.String({ minLength: 1, description: `1-${TEXT_MAX_CHARS} characters after trimming; stored verbatim` }),
  clientMsgId: Type.Optional(
    Type.String({ minLength: 1, maxLength: CLIENT_MSG_ID_MAX, description: 'retry key, unique per user and room for 24 h' }),
  ),
});
export type SendMessageBody = Static<typeof SendMessageBody>;

export const MessageAccepted = Type.Object({
  id: Type.String(),
  room: Type.String(),
  clientMsgId: Type.Optional(Type.String()),
});
export type MessageAccepted = Static<typeof MessageAccepted>;

export const Message = Type.Object({
  id: Type.String(),
  room: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  user: Type.String(),
  text: Type.String(),
  ts: Type.Integer({ description: 'epoch ms at which persistence stored it' }),
  clientMsgId: Type.Optional(Type.String()),
});
export type Message = Static<typeof Message>;

export const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT }),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only messages with a lower seq' })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'only messages with a higher seq' })),
});
export type HistoryQuery = Static<typeof HistoryQuery>;

export const HistoryPage = Type.Object({
  room: Type.String(),
  messages: Type.Array(Message, { description: 'ascending seq' }),
  headSeq: Type.Integer({ minimum: 0, description: "the room's latest seq, 0 if empty" }),
});
export type HistoryPage = Static<typeof HistoryPage>;

export const RoomSummary = Type.Object({
  room: Type.String(),
  headSeq: Type.Integer({ minimum: 0 }),
  lastMessageAt: Type.Union([Type.Integer(), Type.Null()], { description: 'epoch ms, null if no message yet' }),
  online: Type.Integer({ minimum: 0, description: 'users subscribed now (each once)' }),
  joined: Type.Boolean({ description: 'the caller has subscribed to, posted in or read this room' }),
  unread: Type.Optional(Type.Integer({ minimum: 0, description: 'joined rooms only: headSeq minus the read marker (own messages included)' })),
  readSeq: Type.Optional(Type.Integer({ minimum: 0, description: "joined rooms only: the caller's read marker" })),
});
export type RoomSummary = Static<typeof RoomSummary>;

export const RoomList = Type.Object({ rooms: Type.Array(RoomSummary) });
export type RoomList = Static<typeof RoomList>;

export const Presence = Type.Object({ room: Type.String(), users: Type.Array(Type.String(), { description: 'sorted, each user once' }) });
export type Presence = Static<typeof Presence>;

export const ReadMarkerBody = Type.Object({ seq: Type.Integer({ minimum: 0, description: 'the highest seq read' }) });
export type ReadMarkerBody = Static<typeof ReadMarkerBody>;

export const ReadMarker = Type.Object({
  room: Type.String(),
  seq: Type.Integer({ minimum: 0, description: 'the marker now: it never moves backwards and never past the head' }),
});
export type ReadMarker = Static<typeof ReadMarker>;

/** RFC 9457 problem details, plus the stable machine `code`. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String(),
});
export type Problem = Static<typeof Problem>;
