import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Queue, type QueueOptions } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { QUEUE_PREFIX, QueueName } from '@chitchat/contracts';
import { MetricName, gauge } from './metrics.ts';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';
import { tracingState } from './spans.ts';

/**
 * Options of every BullMQ queue and worker: the hash-tagged prefix (one Cluster slot per
 * queue), and, when tracing is on, BullMQ's OpenTelemetry spans (bullmq-otel), so a job
 * joins the trace of what enqueued it.
 */
export function queueOptions(connection: Redis): QueueOptions {
  return { connection, prefix: QUEUE_PREFIX, ...(tracingState.enabled ? { telemetry: new BullMQOtel({ tracerName: 'chitchat' }) } : {}) };
}

/**
 * The queues, for enqueuing and for reading their state (failed jobs, counts). Their
 * connection errors (Redis restarting) go to the log, not to stderr.
 */
export function openQueues(connection: Redis, log: Logger): Record<keyof typeof QueueName, Queue> {
  const options = queueOptions(connection);
  const queues = {
    webhooks: new Queue(QueueName.webhooks, options),
    mentions: new Queue(QueueName.mentions, options),
    housekeeping: new Queue(QueueName.housekeeping, options),
  };
  for (const queue of Object.values(queues)) queue.on('error', (err: Error) => log.warn({ err, queue: queue.name }, 'queue connection error'));
  return queues;
}

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** `chitchat_queue_jobs{queue,state}`: waiting, active, delayed and failed jobs, read at each scrape. */
export function queueMetrics(queues: Queue[]): void {
  gauge(
    MetricName.queueJobs,
    'BullMQ jobs per queue and state (waiting, active, delayed, failed)',
    async function collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }),
      );
    },
    ['queue', 'state'],
  );
}

/**
 * Why a webhook URL may not be called, or undefined if it may: http(s) only, and, unless
 * `allowPrivate`, no address on this host or a private network (the server must not be a
 * way into the network it runs in).
 */
export async function webhookUrlProblem(raw: string, allowPrivate: boolean): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `'${raw}' is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `a webhook URL must be http or https, not ${url.protocol}`;
  if (url.username || url.password) return 'a webhook URL must not carry credentials';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `'${url.hostname}' does not resolve`;
  }
  const blocked = addresses.find(isPrivateAddress);
  return blocked ? `'${url.hostname}' is a private or local address (${blocked})` : undefined;
}

function isPrivateAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || a >= 224;
  }
  const v6 = address.toLowerCase();
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}
