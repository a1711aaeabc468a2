/**
 * Each delivery guarantee under a real fault: processes killed with SIGKILL, Redis
 * connections killed with CLIENT KILL, redis-server killed and restarted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertConsistent, cluster, holderOf, readers, traffic } from './helper.ts';

test('per-sender FIFO with three workers, one killed with SIGKILL mid-stream', async (t) => {
  const c = await cluster(t, { gateways: 1, workers: 3 });
  const rooms = ['fifo-a', 'fifo-b', 'fifo-c', 'fifo-d'];
  const clients = await readers(t, c, rooms, 2);
  let killed = -1;
  const senders = await traffic(c, {
    rooms,
    senders: 3,
    perSender: 60,
    at: [
      60,
      async () => {
        killed = await holderOf(c, 'fifo-a');
        await c.workers[killed]?.kill('SIGKILL');
      },
    ],
  });
  assert.ok(killed >= 0);
  assert.equal(c.workers[killed]?.child.signalCode, 'SIGKILL');
  await assertConsistent(c, senders, clients, rooms);
});

for (const failpoint of ['crash-after-commit', 'crash-before-commit'] as const) {
  test(`a worker killed ${failpoint === 'crash-after-commit' ? 'after its commit, before XACK' : 'before its commit'}: the next owner stores the message exactly once`, async (t) => {
    // One partition, so the first worker holds it and the second takes over when it dies.
    const c = await cluster(t, {
      gateways: 1,
      workers: 2,
      env: { INGEST_PARTITIONS: '1' },
      workerEnv: (i): Record<string, string> => (i === 0 ? { FAILPOINT: `${failpoint}:15` } : {}),
    });
    const rooms = [`crash-${failpoint}`];
    const clients = await readers(t, c, rooms, 1);
    const senders = await traffic(c, { rooms, senders: 2, perSender: 20 });
    await assertConsistent(c, senders, clients, rooms);
    assert.equal(c.workers[0]?.child.signalCode, 'SIGKILL', 'the failpoint fired');
  });
}

test('a gateway killed with SIGKILL: its clients resume on another and end with every message once, in order', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1 });
  const rooms = ['gw-a', 'gw-b'];
  const clients = await readers(t, c, rooms, 8);
  const senders = await traffic(c, { rooms, senders: 2, perSender: 50, at: [30, () => c.gateways[0]!.kill('SIGKILL')] });
  await assertConsistent(c, senders, clients, rooms);
  assert.ok(clients.some((cl) => cl.closeCodes.includes(1006)), 'some clients were on the killed gateway');
});

test("the gateways' pub/sub connections killed while messages flow: every client still gets everything", async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1 });
  const rooms = ['pubsub-a', 'pubsub-b'];
  const clients = await readers(t, c, rooms, 6);
  const kill = async () => {
    await c.onEveryServer('CLIENT', 'KILL', 'TYPE', 'pubsub');
  };
  const senders = await traffic(c, { rooms, senders: 3, perSender: 40, at: [40, kill] });
  await assertConsistent(c, senders, clients, rooms);
  assert.deepEqual(clients.flatMap((cl) => cl.closeCodes), [], 'clients never noticed');
});

test('Redis killed and restarted (AOF): requests meanwhile get 503, every accepted message is kept, clients resume without gaps', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 2 });
  const rooms = ['redis-a', 'redis-b'];
  const clients = await readers(t, c, rooms, 4);
  const token = await c.token('prober');
  let sawOutage!: () => void;
  const senderSawOutage = new Promise<void>((resolve) => (sawOutage = resolve));
  const outage = async (): Promise<void> => {
    await c.redis.crash?.();
    const write = await fetch(`${c.ingestUrl}/v1/rooms/redis-a/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'while down' }),
    });
    assert.equal(write.status, 503);
    assert.equal(((await write.json()) as { code: string }).code, 'unavailable');
    assert.ok(write.headers.get('retry-after'));
    const read = await fetch(`${c.historyUrl}/v1/rooms/redis-a/messages`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(read.status, 503);
    // Keep Redis down until the traffic has run into the outage, then bring it back.
    await senderSawOutage;
    await c.redis.restart?.();
  };
  const senders = await traffic(c, { rooms, senders: 2, perSender: 50, at: [30, outage], onFailure: (what) => what === 503 && sawOutage() });
  await assertConsistent(c, senders, clients, rooms);
  assert.ok(senders.some((s) => (s.failures.get(503) ?? 0) > 0), 'senders saw the outage and retried');
});

test('rolling restart: a gateway stopped with SIGTERM under steady traffic drains; its 20 clients resume elsewhere with nothing lost', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 1, env: { DRAIN_DELAY_MS: '300', CLOSE_SPREAD_MS: '500' } });
  const rooms = ['rolling-a', 'rolling-b'];
  const clients = await readers(t, c, rooms, 20);
  const restart = async (): Promise<void> => {
    await c.gateways[0]?.kill('SIGTERM');
    await c.startGateway(0);
  };
  const senders = await traffic(c, { rooms, senders: 2, perSender: 60, at: [30, restart] });
  await assertConsistent(c, senders, clients, rooms);
  assert.equal(c.gateways[0]?.child.exitCode, null, 'the restarted gateway runs');
  const moved = clients.filter((cl) => cl.closeCodes.includes(1001));
  assert.ok(moved.length > 0, 'clients of the stopped gateway were told to go (1001)');
});
