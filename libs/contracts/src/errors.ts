/** Stable error codes of the public API with their HTTP status. */
export const ErrorCode = {
  unauthorized: { status: 401, title: 'Unauthorized' },
  usernameTaken: { status: 409, title: 'Username taken' },
  invalidUsername: { status: 400, title: 'Invalid username' },
  invalidMessage: { status: 400, title: 'Invalid message' },
  invalidRequest: { status: 400, title: 'Invalid request' },
  invalidRoom: { status: 404, title: 'Invalid room' },
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
  /** A resume from a seq older than the room log keeps: reload the history. */
  historyTrimmed: 'history_trimmed',
} as const;
