import { concurrently } from '../limits.ts';
import { Type } from 'typebox';
import type { Limits } from '../limits.ts';
import { CreateSessionBody, Problem, SessionCreated } from '@chitchat/contracts';
import { ApiError, UsernameTakenError, requireSession, sessionOf, type HttpApp, type SessionStore } from '@chitchat/platform';

/** `POST /v1/sessions` claims a username; `DELETE /v1/sessions/current` gives it back. */
export async function sessionRoutes(app: HttpApp, { sessions, limits }: { sessions: SessionStore; limits: Limits }): Promise<void> {
  app.post(
    '/v1/sessions',
    {
      config: { invalidCode: 'invalidUsername' },
      onRequest: limits.perIp,
      schema: {
        tags: ['sessions'],
        summary: 'Claim a username and get a session token',
        body: CreateSessionBody,
        response: { 201: SessionCreated, 400: Problem, 409: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      try {
        const created = await sessions.create(request.body.username);
        return reply.status(201).send({ ...created, expiresAt: created.expiresAt.toISOString() });
      } catch (err) {
        if (err instanceof UsernameTakenError) throw new ApiError('usernameTaken', err.message);
        throw err;
      }
    },
  );

  app.delete(
    '/v1/sessions/current',
    {
      onRequest: concurrently(limits.perIp, requireSession(sessions)),
      schema: { tags: ['sessions'], summary: 'End the session; the name is free at once', security: [{ bearer: [] }], response: { 204: Type.Null(), 401: Problem } },
    },
    async (request, reply) => {
      await sessions.revoke(sessionOf(request));
      return reply.status(204).send(null);
    },
  );
}
