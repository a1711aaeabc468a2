import { concurrently } from '../limits.ts';
import { Type } from 'typebox';
import { Ban, BanBody, CreateRoomBody, DirectMessageBody, Mute, MuteBody, Problem, RoomInfo, RoomParams, RoomUserParams } from '@chitchat/contracts';
import { requireSession, sessionOf, type HttpApp, type RoomAccess, type SessionStore } from '@chitchat/platform';
import type { Limits } from '../limits.ts';
import type { RoomAdmin } from '../rooms.ts';

/** Creating private rooms and DMs; muting and banning (admins only). */
export async function roomRoutes(app: HttpApp, deps: { sessions: SessionStore; limits: Limits; access: RoomAccess; rooms: RoomAdmin }): Promise<void> {
  const { access, rooms } = deps;
  const guarded = { onRequest: concurrently(deps.limits.perIp, requireSession(deps.sessions)), preHandler: deps.limits.perUser };
  const tags = ['rooms'];
  const security = [{ bearer: [] }];

  app.post(
    '/v1/rooms',
    {
      ...guarded,
      schema: { tags, summary: 'Create a private room; the creator is a member and its admin', security, body: CreateRoomBody, response: { 201: RoomInfo, 400: Problem, 401: Problem, 429: Problem } },
    },
    async (request, reply) => {
      const { title, members } = request.body;
      return reply.status(201).send(await rooms.createPrivate(sessionOf(request).username, title, members));
    },
  );

  app.post(
    '/v1/dms',
    {
      ...guarded,
      schema: { tags, summary: 'The direct-message room of the caller and another user (created on first use)', security, body: DirectMessageBody, response: { 200: RoomInfo, 400: Problem, 401: Problem, 429: Problem } },
    },
    async (request) => rooms.directMessage(sessionOf(request).username, request.body.user),
  );

  app.post(
    '/v1/rooms/:room/mutes',
    {
      ...guarded,
      schema: { tags, summary: "Mute a user in the room: their posts get 403 until then (admins)", security, params: RoomParams, body: MuteBody, response: { 200: Mute, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem } },
    },
    async (request) => {
      const { room } = request.params;
      await access.moderate(room, sessionOf(request).username);
      const until = await rooms.mute(room, request.body.user, request.body.seconds);
      return { room, user: request.body.user, until };
    },
  );

  app.delete(
    '/v1/rooms/:room/mutes/:user',
    { ...guarded, schema: { tags, summary: 'Lift a mute (admins)', security, params: RoomUserParams, response: { 204: Type.Null(), 401: Problem, 403: Problem, 404: Problem } } },
    async (request, reply) => {
      await access.moderate(request.params.room, sessionOf(request).username);
      await rooms.unmute(request.params.room, request.params.user);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/rooms/:room/bans',
    {
      ...guarded,
      schema: { tags, summary: 'Ban a user from the room: subscriptions end, posting is refused (admins)', security, params: RoomParams, body: BanBody, response: { 200: Ban, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem } },
    },
    async (request) => {
      const { room } = request.params;
      await access.moderate(room, sessionOf(request).username);
      await rooms.ban(room, request.body.user);
      return { room, user: request.body.user };
    },
  );

  app.delete(
    '/v1/rooms/:room/bans/:user',
    { ...guarded, schema: { tags, summary: 'Lift a ban (admins)', security, params: RoomUserParams, response: { 204: Type.Null(), 401: Problem, 403: Problem, 404: Problem } } },
    async (request, reply) => {
      await access.moderate(request.params.room, sessionOf(request).username);
      await rooms.unban(request.params.room, request.params.user);
      return reply.status(204).send(null);
    },
  );
}
