import { MessageAccepted, Problem, ReadMarker, ReadMarkerBody, RoomParams, SendMessageBody, textProblem } from '@chitchat/contracts';
import { ApiError, MetricName, counter, requireSession, sessionOf, type HttpApp, type SessionStore } from '@chitchat/platform';
import type { MessageAcceptor } from '../accept.ts';
import type { Limits } from '../limits.ts';
import type { ReadMarkers } from '../read-markers.ts';

const accepted = counter(MetricName.accepted, 'Messages accepted (202), retries of one clientMsgId counted once');

/** `POST /v1/rooms/{room}/messages` (send) and `POST /v1/rooms/{room}/read` (read marker). */
export async function messageRoutes(app: HttpApp, deps: { sessions: SessionStore; acceptor: MessageAcceptor; reads: ReadMarkers; limits: Limits }): Promise<void> {
  app.post(
    '/v1/rooms/:room/messages',
    {
      onRequest: [deps.limits.perIp, requireSession(deps.sessions)],
      preHandler: deps.limits.perUser,
      config: { invalidCode: 'invalidMessage' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message; 202 means it is kept and will be delivered in order',
        security: [{ bearer: [] }],
        params: RoomParams,
        body: SendMessageBody,
        response: { 202: MessageAccepted, 400: Problem, 401: Problem, 404: Problem, 413: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const { room } = request.params;
      const { text, clientMsgId } = request.body;
      const why = textProblem(text);
      if (why) throw new ApiError('invalidMessage', why);
      const { username } = sessionOf(request);
      const { id, fresh } = await deps.acceptor.accept({ room, user: username, text, clientMsgId });
      if (fresh) accepted.inc();
      await deps.reads.joined(username, room);
      return reply.status(202).send(clientMsgId === undefined ? { id, room } : { id, room, clientMsgId });
    },
  );

  app.post(
    '/v1/rooms/:room/read',
    {
      onRequest: [deps.limits.perIp, requireSession(deps.sessions)],
      preHandler: deps.limits.perUser,
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
      const seq = await deps.reads.mark(sessionOf(request).username, room, request.body.seq);
      return { room, seq };
    },
  );
}
