import { QueueName } from '@chitchat/contracts';
import { closeRedis, connectRedis, createRedis, openQueues, queueMetrics, queueOptions, type Logger, type Redis } from '@chitchat/platform';
import { Worker, type Job, type Queue } from 'bullmq';
import type { PersistenceConfig } from '../config.ts';
import { Housekeeping } from './housekeeping.ts';
import { Integrations, type MentionJob, type WebhookJob } from './integrations.ts';
import { mentionProcessor } from './mentions.ts';
import { onWebhookOutcome, webhookProcessor, type WebhookDeliveryOptions } from './webhooks.ts';

/**
 * The BullMQ side of a persistence worker: the queues it enqueues to after each commit, and
 * workers for webhook deliveries, delayed mention checks and the repeatable housekeeping.
 * Every persistence process runs them; BullMQ hands each job to one of them, and a job
 * whose worker died (its lock expired) is run again by another.
 */
export class JobRunner {
  readonly integrations: Integrations;
  readonly housekeeping: Housekeeping;
  readonly #queues: Record<keyof typeof QueueName, Queue>;
  readonly #workers: Worker[] = [];
  readonly #connection: Redis;
  readonly #config: PersistenceConfig;
  readonly #log: Logger;

  private constructor(config: PersistenceConfig, connection: Redis, commands: Redis, log: Logger) {
    this.#config = config;
    this.#connection = connection;
    this.#log = log;
    this.#queues = openQueues(connection, log);
    this.integrations = new Integrations(commands, this.#queues as { webhooks: Queue<WebhookJob>; mentions: Queue<MentionJob> }, {
      attempts: config.WEBHOOK_ATTEMPTS,
      backoffMs: config.WEBHOOK_BACKOFF_MS,
      mentionDelayMs: config.MENTION_NOTIFY_DELAY_MS,
    });
    this.housekeeping = new Housekeeping(commands, { maxMessages: config.RETENTION_MAX_MESSAGES, maxAgeSeconds: config.RETENTION_MAX_AGE_SECONDS }, log);
    queueMetrics(Object.values(this.#queues));
  }

  /** `commands`: the worker's connection for plain commands; BullMQ gets its own. */
  static async start(config: PersistenceConfig, commands: Redis, log: Logger): Promise<JobRunner> {
    const connection = await connectRedis(createRedis({ url: config.REDIS_URL, name: 'persistence-jobs', role: 'worker', log }));
    const runner = new JobRunner(config, connection, commands, log.child({ module: 'jobs' }));
    await runner.#start(commands);
    return runner;
  }

  async #start(commands: Redis): Promise<void> {
    const config = this.#config;
    const log = this.#log;
    const webhookOptions: WebhookDeliveryOptions = {
      redis: commands,
      log,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      disableAfter: config.WEBHOOK_DISABLE_AFTER,
    };
    // A job whose worker stops renewing its lock (killed) is taken over after the lock expires.
    const workerOptions = { ...queueOptions(this.#connection), lockDuration: config.JOB_LOCK_MS, stalledInterval: config.JOB_LOCK_MS };
    const webhooks = new Worker<WebhookJob>(QueueName.webhooks, webhookProcessor(webhookOptions), { ...workerOptions, concurrency: config.WEBHOOK_CONCURRENCY });
    webhooks.on('completed', (job) => void onWebhookOutcome(webhookOptions, job, false).catch((err: unknown) => log.warn({ err }, 'webhook bookkeeping failed')));
    webhooks.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      log.warn({ room: job.data.room, webhookId: job.data.webhookId, job: job.id, attempt: job.attemptsMade, final, error: err.message }, 'webhook delivery failed');
      if (final) void onWebhookOutcome(webhookOptions, job, true).catch((e: unknown) => log.warn({ err: e }, 'webhook bookkeeping failed'));
    });
    const mentions = new Worker<MentionJob>(QueueName.mentions, mentionProcessor(commands), workerOptions);
    const housekeeping = new Worker(QueueName.housekeeping, (job: Job) => (job.name === 'housekeeping' ? this.housekeeping.run() : Promise.resolve(null)), workerOptions);
    for (const worker of [webhooks, mentions, housekeeping]) {
      worker.on('error', (err) => log.warn({ err, queue: worker.name }, 'queue worker error'));
      this.#workers.push(worker);
    }
    // Every worker declares the same schedule; BullMQ keeps one.
    await this.#queues.housekeeping.upsertJobScheduler('housekeeping', { every: config.HOUSEKEEPING_EVERY_MS }, { name: 'housekeeping', opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
    await Promise.all(Object.values(this.#queues).map((q) => q.close()));
    await closeRedis(this.#connection);
  }
}
