/** /metrics of each service counts what happened, checked against a known run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readers, cluster, traffic } from './helper.ts';

async function scrape(port: number | undefined): Promise<(name: string) => number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return (name) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    assert.ok(line, `${name} is exported`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
}

test('after N messages the counters say N and the delivery-latency histogram has N samples', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 1 });
  const [reader] = await readers(t, c, ['metered'], 1);
  const senders = await traffic(c, { rooms: ['metered'], senders: 1, perSender: 25 });
  assert.equal(senders[0]?.accepted.length, 25);
  await reader?.until('metered', 25);
  const ingest = await scrape(c.ingest.port);
  const persistence = await scrape(c.workers[0]?.port);
  const gateway = await scrape(c.gateways[0]?.port);
  assert.equal(ingest('chitchat_messages_accepted_total'), 25);
  assert.equal(persistence('chitchat_messages_stored_total'), 25);
  assert.equal(persistence('chitchat_partitions_owned'), 8);
  assert.equal(persistence('chitchat_partition_lag'), 0, 'nothing waits to be read');
  assert.equal(persistence('chitchat_partition_pending'), 0, 'nothing waits to be acknowledged');
  assert.equal(gateway('chitchat_messages_delivered_total'), 25);
  assert.equal(gateway('chitchat_delivery_latency_seconds_count'), 25);
  assert.ok(gateway('chitchat_delivery_latency_seconds_sum') > 0);
  assert.equal(gateway('chitchat_ws_connections'), 1);
  assert.equal(gateway('chitchat_ws_subscriptions'), 1);
  assert.ok(ingest('chitchat_http_request_duration_seconds_count') >= 25, 'requests are timed');
});
