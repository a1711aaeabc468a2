/** WebSocket frames, both directions. One JSON object per text frame, told apart by `type`. */
import { Type, type Static } from 'typebox';
import { Message, Notification, RoomName } from './rest.ts';

export const SubscribeFrame = Type.Object({
  type: Type.Literal('subscribe'),
  room: RoomName,
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const UnsubscribeFrame = Type.Object({ type: Type.Literal('unsubscribe'), room: RoomName });
export const TypingFrame = Type.Object({ type: Type.Literal('typing'), room: RoomName });
export const PingFrame = Type.Object({ type: Type.Literal('ping') });

export const ClientFrame = Type.Union([SubscribeFrame, UnsubscribeFrame, TypingFrame, PingFrame]);
export type ClientFrame = Static<typeof ClientFrame>;
export type SubscribeFrame = Static<typeof SubscribeFrame>;
export const CLIENT_FRAME_TYPES = ['subscribe', 'unsubscribe', 'typing', 'ping'] as const;

export const SubscribedFrame = Type.Object({
  type: Type.Literal('subscribed'),
  room: Type.String(),
  headSeq: Type.Integer({ minimum: 0 }),
});
export type SubscribedFrame = Static<typeof SubscribedFrame>;

export const UnsubscribedFrame = Type.Object({ type: Type.Literal('unsubscribed'), room: Type.String() });
export type UnsubscribedFrame = Static<typeof UnsubscribedFrame>;

/** Also the exact payload persistence publishes on a room's live channel. */
export const MessageFrame = Type.Object({ type: Type.Literal('message'), room: Type.String(), message: Message });
export type MessageFrame = Static<typeof MessageFrame>;

/** Event frames: each a change to the message `target` (seq) / `messageId`, with its own `seq`. */
const eventBase = {
  room: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  target: Type.Integer({ minimum: 1 }),
  messageId: Type.String(),
  user: Type.String({ description: 'who made the change' }),
};
export const EditedFrame = Type.Object({ type: Type.Literal('edited'), ...eventBase, text: Type.String(), editedAt: Type.Integer() });
export type EditedFrame = Static<typeof EditedFrame>;
export const DeletedFrame = Type.Object({ type: Type.Literal('deleted'), ...eventBase });
export type DeletedFrame = Static<typeof DeletedFrame>;
export const ReactionFrame = Type.Object({
  type: Type.Literal('reaction'),
  ...eventBase,
  emoji: Type.String(),
  added: Type.Boolean(),
  count: Type.Integer({ minimum: 0, description: "that emoji's count after the change" }),
});
export type ReactionFrame = Static<typeof ReactionFrame>;
export type EventFrame = EditedFrame | DeletedFrame | ReactionFrame;

/** The user was mentioned (to every connection of theirs, subscribed to the room or not). */
export const MentionFrame = Type.Object({
  type: Type.Literal('mention'),
  room: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  messageId: Type.String(),
  user: Type.String({ description: 'the author' }),
  text: Type.String(),
});
export type MentionFrame = Static<typeof MentionFrame>;

/** The user was made a member of a private room or DM (to every connection of theirs). */
export const RoomFrame = Type.Object({
  type: Type.Literal('room'),
  room: Type.String(),
  private: Type.Boolean(),
  title: Type.Optional(Type.String()),
  members: Type.Optional(Type.Array(Type.String())),
  admins: Type.Optional(Type.Array(Type.String())),
});
export type RoomFrame = Static<typeof RoomFrame>;

/** Something went into the user's notification inbox (`GET /v1/notifications`). */
export const NotificationFrame = Type.Object({ type: Type.Literal('notification'), notification: Notification });
export type NotificationFrame = Static<typeof NotificationFrame>;

export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  detail: Type.String(),
  room: Type.Optional(Type.String()),
  /** With `history_trimmed`: the oldest seq the room still keeps (null: none). */
  oldestSeq: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
export type ErrorFrame = Static<typeof ErrorFrame>;

/** The room's users (each once, however many connections), on subscribe and on every change. */
export const PresenceFrame = Type.Object({ type: Type.Literal('presence'), room: Type.String(), users: Type.Array(Type.String()) });
export type PresenceFrame = Static<typeof PresenceFrame>;

/** Someone else in the room is typing (at most one per user every 2 s). */
export const TypingNoticeFrame = Type.Object({ type: Type.Literal('typing'), room: Type.String(), user: Type.String() });
export type TypingNoticeFrame = Static<typeof TypingNoticeFrame>;

/** The user's read marker in a room moved (sent to every connection of that user). */
export const ReadFrame = Type.Object({ type: Type.Literal('read'), room: Type.String(), seq: Type.Integer({ minimum: 0 }) });
export type ReadFrame = Static<typeof ReadFrame>;

export const PongFrame = Type.Object({ type: Type.Literal('pong') });
export type PongFrame = Static<typeof PongFrame>;

export const ServerFrame = Type.Union([
  SubscribedFrame,
  UnsubscribedFrame,
  MessageFrame,
  EditedFrame,
  DeletedFrame,
  ReactionFrame,
  MentionFrame,
  RoomFrame,
  NotificationFrame,
  PresenceFrame,
  TypingNoticeFrame,
  ReadFrame,
  ErrorFrame,
  PongFrame,
]);
export type ServerFrame = Static<typeof ServerFrame>;

/** WebSocket close codes of the protocol. */
export const CloseCode = {
  /** Server shutting down: reconnect (to another replica) and resume with `since`. */
  goingAway: 1001,
  /** Bad origin, too many connections. */
  policy: 1008,
  /** Frame larger than the server accepts. */
  tooLarge: 1009,
  /** Server restarting. */
  restart: 1012,
  /** Overloaded or lost its data source: try again later and resume with `since`. */
  tryAgainLater: 1013,
  /** Missing, bad or revoked token. */
  unauthorized: 4401,
  /** The client did not keep up with its messages: resume with `since`. */
  slowConsumer: 4408,
} as const;
