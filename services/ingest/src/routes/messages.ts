import {
  EditMessageBody,
  EventAccepted,
  MessageAccepted,
  MessageIdParams,
  Problem,
  ReactionParams,
  ReadMarker,
  ReadMarkerBody,
  RoomParams,
  SendMessageBody,
  isEmoji,
  isPrivateRoom,
  mentionsIn,
  roomKeys,
  textProblem,
  usernameKey,
  type EventKind,
} from '@chitchat/contracts';
import { ApiError, MetricName, bearerToken, counter, requireSession, sessionOf, type HttpApp, type Redis, type RoomAccess, type SessionStore } from '@chitchat/platform';
import { concurrently } from '../limits.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageAcceptor } from '../accept.ts';
import type { Limits } from '../limits.ts';
import { isBotToken, type RoomIntegrations } from '../integrations.ts';
import type { MessageLookup, StoredMessage } from '../lookup.ts';
import type { ReadMarkers } from '../read-markers.ts';

const accepted = counter(MetricName.accepted, 'Messages accepted (202), retries of one clientMsgId counted once');

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when a bot's token authenticated the request. */
    bot?: { room: string; id: string; name: string };
  }
}

export interface MessageRouteDeps {
  sessions: SessionStore;
  acceptor: MessageAcceptor;
  reads: ReadMarkers;
  limits: Limits;
  access: RoomAccess;
  lookup: MessageLookup;
  redis: Redis;
  maxReactions: number;
  integrations: RoomIntegrations;
}

const changeErrors = { 202: EventAccepted, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 429: Problem };

/**
 * Sending (`POST /v1/rooms/{room}/messages`), changing a message (edit, delete, reactions),
 * and read markers. A change is accepted like a message (202) and applied in order with the
 * room's messages; what can be checked now is checked now, with a clear error.
 */
export async function messageRoutes(app: HttpApp, deps: MessageRouteDeps): Promise<void> {
  const { access, lookup, acceptor } = deps;
  const guarded = { onRequest: concurrently(deps.limits.perIp, requireSession(deps.sessions)), preHandler: deps.limits.perUser };
  const session = requireSession(deps.sessions);
  /** Sending also takes a bot's token (`cbot.…`): the bot posts as itself, to its room only. */
  const sessionOrBot = async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (!isBotToken(token)) return session(request);
    const bot = await deps.integrations.verifyBot(token ?? '');
    if (!bot) throw new ApiError('unauthorized', 'a valid session or bot token is required (Authorization: Bearer <token>)');
    request.session = { username: bot.name, id: `bot:${bot.id}` };
    request.bot = bot;
  };

  app.post(
    '/v1/rooms/:room/messages',
    {
      onRequest: concurrently(deps.limits.perIp, sessionOrBot),
      config: { invalidCode: 'invalidMessage' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message (also with a bot token); 202 means it is kept and will be delivered in order',
        security: [{ bearer: [] }],
        params: RoomParams,
        body: SendMessageBody,
        response: { 202: MessageAccepted, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const { room } = request.params;
      const { text, clientMsgId, replyTo } = request.body;
      const why = textProblem(text);
      if (why) throw new ApiError('invalidMessage', why);
      const { username } = sessionOf(request);
      const bot = request.bot;
      // The user's rate limit and the room check (each one round trip) are waited for together;
      // a limit that is exceeded still answers 429 before anything the room check says.
      await concurrently(deps.limits.perUser, () => {
        if (bot && bot.room !== room) throw new ApiError('forbidden', `this bot posts only to '${bot.room}'`);
        // A bot's token is its room's admission: it is not a member, and not muted or banned by name.
        if (!bot) return access.post(room, username);
      })(request, reply);
      if (replyTo !== undefined && !(await lookup.bySeq(room, replyTo))) {
        throw new ApiError('messageNotFound', `replyTo ${replyTo}: no message with that seq in '${room}'`);
      }
      const mentions = await mentionable(deps.redis, room, username, mentionsIn(text));
      const [{ id, fresh }] = await Promise.all([
        acceptor.accept({ room, user: username, text, clientMsgId, replyTo, mentions, bot: bot?.id }),
        bot ? undefined : deps.reads.joined(username, room),
      ]);
      if (fresh) accepted.inc();
      return reply.status(202).send(clientMsgId === undefined ? { id, room } : { id, room, clientMsgId });
    },
  );

  /** The message a change names, checked: it exists and is not deleted. */
  const target = async (room: string, id: string): Promise<StoredMessage> => {
    const message = await lookup.byId(room, id);
    if (!message) throw new ApiError('messageNotFound', `no message '${id}' in '${room}'`);
    if (message.state.deleted) throw new ApiError('messageDeleted', `message '${id}' was deleted`);
    return message;
  };
  const change = async (request: FastifyRequest, room: string, messageId: string, kind: EventKind, extra: { text?: string; emoji?: string; admin?: boolean }) => {
    const id = await acceptor.acceptEvent({ room, user: sessionOf(request).username, kind, target: messageId, ...extra });
    return { id, room, messageId };
  };
  // A bot's message is nobody's own, whoever holds the bot's name.
  const isAuthor = (message: StoredMessage, username: string): boolean => !message.bot && usernameKey(message.author) === usernameKey(username);

  app.patch(
    '/v1/rooms/:room/messages/:id',
    {
      ...guarded,
      config: { invalidCode: 'invalidMessage' },
      schema: {
        tags: ['messages'],
        summary: 'Edit your message; applied in order with the room, clients get an `edited` frame',
        security: [{ bearer: [] }],
        params: MessageIdParams,
        body: EditMessageBody,
        response: changeErrors,
      },
    },
    async (request, reply) => {
      const { room, id } = request.params;
      const why = textProblem(request.body.text);
      if (why) throw new ApiError('invalidMessage', why);
      const { username } = sessionOf(request);
      await access.post(room, username);
      if (!isAuthor(await target(room, id), username)) throw new ApiError('forbidden', 'only the author may edit a message');
      return reply.status(202).send(await change(request, room, id, 'edit', { text: request.body.text }));
    },
  );

  app.delete(
    '/v1/rooms/:room/messages/:id',
    {
      ...guarded,
      schema: {
        tags: ['messages'],
        summary: 'Delete your message (admins: any); clients get a `deleted` frame',
        security: [{ bearer: [] }],
        params: MessageIdParams,
        response: changeErrors,
      },
    },
    async (request, reply) => {
      const { room, id } = request.params;
      const { username } = sessionOf(request);
      const standing = await access.see(room, username);
      const message = await target(room, id);
      const own = isAuthor(message, username);
      // Taking one's own words back is allowed even while muted or banned.
      if (!own && !standing.admin) throw new ApiError('forbidden', 'only the author or an admin may delete a message');
      return reply.status(202).send(await change(request, room, id, 'delete', { admin: !own }));
    },
  );

  const reaction = (kind: 'react' | 'unreact') => async (request: FastifyRequest<{ Params: ReactionParams }>, reply: FastifyReply) => {
    const { room, id, emoji } = request.params;
    if (!isEmoji(emoji)) throw new ApiError('invalidEmoji', `'${emoji}' is not one emoji`);
    const { username } = sessionOf(request);
    await access.post(room, username);
    const message = await target(room, id);
    const entry = message.state.reactions?.find((r) => r.e === emoji);
    const mine = entry?.u.includes(usernameKey(username)) ?? false;
    // Nothing to change: answered as done, and no event is stored.
    if ((kind === 'react' && mine) || (kind === 'unreact' && !mine)) return reply.status(202).send({ id: '', room, messageId: id });
    if (kind === 'react' && !entry && (message.state.reactions?.length ?? 0) >= deps.maxReactions) {
      throw new ApiError('tooManyReactions', `a message has at most ${deps.maxReactions} different reactions`);
    }
    return reply.status(202).send(await change(request, room, id, kind, { emoji }));
  };
  const reactionSchema = (summary: string) => ({
    ...guarded,
    schema: { tags: ['messages'], summary, security: [{ bearer: [] }], params: ReactionParams, response: changeErrors },
  });
  app.put('/v1/rooms/:room/messages/:id/reactions/:emoji', reactionSchema('Add your reaction (an emoji, URL-encoded); clients get a `reaction` frame'), reaction('react'));
  app.delete('/v1/rooms/:room/messages/:id/reactions/:emoji', reactionSchema('Remove your reaction'), reaction('unreact'));

  app.post(
    '/v1/rooms/:room/read',
    {
      ...guarded,
      schema: {
        tags: ['messages'],
        summary: 'Report the highest seq read in the room; the marker never moves back',
        security: [{ bearer: [] }],
        params: RoomParams,
        body: ReadMarkerBody,
        response: { 200: ReadMarker, 400: Problem, 401: Problem, 404: Problem, 429: Problem },
      },
    },
    async (request) => {
      const { room } = request.params;
      const { username } = sessionOf(request);
      await access.see(room, username);
      const seq = await deps.reads.mark(username, room, request.body.seq);
      return { room, seq };
    },
  );
}

/**
 * The mentioned users to tell: never the author, and in a private room only members (a
 * mention must not reveal the room to anyone else).
 */
async function mentionable(redis: Redis, room: string, author: string, names: string[]): Promise<string[]> {
  const others = names.filter((name) => usernameKey(name) !== usernameKey(author));
  if (others.length === 0 || !isPrivateRoom(room)) return others;
  const member = await redis.smismember(roomKeys.members(room), ...others.map(usernameKey));
  return others.filter((_, i) => member[i] === 1);
}
