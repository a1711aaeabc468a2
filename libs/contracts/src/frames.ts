/** WebSocket frames, both directions. One JSON object per text frame, told apart by `type`. */
import { Type, type Static } from 'typebox';
import { Message, RoomName } from './rest.ts';

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

export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  detail: Type.String(),
  room: Type.Optional(Type.String()),
  /** With `history_trimmed`: the oldest seq the room still keeps (null: none). */
  oldestSeq: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
export type ErrorFrame = Static<typeof ErrorFrame>;

export const PongFrame = Type.Object({ type: Type.Literal('pong') });
export type PongFrame = Static<typeof PongFrame>;

export const ServerFrame = Type.Union([SubscribedFrame, UnsubscribedFrame, MessageFrame, ErrorFrame, PongFrame]);
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
