import { MessageAccepted, Problem, RoomParams, SendMessageBody, textProblem } from '@chitchat/contracts';
import { ApiError, requireSession, sessionOf, type HttpApp, type SessionStore } from '@chitchat/platform';
import type { MessageAcceptor } from '../accept.ts';

/** `POST /v1/rooms/{room}/messages`: accept a message for the room's ordered log. */
export async function messageRoutes(app: HttpApp, deps: { sessions: SessionStore; acceptor: MessageAcceptor }): Promise<void> {
  app.post(
    '/v1/rooms/:room/messages',
    {
      onRequest: requireSession(deps.sessions),
      config: { invalidCode: 'invalidMessage' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message; 202 means it is kept and will be delivered in order',
        security: [{ bearer: [] }],
        params: RoomParams,
        body: SendMessageBody,
        response: { 202: MessageAccepted, 400: Problem, 401: Problem, 404: Problem, 413: Problem },
      },
    },
    async (request, reply) => {
      const { room } = request.params;
      const { text, clientMsgId } = request.body;
      const why = textProblem(text);
      if (why) throw new ApiError('invalidMessage', why);
      const { username } = sessionOf(request);
      const { id } = await deps.acceptor.accept({ room, user: username, text, clientMsgId });
      return reply.status(202).send(clientMsgId === undefined ? { id, room } : { id, room, clientMsgId });
    },
  );
}
