import { createHmac } from 'node:crypto';
import { roomKeys, userKeys, type Notification } from '@chitchat/contracts';
import { MetricName, counter, webhookUrlProblem, type Logger, type Redis } from '@chitchat/platform';
import type { Job } from 'bullmq';
import type { StoredWebhook, WebhookJob } from './integrations.ts';

const deliveries = counter(MetricName.webhookDeliveries, 'Webhook POSTs by outcome (ok, failed, skipped)', ['outcome']);
// Exported at 0 from the start, so a rate over it has a series before the first delivery.
for (const outcome of ['ok', 'failed', 'skipped']) deliveries.inc({ outcome }, 0);

/** Signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (as Stripe signs). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookDeliveryOptions {
  redis: Redis;
  log: Logger;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Failed jobs in a row after which a webhook is disabled. */
  disableAfter: number;
}

/**
 * Delivers one stored message to one webhook: a POST of JSON with a signature and a
 * timestamp, answered 2xx within the timeout, or the job fails and BullMQ retries it with
 * exponential backoff and jitter. A webhook deleted or disabled meanwhile is skipped.
 */
export function webhookProcessor({ redis, log, timeoutMs, allowPrivate }: WebhookDeliveryOptions) {
  return async (job: Job<WebhookJob>): Promise<string> => {
    const { room, webhookId, message } = job.data;
    const raw = await redis.hget(roomKeys.webhooks(room), webhookId);
    const hook = raw ? (JSON.parse(raw) as StoredWebhook) : undefined;
    if (!hook?.active) {
      deliveries.inc({ outcome: 'skipped' });
      return 'skipped: webhook deleted or disabled';
    }
    // Checked again at each try: a name may resolve elsewhere than when it was registered.
    const problem = await webhookUrlProblem(hook.url, allowPrivate);
    if (problem) throw new Error(problem);
    const body = JSON.stringify({ type: 'message', room, webhookId, message });
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ChitChat-Webhook/1',
          'x-chitchat-signature': signWebhook(hook.secret, timestamp, body),
          'x-chitchat-delivery': String(job.id),
          'x-chitchat-attempt': String(job.attemptsMade + 1),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      deliveries.inc({ outcome: 'failed' });
      throw new Error(`POST ${hook.url} failed: ${(err as Error).message}`, { cause: err });
    }
    if (status < 200 || status >= 300) {
      deliveries.inc({ outcome: 'failed' });
      throw new Error(`POST ${hook.url} answered ${status}`);
    }
    deliveries.inc({ outcome: 'ok' });
    log.debug({ room, webhookId, job: job.id, status }, 'webhook delivered');
    return `delivered: ${status}`;
  };
}

/**
 * After a job's last try fails: counts the webhook's failures in a row; at `disableAfter`
 * it is disabled, and whoever created it finds a notice in their inbox (and on every open
 * connection). A delivery that succeeds resets the count.
 */
export async function onWebhookOutcome({ redis, log, disableAfter }: WebhookDeliveryOptions, job: Job<WebhookJob>, failedFinally: boolean): Promise<void> {
  const { room, webhookId } = job.data;
  const counts = `${roomKeys.webhooks(room)}:failing`;
  if (!failedFinally) {
    await redis.hdel(counts, webhookId);
    return;
  }
  const failing = await redis.hincrby(counts, webhookId, 1);
  if (failing < disableAfter) return;
  const raw = await redis.hget(roomKeys.webhooks(room), webhookId);
  if (!raw) return;
  const hook = JSON.parse(raw) as StoredWebhook;
  if (!hook.active) return;
  await redis.hset(roomKeys.webhooks(room), webhookId, JSON.stringify({ ...hook, active: false }));
  log.warn({ room, webhookId, url: hook.url, failing }, 'webhook disabled after failing again and again');
  const notice: Notification = { type: 'webhook_disabled', room, webhookId, url: hook.url, at: Date.now() };
  const raw2 = JSON.stringify(notice);
  await redis.multi().lpush(userKeys.inbox(hook.createdBy), raw2).ltrim(userKeys.inbox(hook.createdBy), 0, INBOX_MAX - 1).exec();
  await redis.spublish(userKeys.events(hook.createdBy), JSON.stringify({ type: 'notification', notification: notice }));
}

export const INBOX_MAX = 200;
