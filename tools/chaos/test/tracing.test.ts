/**
 * One POST gives one trace across processes: the ingest request, the commit in persistence,
 * and one delivery span on each gateway, each the child of the one before. Spans reach a
 * stand-in OTLP collector, as they would reach Jaeger or an OpenTelemetry collector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { ChatClient, defer, startOtlpReceiver, type ReceivedSpan } from '@chitchat/testing';
import { cluster } from './helper.ts';

test('one POST is one trace: ingest request → persistence commit → a delivery span per gateway, and its webhook job; logs carry its trace id', async (t) => {
  const otlp = await startOtlpReceiver();
  defer(() => otlp.close(), t);
  const c = await cluster(t, {
    gateways: 2,
    workers: 1,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50', ADMIN_USERS: 'tracer-admin', WEBHOOK_ALLOW_PRIVATE: 'true' },
  });
  const ingestLog: Record<string, unknown>[] = [];
  createInterface({ input: c.ingest.child.stdout! }).on('line', (line) => ingestLog.push(JSON.parse(line) as Record<string, unknown>));

  // A reader on each gateway, so that both deliver the message.
  const readers = await Promise.all(
    [0, 1].map(async (i) => new ChatClient({ urls: () => [c.gatewayUrls()[i] as string], token: await c.token(`tracer-${i}`), rooms: ['traced'] }).start()),
  );
  defer(() => readers.forEach((r) => r.stop()), t);
  // A webhook on the room: its delivery job (BullMQ) joins the message's trace too.
  const hook = createServer((_req, res) => res.writeHead(200).end());
  hook.listen(0, '127.0.0.1');
  await once(hook, 'listening');
  defer(() => new Promise<void>((resolve) => hook.close(() => resolve())), t);
  const registered = await fetch(`${c.ingestUrl}/v1/rooms/traced/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await c.token('tracer-admin')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` }),
  });
  assert.equal(registered.status, 201);
  const secret = 'a text that must never be in a span';
  const res = await fetch(`${c.ingestUrl}/v1/rooms/traced/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await c.token('tracer-sender')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: secret }),
  });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  await Promise.all(readers.map((r) => r.until('traced', 1)));

  // Each process exports on its own schedule: wait until the whole trace has arrived.
  const storeOf = (all: readonly ReceivedSpan[]) => all.find((s) => s.name === 'chat.store' && s.attributes['chitchat.message_id'] === id);
  const spans = await otlp.waitFor((all) => {
    const store = storeOf(all);
    const trace = all.filter((s) => s.traceId === store?.traceId);
    return (
      trace.filter((s) => s.name === 'chat.deliver').length >= 2 &&
      trace.some((s) => s.parentSpanId === undefined) &&
      trace.some((s) => s.name === 'process webhooks')
    );
  });
  const store = storeOf(spans);
  assert.ok(store, 'persistence made a chat.store span for the message');
  const trace = spans.filter((s) => s.traceId === store.traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const parentOf = (s: ReceivedSpan): ReceivedSpan | undefined => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);

  // The root is ingest's request span; the commit is under it.
  const root = trace.filter((s) => s.parentSpanId === undefined);
  assert.equal(root.length, 1, 'one root span');
  assert.equal(root[0]?.service, 'chitchat-ingest');
  assert.match(root[0]?.name ?? '', /POST/);
  assert.equal(store.service, 'chitchat-persistence');
  assert.equal(parentOf(store)?.service, 'chitchat-ingest', 'the commit is a child of the ingest request');

  // One delivery span per gateway (not per socket), each a child of the commit.
  const deliveries = trace.filter((s) => s.name === 'chat.deliver');
  assert.equal(deliveries.length, 2);
  assert.equal(new Set(deliveries.map((s) => s.instance)).size, 2, 'one from each gateway');
  for (const d of deliveries) {
    assert.equal(d.service, 'chitchat-gateway');
    assert.equal(d.parentSpanId, store.spanId);
    assert.equal(d.attributes['chitchat.recipients'], 1);
    assert.equal(d.attributes['chitchat.seq'], 1);
  }

  // A WebSocket connection is not a span: what a gateway sends for its sockets is not
  // parented to an upgrade request that never ends (and so is never exported).
  const known = new Set(otlp.spans.map((s) => s.spanId));
  const orphans = otlp.spans.filter((s) => s.service === 'chitchat-gateway' && s.parentSpanId && !known.has(s.parentSpanId));
  assert.deepEqual(orphans.map((s) => s.name), [], 'no gateway span hangs off a span never exported');

  // The webhook job (bullmq-otel): enqueued and processed in the message's trace.
  const jobs = trace.filter((s) => s.service === 'chitchat-persistence' && /webhooks$/.test(s.name)).map((s) => s.name);
  assert.ok(jobs.includes('addBulk webhooks') && jobs.includes('process webhooks'), `webhook job spans in the trace: ${jobs.join(', ')}`);

  // Redis commands are spans too: the append in ingest, the commit script in persistence.
  assert.ok(trace.some((s) => s.service === 'chitchat-ingest' && /xadd/i.test(s.name)), 'ingest XADD is traced');
  assert.ok(trace.some((s) => s.service === 'chitchat-persistence' && s.parentSpanId === store.spanId && /evalsha/i.test(s.name)), 'the commit script is traced');
  assert.ok(!JSON.stringify(otlp.spans).includes(secret), 'no span holds a message text');

  // The request's log line carries the trace id of its span.
  const line = ingestLog.find((l) => l.msg === 'request completed' && (l.req as { url?: string } | undefined)?.url === '/v1/rooms/traced/messages');
  assert.ok(line, `ingest logged the request: ${JSON.stringify(ingestLog)}`);
  assert.equal(line.trace_id, store.traceId);
  assert.equal(ingestLog.filter((l) => l.reqId === line.reqId).length, 1, 'one line per request');
});
