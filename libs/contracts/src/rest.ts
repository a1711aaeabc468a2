/** Schemas of every REST body, query and response of the public API, version 1. */
import { Type, type Static } from 'typebox';
import {
  CLIENT_MSG_ID_MAX,
  EMOJI_MAX,
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
  replyTo: Type.Optional(Type.Integer({ minimum: 1, description: 'seq of the message this one replies to (same room)' })),
});
export type SendMessageBody = Static<typeof SendMessageBody>;

export const MessageAccepted = Type.Object({
  id: Type.String(),
  room: Type.String(),
  clientMsgId: Type.Optional(Type.String()),
});
export type MessageAccepted = Static<typeof MessageAccepted>;

export const Reaction = Type.Object({
  emoji: Type.String(),
  count: Type.Integer({ minimum: 1 }),
  me: Type.Optional(Type.Boolean({ description: 'the caller reacted with it (history only)' })),
});
export type Reaction = Static<typeof Reaction>;

export const Message = Type.Object({
  id: Type.String(),
  room: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  user: Type.String(),
  text: Type.String(),
  ts: Type.Integer({ description: 'epoch ms at which persistence stored it' }),
  clientMsgId: Type.Optional(Type.String()),
  replyTo: Type.Optional(Type.Integer({ minimum: 1, description: 'seq of the parent message' })),
  mentions: Type.Optional(Type.Array(Type.String(), { description: 'users named with @name, as written' })),
  editedAt: Type.Optional(Type.Integer({ description: 'epoch ms of the last edit' })),
  deleted: Type.Optional(Type.Literal(true, { description: 'deleted: text is empty' })),
  reactions: Type.Optional(Type.Array(Reaction)),
  bot: Type.Optional(Type.Literal(true, { description: "posted by a bot of the room (with the bot's token)" })),
});
export type Message = Static<typeof Message>;

/** Path of one message by id (edits, deletes, reactions). */
export const MessageIdParams = Type.Object({ room: RoomName, id: Type.String({ minLength: 1, maxLength: 64 }) });
export type MessageIdParams = Static<typeof MessageIdParams>;

export const ReactionParams = Type.Object({ room: RoomName, id: Type.String({ minLength: 1, maxLength: 64 }), emoji: Type.String({ minLength: 1, maxLength: EMOJI_MAX }) });
export type ReactionParams = Static<typeof ReactionParams>;

/** Path of one message by seq (reads). */
export const MessageSeqParams = Type.Object({ room: RoomName, seq: Type.Integer({ minimum: 1 }) });
export type MessageSeqParams = Static<typeof MessageSeqParams>;

export const EditMessageBody = Type.Object({
  text: Type.String({ minLength: 1, description: `the new text: 1-${TEXT_MAX_CHARS} characters after trimming` }),
});
export type EditMessageBody = Static<typeof EditMessageBody>;

/** An edit, delete or reaction was accepted: it is applied in order with the room's messages. */
export const EventAccepted = Type.Object({
  id: Type.String({ description: "the event's id" }),
  room: Type.String(),
  messageId: Type.String(),
});
export type EventAccepted = Static<typeof EventAccepted>;

export const RepliesQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT }) });
export type RepliesQuery = Static<typeof RepliesQuery>;

export const Replies = Type.Object({
  room: Type.String(),
  parent: Type.Integer({ minimum: 1 }),
  messages: Type.Array(Message, { description: 'the replies, ascending seq' }),
});
export type Replies = Static<typeof Replies>;

export const CreateRoomBody = Type.Object({
  private: Type.Literal(true, { description: 'public rooms need no creating: post or subscribe' }),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  members: Type.Array(Username, { maxItems: 100, description: 'besides the creator' }),
});
export type CreateRoomBody = Static<typeof CreateRoomBody>;

export const DirectMessageBody = Type.Object({ user: Username });
export type DirectMessageBody = Static<typeof DirectMessageBody>;

export const RoomInfo = Type.Object({
  room: Type.String(),
  private: Type.Boolean(),
  title: Type.Optional(Type.String()),
  members: Type.Optional(Type.Array(Type.String(), { description: 'private rooms: sorted' })),
  admins: Type.Optional(Type.Array(Type.String())),
  admin: Type.Optional(Type.Boolean({ description: 'GET /v1/rooms/{room}: whether the caller may moderate the room' })),
});
export type RoomInfo = Static<typeof RoomInfo>;

export const MuteBody = Type.Object({ user: Username, seconds: Type.Integer({ minimum: 1, maximum: 30 * 86_400 }) });
export type MuteBody = Static<typeof MuteBody>;
export const Mute = Type.Object({ room: Type.String(), user: Type.String(), until: Type.Integer({ description: 'epoch ms' }) });
export type Mute = Static<typeof Mute>;
export const BanBody = Type.Object({ user: Username });
export type BanBody = Static<typeof BanBody>;
export const Ban = Type.Object({ room: Type.String(), user: Type.String() });
export type Ban = Static<typeof Ban>;
export const RoomUserParams = Type.Object({ room: RoomName, user: Username });
export type RoomUserParams = Static<typeof RoomUserParams>;

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
  private: Type.Optional(Type.Literal(true)),
  title: Type.Optional(Type.String()),
  members: Type.Optional(Type.Array(Type.String(), { description: 'direct-message rooms: the two members' })),
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

export const WebhookParams = Type.Object({ room: RoomName, id: Type.String({ minLength: 1, maxLength: 64 }) });
export type WebhookParams = Static<typeof WebhookParams>;
export const WebhookJobParams = Type.Object({ room: RoomName, id: Type.String({ minLength: 1, maxLength: 64 }), jobId: Type.String({ minLength: 1, maxLength: 200 }) });
export type WebhookJobParams = Static<typeof WebhookJobParams>;

export const CreateWebhookBody = Type.Object({ url: Type.String({ format: 'uri', maxLength: 2000, description: 'http(s) URL that gets a signed POST per stored message' }) });
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const Webhook = Type.Object({
  id: Type.String(),
  room: Type.String(),
  url: Type.String(),
  active: Type.Boolean({ description: 'false once disabled after failing again and again' }),
  createdAt: Type.Integer(),
  secret: Type.Optional(Type.String({ description: 'only when created: the HMAC-SHA256 key of the signature header' })),
});
export type Webhook = Static<typeof Webhook>;
export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook) });
export type WebhookList = Static<typeof WebhookList>;

export const WebhookFailure = Type.Object({
  jobId: Type.String(),
  messageId: Type.String(),
  seq: Type.Integer(),
  attempts: Type.Integer(),
  error: Type.String(),
  failedAt: Type.Integer(),
});
export type WebhookFailure = Static<typeof WebhookFailure>;
export const WebhookFailures = Type.Object({ failures: Type.Array(WebhookFailure) });
export type WebhookFailures = Static<typeof WebhookFailures>;

export const CreateBotBody = Type.Object({ name: Username });
export type CreateBotBody = Static<typeof CreateBotBody>;
export const Bot = Type.Object({
  id: Type.String(),
  room: Type.String(),
  name: Type.String(),
  createdAt: Type.Integer(),
  token: Type.Optional(Type.String({ description: 'only when created: `Authorization: Bearer <token>` posts to this room as the bot' })),
});
export type Bot = Static<typeof Bot>;
export const BotList = Type.Object({ bots: Type.Array(Bot) });
export type BotList = Static<typeof BotList>;

export const Retention = Type.Object({
  maxMessages: Type.Integer({ minimum: 0, description: 'most log entries kept; 0: no limit' }),
  maxAgeSeconds: Type.Integer({ minimum: 0, description: 'oldest entry kept, in seconds; 0: no limit' }),
});
export type Retention = Static<typeof Retention>;
export const RetentionBody = Type.Partial(Retention);

/** The limits in force: a room's own (its retention hash) over the defaults. */
export function retentionOf(own: Record<string, string>, defaults: Retention): Retention {
  return {
    maxMessages: own.maxMessages !== undefined ? Number(own.maxMessages) : defaults.maxMessages,
    maxAgeSeconds: own.maxAgeSeconds !== undefined ? Number(own.maxAgeSeconds) : defaults.maxAgeSeconds,
  };
}
export type RetentionBody = Static<typeof RetentionBody>;

export const Notification = Type.Object({
  type: Type.Union([Type.Literal('mention'), Type.Literal('webhook_disabled')]),
  room: Type.String(),
  at: Type.Integer({ description: 'epoch ms it was added to the inbox' }),
  seq: Type.Optional(Type.Integer({ description: 'mention: the message' })),
  messageId: Type.Optional(Type.String()),
  user: Type.Optional(Type.String({ description: 'mention: who mentioned you' })),
  text: Type.Optional(Type.String()),
  webhookId: Type.Optional(Type.String({ description: 'webhook_disabled: which webhook' })),
  url: Type.Optional(Type.String()),
});
export type Notification = Static<typeof Notification>;
export const Notifications = Type.Object({ notifications: Type.Array(Notification, { description: 'newest first' }) });
export type Notifications = Static<typeof Notifications>;
