import { concurrently } from '../limits.ts';
import { Type } from 'typebox';
import { Bot, CreateBotBody, CreateWebhookBody, Problem, Retention, RetentionBody, RoomParams, Webhook, WebhookJobParams, WebhookParams, retentionOf, roomKeys, userKeys, usernameKey } from '@chitchat/contracts';
import { requireSession, sessionOf, type HttpApp, type Redis, type RoomAccess, type SessionStore } from '@chitchat/platform';
import type { RoomIntegrations } from '../integrations.ts';
import type { Limits } from '../limits.ts';

/**
 * What room admins set up: outgoing webhooks (and retrying a failed delivery), bots, and
 * retention limits. Reading them back is the history service's (GET).
 */
export async function integrationRoutes(
  app: HttpApp,
  deps: { sessions: SessionStore; limits: Limits; access: RoomAccess; integrations: RoomIntegrations; redis: Redis; retentionDefaults: Retention },
): Promise<void> {
  const { access, integrations } = deps;
  const guarded = { onRequest: concurrently(deps.limits.perIp, requireSession(deps.sessions)), preHandler: deps.limits.perUser };
  const security = [{ bearer: [] }];
  const tags = ['integrations'];
  const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem };

  app.post(
    '/v1/rooms/:room/webhooks',
    { ...guarded, schema: { tags, summary: 'Register a webhook (admins); the answer holds its signing secret, shown once', security, params: RoomParams, body: CreateWebhookBody, response: { 201: Webhook, ...errors } } },
    async (request, reply) => {
      const { username } = sessionOf(request);
      await access.moderate(request.params.room, username);
      return reply.status(201).send(await integrations.createWebhook(request.params.room, request.body.url, username));
    },
  );

  app.patch(
    '/v1/rooms/:room/webhooks/:id',
    {
      ...guarded,
      schema: { tags, summary: 'Turn a webhook on (again) or off (admins)', security, params: WebhookParams, body: Type.Object({ active: Type.Boolean() }), response: { 200: Webhook, ...errors } },
    },
    async (request) => {
      await access.moderate(request.params.room, sessionOf(request).username);
      return integrations.setActive(request.params.room, request.params.id, request.body.active);
    },
  );

  app.delete(
    '/v1/rooms/:room/webhooks/:id',
    { ...guarded, schema: { tags, summary: 'Delete a webhook (admins)', security, params: WebhookParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await access.moderate(request.params.room, sessionOf(request).username);
      await integrations.deleteWebhook(request.params.room, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/rooms/:room/webhooks/:id/failures/:jobId/retry',
    { ...guarded, schema: { tags, summary: 'Try a failed delivery again (admins)', security, params: WebhookJobParams, response: { 202: Type.Null(), ...errors } } },
    async (request, reply) => {
      await access.moderate(request.params.room, sessionOf(request).username);
      await integrations.retryFailure(request.params.room, request.params.id, request.params.jobId);
      return reply.status(202).send(null);
    },
  );

  app.post(
    '/v1/rooms/:room/bots',
    { ...guarded, schema: { tags, summary: 'Create a bot of the room (admins); the answer holds its token, shown once', security, params: RoomParams, body: CreateBotBody, response: { 201: Bot, ...errors } } },
    async (request, reply) => {
      const { username } = sessionOf(request);
      await access.moderate(request.params.room, username);
      return reply.status(201).send(await integrations.createBot(request.params.room, request.body.name, username));
    },
  );

  app.delete(
    '/v1/rooms/:room/bots/:id',
    { ...guarded, schema: { tags, summary: "Delete a bot (admins); its token stops working", security, params: WebhookParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await access.moderate(request.params.room, sessionOf(request).username);
      await integrations.deleteBot(request.params.room, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/v1/rooms/:room/retention',
    { ...guarded, schema: { tags, summary: "Set the room's retention limits (admins); the housekeeping job applies them", security, params: RoomParams, body: RetentionBody, response: { 200: Retention, ...errors } } },
    async (request) => {
      const { room } = request.params;
      await access.moderate(room, sessionOf(request).username);
      await integrations.setRetention(room, request.body);
      return retentionOf(await deps.redis.hgetall(roomKeys.retention(room)), deps.retentionDefaults);
    },
  );

  app.delete(
    '/v1/notifications',
    { ...guarded, schema: { tags: ['notifications'], summary: 'Empty your notification inbox', security, response: { 204: Type.Null(), 401: Problem } } },
    async (request, reply) => {
      await deps.redis.del(userKeys.inbox(usernameKey(sessionOf(request).username)));
      return reply.status(204).send(null);
    },
  );
}
