import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, collectDefaultMetrics, register, type Metric } from 'prom-client';

/**
 * Every metric name ChitChat exports, defined once. All are in the process's default
 * registry, served on `/metrics` of each service.
 */
export const MetricName = {
  httpDuration: 'chitchat_http_request_duration_seconds',
  accepted: 'chitchat_messages_accepted_total',
  stored: 'chitchat_messages_stored_total',
  deadLettered: 'chitchat_messages_dead_lettered_total',
  delivered: 'chitchat_messages_delivered_total',
  deliveryLatency: 'chitchat_delivery_latency_seconds',
  connections: 'chitchat_ws_connections',
  subscriptions: 'chitchat_ws_subscriptions',
  partitionsOwned: 'chitchat_partitions_owned',
  partitionLag: 'chitchat_partition_lag',
  partitionPending: 'chitchat_partition_pending',
  redisReconnects: 'chitchat_redis_reconnects_total',
  queueJobs: 'chitchat_queue_jobs',
  webhookDeliveries: 'chitchat_webhook_deliveries_total',
} as const;

/** The existing metric of that name, or a new one: two apps in one process (tests) share them. */
function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export function counter(name: string, help: string, labelNames: string[] = []): Counter {
  return once(name, () => new Counter({ name, help, labelNames }));
}

export function gauge(name: string, help: string, collect?: (this: Gauge) => void | Promise<void>, labelNames: string[] = []): Gauge {
  return once(name, () => new Gauge({ name, help, labelNames, ...(collect ? { collect } : {}) }));
}

export function histogram(name: string, help: string, buckets: number[], labelNames: string[] = []): Histogram {
  return once(name, () => new Histogram({ name, help, buckets, labelNames }));
}

let defaults = false;

/** `/metrics` in Prometheus text format, plus request duration by route and status. */
export const metricsPlugin = fp<{ service: string }>(
  async (app: FastifyInstance, { service }) => {
    if (!defaults) {
      register.setDefaultLabels({ service });
      collectDefaultMetrics({ prefix: 'chitchat_' });
      defaults = true;
    }
    const duration = histogram(MetricName.httpDuration, 'HTTP requests by route and status', [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], ['method', 'route', 'status']);
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unknown';
      if (route === '/metrics') return;
      duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => reply.type(register.contentType).send(await register.metrics()));
  },
  { name: 'chitchat-metrics', fastify: '5.x' },
);
