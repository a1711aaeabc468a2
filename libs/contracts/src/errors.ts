/** Stable error codes of the public API with their HTTP status. */
export const ErrorCode = {
  unauthorized: { status: 401, title: 'Unauthorized' },
  usernameTaken: { status: 409, title: 'Username taken' },
  invalidUsername: { status: 400, title: 'Invalid username' },
  invalidMessage: { status: 400, title: 'Invalid message' },
  invalidRequest: { status: 400, title: 'Invalid request' },
  invalidRoom: { status: 404, title: 'Invalid room' },
  invalidEmoji: { status: 400, title: 'Invalid emoji' },
  forbidden: { status: 403, title: 'Forbidden' },
  muted: { status: 403, title: 'Muted' },
  banned: { status: 403, title: 'Banned' },
  roomNotFound: { status: 404, title: 'Room not found' },
  messageNotFound: { status: 404, title: 'Message not found' },
  messageDeleted: { status: 409, title: 'Message deleted' },
  tooManyReactions: { status: 409, title: 'Too many reactions' },
  notFound: { status: 404, title: 'Not found' },
  payloadTooLarge: { status: 413, title: 'Payload too large' },
  rateLimited: { status: 429, title: 'Rate limited' },
  unavailable: { status: 503, title: 'Service unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** The wire form of each code (`usernameTaken` -> `username_taken`). */
export function wireCode(name: ErrorCodeName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** WebSocket `error` frame codes. */
export const FrameErrorCode = {
  invalidFrame: 'invalid_frame',
  invalidRoom: 'invalid_room',
  notSubscribed: 'not_subscribed',
  unavailable: 'unavailable',
  tooManySubscriptions: 'too_many_subscriptions',
  rateLimited: 'rate_limited',
  /** A private room the user is not a member of (or no such private room). */
  roomNotFound: 'room_not_found',
  /** Banned from the room: the subscription ends (or is refused). */
  banned: 'banned',
  /** A resume from a seq older than the room log keeps: reload the history. */
  historyTrimmed: 'history_trimmed',
} as const;
