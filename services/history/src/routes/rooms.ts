import { HistoryPage, HistoryQuery, Message, MessageSeqParams, Presence, Problem, Replies, RepliesQuery, RoomInfo, RoomList, RoomParams } from '@chitchat/contracts';
import { ApiError, sessionOf, type HttpApp, type RoomAccess } from '@chitchat/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LatestPages } from '../latest-pages.ts';
import type { HistoryStore } from '../store.ts';

/**
 * Reads: pages of a room's history, one message and its replies, room info and presence,
 * and the room list. A private room answers only its members; to anyone else it is 404
 * `room_not_found`, the same as a room that does not exist.
 */
/** Needs the session hook of its parent scope (app.ts). */
export async function roomRoutes(app: HttpApp, deps: { store: HistoryStore; latest: LatestPages; access: RoomAccess; roomListMax: number }): Promise<void> {
  const { store, latest, access } = deps;
  const tags = ['history'];
  const security = [{ bearer: [] }];
  /** The caller, once they may see the room. */
  const viewer = async (request: FastifyRequest, room: string): Promise<string> => {
    const { username } = sessionOf(request);
    await access.see(room, username);
    return username;
  };

  app.get(
    '/v1/rooms/:room/messages',
    {
      schema: {
        tags,
        summary: "A page of a room's history, ascending seq, each message as it is now",
        security,
        params: RoomParams,
        querystring: HistoryQuery,
        response: { 200: HistoryPage, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const { limit, before, after } = request.query;
      if (before !== undefined && after !== undefined) throw new ApiError('invalidRequest', 'give either before or after, not both');
      if (before === undefined && after === undefined) {
        // The latest page: the bytes this route's serializer made of it, kept until the room changes.
        const body = await latest.body(request.params.room, limit, sessionOf(request).username, (page) => serialized(reply.serialize(page)));
        return sendSerialized(reply, body);
      }
      const user = await viewer(request, request.params.room);
      return store.page(request.params.room, { limit, before, after }, user);
    },
  );

  app.get(
    '/v1/rooms/:room/messages/:seq',
    { schema: { tags, summary: 'One message, as it is now', security, params: MessageSeqParams, response: { 200: Message, 400: Problem, 401: Problem, 404: Problem } } },
    async (request) => {
      const { room, seq } = request.params;
      const message = await store.message(room, seq, await viewer(request, room));
      if (!message) throw new ApiError('messageNotFound', `no message with seq ${seq} in '${room}'`);
      return message;
    },
  );

  app.get(
    '/v1/rooms/:room/messages/:seq/replies',
    {
      schema: { tags, summary: 'The replies to a message, ascending seq', security, params: MessageSeqParams, querystring: RepliesQuery, response: { 200: Replies, 400: Problem, 401: Problem, 404: Problem } },
    },
    async (request) => {
      const { room, seq } = request.params;
      const user = await viewer(request, room);
      if (!(await store.message(room, seq, user))) throw new ApiError('messageNotFound', `no message with seq ${seq} in '${room}'`);
      return { room, parent: seq, messages: await store.replies(room, seq, request.query.limit, user) };
    },
  );

  app.get(
    '/v1/rooms',
    { schema: { tags, summary: 'Rooms, latest activity first: public ones and your private ones', security, response: { 200: RoomList, 401: Problem } } },
    async (request) => ({ rooms: await store.rooms(deps.roomListMax, sessionOf(request).username) }),
  );

  app.get(
    '/v1/rooms/:room',
    { schema: { tags, summary: 'What a room is: public, or private with its title, members and admins', security, params: RoomParams, response: { 200: RoomInfo, 401: Problem, 404: Problem } } },
    async (request) => {
      const { admin } = await access.see(request.params.room, sessionOf(request).username);
      return { ...(await store.info(request.params.room)), admin };
    },
  );

  app.get(
    '/v1/rooms/:room/presence',
    { schema: { tags, summary: 'Users subscribed to the room now', security, params: RoomParams, response: { 200: Presence, 401: Problem, 404: Problem } } },
    async (request) => {
      await viewer(request, request.params.room);
      return { room: request.params.room, users: await store.presence(request.params.room) };
    },
  );
}

/** A body the route's serializer made (fast-json-stringify makes strings). */
function serialized(body: string | ArrayBuffer | Buffer): string {
  if (typeof body !== 'string') throw new TypeError('the route serializer made bytes, not a string');
  return body;
}

/** Sends a body its route's serializer made before: as JSON, not serialized again. */
function sendSerialized(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}
