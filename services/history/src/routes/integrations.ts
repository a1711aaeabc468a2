import { BotList, Notifications, Problem, Retention, RoomParams, WebhookFailures, WebhookList, WebhookParams, retentionOf, roomKeys, userKeys, usernameKey, type Notification } from '@chitchat/contracts';
import { sessionOf, type HttpApp, type Redis, type RoomAccess } from '@chitchat/platform';
import type { Queue } from 'bullmq';

/** Reading back what room admins set up, the failed webhook deliveries, and your inbox. */
export async function integrationRoutes(app: HttpApp, deps: { access: RoomAccess; redis: Redis; webhookQueue: Queue; retentionDefaults: Retention }): Promise<void> {
  const { access, redis } = deps;
  const security = [{ bearer: [] }];
  const tags = ['integrations'];

  app.get(
    '/v1/rooms/:room/webhooks',
    { schema: { tags, summary: "The room's webhooks (admins; secrets are not shown again)", security, params: RoomParams, response: { 200: WebhookList, 401: Problem, 403: Problem, 404: Problem } } },
    async (request) => {
      const { room } = request.params;
      await access.moderate(room, sessionOf(request).username);
      const hooks = (await redis.hvals(roomKeys.webhooks(room))).map((raw) => JSON.parse(raw) as { id: string; url: string; active: boolean; createdAt: number });
      return { webhooks: hooks.sort((a, b) => a.createdAt - b.createdAt).map(({ id, url, active, createdAt }) => ({ id, room, url, active, createdAt })) };
    },
  );

  app.get(
    '/v1/rooms/:room/webhooks/:id/failures',
    { schema: { tags, summary: 'Deliveries of the webhook that failed every try (admins), newest first', security, params: WebhookParams, response: { 200: WebhookFailures, 401: Problem, 403: Problem, 404: Problem } } },
    async (request) => {
      const { room, id } = request.params;
      await access.moderate(room, sessionOf(request).username);
      // Job ids are `<webhook id>.<message id>`; BullMQ keeps failed jobs (newest first).
      const failed = await deps.webhookQueue.getFailed(0, 999);
      const failures = failed
        .filter((job) => (job.data as { room?: string }).room === room && (job.data as { webhookId?: string }).webhookId === id)
        .map((job) => {
          const message = (job.data as { message: { id: string; seq: number } }).message;
          return { jobId: String(job.id), messageId: message.id, seq: message.seq, attempts: job.attemptsMade, error: job.failedReason, failedAt: job.finishedOn ?? job.timestamp };
        });
      return { failures };
    },
  );

  app.get(
    '/v1/rooms/:room/bots',
    { schema: { tags, summary: "The room's bots (admins; tokens are not shown again)", security, params: RoomParams, response: { 200: BotList, 401: Problem, 403: Problem, 404: Problem } } },
    async (request) => {
      const { room } = request.params;
      await access.moderate(room, sessionOf(request).username);
      const bots = (await redis.hvals(roomKeys.bots(room))).map((raw) => JSON.parse(raw) as { id: string; name: string; createdAt: number });
      return { bots: bots.sort((a, b) => a.createdAt - b.createdAt).map(({ id, name, createdAt }) => ({ id, room, name, createdAt })) };
    },
  );

  app.get(
    '/v1/rooms/:room/retention',
    { schema: { tags, summary: "The room's retention limits (its own, or the defaults)", security, params: RoomParams, response: { 200: Retention, 401: Problem, 404: Problem } } },
    async (request) => {
      const { room } = request.params;
      await access.see(room, sessionOf(request).username);
      return retentionOf(await redis.hgetall(roomKeys.retention(room)), deps.retentionDefaults);
    },
  );

  app.get(
    '/v1/notifications',
    { schema: { tags: ['notifications'], summary: 'Your inbox: mentions left unread, disabled webhooks; newest first', security, response: { 200: Notifications, 401: Problem } } },
    async (request) => {
      const raw = await redis.lrange(userKeys.inbox(usernameKey(sessionOf(request).username)), 0, 199);
      return { notifications: raw.map((n) => JSON.parse(n) as Notification) };
    },
  );
}
