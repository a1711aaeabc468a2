import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { QueueName, roomKeys, usernameKey, type Bot, type Retention, type Webhook } from '@chitchat/contracts';
import { ApiError, webhookUrlProblem, type Redis } from '@chitchat/platform';
import type { Queue } from 'bullmq';

interface StoredBot {
  id: string;
  name: string;
  tokenHash: string;
  createdBy: string;
  createdAt: number;
}

/** A bot's token: `cbot.<room>.<bot id>.<secret>`; the room says where its record lives. */
const BOT_TOKEN = /^cbot\.([a-z0-9_-]{1,64})\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export function isBotToken(token: string | undefined): boolean {
  return token?.startsWith('cbot.') ?? false;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Webhooks, bots and retention limits of rooms: what room admins set up. */
export class RoomIntegrations {
  readonly #redis: Redis;
  readonly #allowPrivate: boolean;
  readonly #webhookQueue: Queue;

  constructor(redis: Redis, options: { allowPrivateWebhooks: boolean; webhookQueue: Queue }) {
    this.#redis = redis;
    this.#allowPrivate = options.allowPrivateWebhooks;
    this.#webhookQueue = options.webhookQueue;
  }

  async createWebhook(room: string, url: string, createdBy: string): Promise<Webhook> {
    const problem = await webhookUrlProblem(url, this.#allowPrivate);
    if (problem) throw new ApiError('invalidRequest', problem);
    const hook = { id: randomUUID(), url, secret: randomBytes(32).toString('base64url'), active: true, createdBy: usernameKey(createdBy), createdAt: Date.now() };
    await this.#redis.hset(roomKeys.webhooks(room), hook.id, JSON.stringify(hook));
    return { id: hook.id, room, url, active: true, createdAt: hook.createdAt, secret: hook.secret };
  }

  async deleteWebhook(room: string, id: string): Promise<void> {
    if ((await this.#redis.hdel(roomKeys.webhooks(room), id)) === 0) throw new ApiError('notFound', `no webhook '${id}' in '${room}'`);
  }

  /** Turns a webhook on (again, after it was disabled) or off; on resets its failure count. */
  async setActive(room: string, id: string, active: boolean): Promise<Webhook> {
    const raw = await this.#redis.hget(roomKeys.webhooks(room), id);
    if (!raw) throw new ApiError('notFound', `no webhook '${id}' in '${room}'`);
    const hook = { ...(JSON.parse(raw) as { id: string; url: string; createdAt: number }), active };
    await this.#redis.multi().hset(roomKeys.webhooks(room), id, JSON.stringify(hook)).hdel(`${roomKeys.webhooks(room)}:failing`, id).exec();
    return { id, room, url: hook.url, active, createdAt: hook.createdAt };
  }

  /** Retries a failed delivery of the webhook (its job, kept as failed after the last try). */
  async retryFailure(room: string, webhookId: string, jobId: string): Promise<void> {
    const job = await this.#webhookQueue.getJob(jobId);
    const data = job?.data as { room?: string; webhookId?: string } | undefined;
    if (!job || data?.room !== room || data.webhookId !== webhookId) throw new ApiError('notFound', `no failed delivery '${jobId}' of webhook '${webhookId}'`);
    if (!(await job.isFailed())) throw new ApiError('invalidRequest', `delivery '${jobId}' has not failed (it is ${await job.getState()})`);
    await job.retry('failed');
  }

  async createBot(room: string, name: string, createdBy: string): Promise<Bot> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const bot: StoredBot = { id, name, tokenHash: sha256(secret).toString('hex'), createdBy: usernameKey(createdBy), createdAt: Date.now() };
    await this.#redis.hset(roomKeys.bots(room), id, JSON.stringify(bot));
    return { id, room, name, createdAt: bot.createdAt, token: `cbot.${room}.${id}.${secret}` };
  }

  async deleteBot(room: string, id: string): Promise<void> {
    if ((await this.#redis.hdel(roomKeys.bots(room), id)) === 0) throw new ApiError('notFound', `no bot '${id}' in '${room}'`);
  }

  /** The bot a token belongs to, and its room; null if the token is not a live bot's. */
  async verifyBot(token: string): Promise<{ room: string; id: string; name: string } | null> {
    const match = BOT_TOKEN.exec(token);
    if (!match) return null;
    const [, room, id, secret] = match as unknown as [string, string, string, string];
    const raw = await this.#redis.hget(roomKeys.bots(room), id);
    if (!raw) return null;
    const bot = JSON.parse(raw) as StoredBot;
    const ok = timingSafeEqual(Buffer.from(bot.tokenHash, 'hex'), sha256(secret));
    return ok ? { room, id, name: bot.name } : null;
  }

  async setRetention(room: string, limits: Partial<Retention>): Promise<void> {
    const fields = Object.entries(limits).filter(([, v]) => v !== undefined).flatMap(([k, v]) => [k, String(v)]);
    if (fields.length === 0) throw new ApiError('invalidRequest', 'give maxMessages and/or maxAgeSeconds');
    await this.#redis.hset(roomKeys.retention(room), ...fields);
  }
}

export { QueueName };
