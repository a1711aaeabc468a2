import { HistoryPage, HistoryQuery, Presence, Problem, RoomList, RoomParams } from '@chitchat/contracts';
import { ApiError, requireSession, sessionOf, type HttpApp, type SessionStore } from '@chitchat/platform';
import type { HistoryStore } from '../store.ts';

/** `GET /v1/rooms/{room}/messages` (pages of history) and `GET /v1/rooms` (room list). */
export async function roomRoutes(app: HttpApp, deps: { sessions: SessionStore; store: HistoryStore; roomListMax: number }): Promise<void> {
  app.addHook('onRequest', requireSession(deps.sessions));

  app.get(
    '/v1/rooms/:room/messages',
    {
      schema: {
        tags: ['history'],
        summary: 'A page of a room\'s history, ascending seq',
        security: [{ bearer: [] }],
        params: RoomParams,
        querystring: HistoryQuery,
        response: { 200: HistoryPage, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { limit, before, after } = request.query;
      if (before !== undefined && after !== undefined) throw new ApiError('invalidRequest', 'give either before or after, not both');
      return deps.store.page(request.params.room, { limit, before, after });
    },
  );

  app.get(
    '/v1/rooms',
    {
      schema: {
        tags: ['history'],
        summary: 'Rooms, latest activity first',
        security: [{ bearer: [] }],
        response: { 200: RoomList, 401: Problem },
      },
    },
    async (request) => ({ rooms: await deps.store.rooms(deps.roomListMax, sessionOf(request).username) }),
  );

  app.get(
    '/v1/rooms/:room/presence',
    {
      schema: {
        tags: ['history'],
        summary: 'Users subscribed to the room now',
        security: [{ bearer: [] }],
        params: RoomParams,
        response: { 200: Presence, 401: Problem, 404: Problem },
      },
    },
    async (request) => ({ room: request.params.room, users: await deps.store.presence(request.params.room) }),
  );
}
