import { roomKeys, usernameKey, type IngestEntry } from '@chitchat/contracts';
import type { Redis } from '@chitchat/platform';
import type { Queue } from 'bullmq';

/** A room's outgoing webhook, as stored in its webhooks hash. */
export interface StoredWebhook {
  id: string;
  url: string;
  secret: string;
  active: boolean;
  createdBy: string;
  createdAt: number;
}

/** What a webhook delivery job carries: the message, and which webhook to send it to. */
export interface WebhookJob {
  room: string;
  webhookId: string;
  message: { id: string; room: string; seq: number; user: string; text: string; ts: number; replyTo?: number; bot?: true };
}

export interface MentionJob {
  room: string;
  seq: number;
  messageId: string;
  user: string;
  text: string;
  /** Who was mentioned (username key). */
  mentioned: string;
}

/**
 * What follows a stored message outside its commit: a delivery job per active webhook of
 * the room, and a delayed check per mentioned user. Job ids are derived from the webhook
 * (or user) and the message, so a redelivered stream entry cannot enqueue anything twice.
 */
export class Integrations {
  readonly #redis: Redis;
  readonly #webhooks: Queue<WebhookJob>;
  readonly #mentions: Queue<MentionJob>;
  readonly #o: { attempts: number; backoffMs: number; mentionDelayMs: number };
  /** Webhooks per room, read at most every CACHE_MS (a new webhook applies within that). */
  readonly #cache = new Map<string, { at: number; hooks: Promise<StoredWebhook[]> }>();

  constructor(redis: Redis, queues: { webhooks: Queue<WebhookJob>; mentions: Queue<MentionJob> }, options: { attempts: number; backoffMs: number; mentionDelayMs: number }) {
    this.#redis = redis;
    this.#webhooks = queues.webhooks;
    this.#mentions = queues.mentions;
    this.#o = options;
  }

  async afterCommit(entry: IngestEntry, seq: number, ts: number): Promise<void> {
    if (entry.kind !== undefined) return;
    const hooks = (await this.#hooksOf(entry.room)).filter((h) => h.active);
    const message: WebhookJob['message'] = { id: entry.id, room: entry.room, seq, user: entry.user, text: entry.text ?? '', ts };
    if (entry.replyTo !== undefined) message.replyTo = Number(entry.replyTo);
    if (entry.bot === '1') message.bot = true;
    const jobs = [];
    if (hooks.length > 0) {
      await this.#webhooks.addBulk(
        hooks.map((hook) => ({
          name: 'deliver',
          data: { room: entry.room, webhookId: hook.id, message },
          opts: {
            jobId: `${hook.id}.${entry.id}`,
            attempts: this.#o.attempts,
            backoff: { type: 'exponential', delay: this.#o.backoffMs, jitter: 0.5 },
            // Kept a day, so a redelivered entry still finds (and skips) its job id.
            removeOnComplete: { age: 86_400 },
            removeOnFail: { count: 10_000 },
          },
        })),
      );
    }
    for (const name of entry.mentions?.split(',') ?? []) {
      const mentioned = usernameKey(name);
      jobs.push(
        this.#mentions.add(
          'check',
          { room: entry.room, seq, messageId: entry.id, user: entry.user, text: entry.text ?? '', mentioned },
          { jobId: `${entry.room}.${seq}.${mentioned}`, delay: this.#o.mentionDelayMs, removeOnComplete: true, removeOnFail: { count: 1000 } },
        ),
      );
    }
    await Promise.all(jobs);
  }

  #hooksOf(room: string): Promise<StoredWebhook[]> {
    const cached = this.#cache.get(room);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.hooks;
    const hooks = this.#redis.hvals(roomKeys.webhooks(room)).then((values) => values.map((v) => JSON.parse(v) as StoredWebhook));
    this.#cache.set(room, { at: Date.now(), hooks });
    hooks.catch(() => this.#cache.delete(room));
    return hooks;
  }
}

const CACHE_MS = 2000;
