/**
 * Every Redis key, stream and channel name ChitChat uses, and nowhere else.
 *
 * Room keys carry the hash tag `{room:<name>}` so that one room's Lua script touches one
 * Redis Cluster slot; each ingest partition's keys share the tag `{<p>}` for the same reason.
 */

const roomTag = (room: string): string => `{room:${room}}`;
const partitionTag = (p: number): string => `chat:ingest:{${p}}`;

/** Keys of one room. */
export const roomKeys = {
  /** INCR counter: the room's latest seq. */
  seq: (room: string): string => `${roomTag(room)}:seq`,
  /** Stream: the room's ordered history, entry ID `<seq>-0`. */
  log: (room: string): string => `${roomTag(room)}:log`,
  /** Sharded pub/sub channel: committed messages as `message` frames. */
  live: (room: string): string => `${roomTag(room)}:live`,
  /** Hash: room metadata (`lastMessageAt`). */
  meta: (room: string): string => `${roomTag(room)}:meta`,
  /** String: the seq a message id was stored under, so a redelivered entry is not stored twice. */
  stored: (room: string, messageId: string): string => `${roomTag(room)}:stored:${messageId}`,
  /** Sorted set: `<username>|<connection>` scored by when that presence expires (ms). */
  presence: (room: string): string => `${roomTag(room)}:presence`,
  /** String with a short TTL: a user's typing notice was forwarded recently (throttle). */
  typing: (room: string, userKey: string): string => `${roomTag(room)}:typing:${userKey}`,
  /** Hash: message id -> seq, for edits, deletes and reactions naming a message by id. */
  ids: (room: string): string => `${roomTag(room)}:ids`,
  /**
   * Hash: seq -> JSON of what changed since the message was stored (`text`, `editedAt`,
   * `deleted`, `reactions`), only for changed messages: the current-state overlay that
   * history applies to a page without replaying the log.
   */
  state: (room: string): string => `${roomTag(room)}:state`,
  /** List: seqs of the replies to one message, in order. */
  replies: (room: string, seq: number): string => `${roomTag(room)}:replies:${seq}`,
  /** Set: usernames (keys) of a private room's members. */
  members: (room: string): string => `${roomTag(room)}:members`,
  /** Set: usernames (keys) of the room's own admins (a private room's creator). */
  admins: (room: string): string => `${roomTag(room)}:admins`,
  /** Hash: username key -> epoch ms until which the user is muted in the room. */
  muted: (room: string): string => `${roomTag(room)}:muted`,
  /** Set: username keys banned from the room. */
  banned: (room: string): string => `${roomTag(room)}:banned`,
  /** Hash: webhook id -> JSON of the room's outgoing webhook (url, secret, active, failures). */
  webhooks: (room: string): string => `${roomTag(room)}:webhooks`,
  /** Hash: bot id -> JSON of a bot of the room (name, hash of its token). */
  bots: (room: string): string => `${roomTag(room)}:bots`,
  /** Hash: the room's own retention limits (`maxMessages`, `maxAgeSeconds`). */
  retention: (room: string): string => `${roomTag(room)}:retention`,
} as const;

/** Keys of one ingest partition. */
export const partitionKeys = {
  /** Stream: accepted messages waiting for persistence. */
  stream: (p: number): string => partitionTag(p),
  /** String: the message id accepted for (room, user, clientMsgId). */
  idempotency: (p: number, room: string, userKey: string, clientMsgId: string): string =>
    `${partitionTag(p)}:idem:${room}:${userKey}:${clientMsgId}`,
  /** String: which persistence worker holds the partition (with a TTL). */
  lease: (p: number): string => `${partitionTag(p)}:lease`,
  /** Hash: failed attempts per stream entry id. */
  attempts: (p: number): string => `${partitionTag(p)}:attempts`,
  /** Stream: entries persistence gave up on, with their error. */
  deadLetter: (p: number): string => `${partitionTag(p)}:dead`,
} as const;

/** Keys of one user's session. The user tag keeps claim and session in one slot. */
export const userKeys = {
  /** String: hash of the token of the session holding the name (case-insensitive). */
  claim: (userKey: string): string => `{user:${userKey}}:claim`,
  /** String: the session's username, under the hash of its token. */
  session: (userKey: string, tokenHash: string): string => `{user:${userKey}}:session:${tokenHash}`,
  /** Hash: room -> the highest seq the user has read there. */
  reads: (userKey: string): string => `{user:${userKey}}:reads`,
  /** Set: rooms the user has joined (subscribed to, posted in or read). */
  rooms: (userKey: string): string => `{user:${userKey}}:rooms`,
  /** List: the user's notification inbox (JSON, newest first, capped). */
  inbox: (userKey: string): string => `{user:${userKey}}:inbox`,
  /** Set: private rooms (and DMs) the user is a member of. */
  privateRooms: (userKey: string): string => `{user:${userKey}}:private`,
  /** Sharded pub/sub channel: events for every connection of the user (read markers, mentions). */
  events: (userKey: string): string => `{user:${userKey}}:events`,
} as const;

/** Keys that are not tied to one room, partition or user. */
export const globalKeys = {
  /** Sorted set: room name scored by its last activity (first subscriber or last message, ms). */
  rooms: 'chat:rooms',
  /** Set: every private room and DM (the public ones are in `rooms`), for housekeeping. */
  privateRooms: 'chat:rooms:private',
  /** Sorted set: live persistence workers scored by when their registration expires (ms). */
  persistenceWorkers: 'chat:persistence:workers',
} as const;

/**
 * Prefix of the BullMQ queues (webhooks, mentions, housekeeping). Hash-tagged, so each
 * queue's keys share one Redis Cluster slot, as BullMQ requires.
 */
export const QUEUE_PREFIX = '{chat:jobs}';

/** The BullMQ queues. */
export const QueueName = {
  /** One job per stored message and webhook: the signed POST, retried with backoff. */
  webhooks: 'webhooks',
  /** Delayed: a mention still unread after a while goes to the user's inbox. */
  mentions: 'mentions',
  /** Repeatable: retention, and clean-up of expired presence and stale claims. */
  housekeeping: 'housekeeping',
} as const;

/** Consumer group of the persistence workers on every ingest partition. */
export const PERSISTENCE_GROUP = 'persistence';

/** The partition a room's messages go through: a stable hash of the name, mod `partitions`. */
export function partitionOf(room: string, partitions: number): number {
  // FNV-1a, 32 bit: stable across processes and versions, unlike any runtime hash.
  let h = 0x811c9dc5;
  for (let i = 0; i < room.length; i++) {
    h ^= room.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** Stream entry ID of a room log entry from its seq, and back. */
export function logEntryId(seq: number): string {
  return `${seq}-0`;
}

export function seqOfLogEntryId(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
