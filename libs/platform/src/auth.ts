import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';
import { bearerToken, type Session, type SessionStore } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

/** An `onRequest` hook that admits only requests with a valid bearer token and sets `request.session`. */
export function requireSession(sessions: SessionStore) {
  return async (request: FastifyRequest): Promise<void> => {
    const session = await sessions.verify(bearerToken(request.headers.authorization));
    if (!session) throw new ApiError('unauthorized', 'a valid session token is required (Authorization: Bearer <token>)');
    request.session = session;
  };
}

/** The session of a request that passed `requireSession`. */
export function sessionOf(request: FastifyRequest): Session {
  if (!request.session) throw new ApiError('unauthorized', 'no session');
  return request.session;
}
