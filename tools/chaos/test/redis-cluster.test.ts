/**
 * On a local Redis Cluster (3 masters, each with a replica): a master killed under traffic
 * fails over to its replica and nothing accepted is lost, no client sees a gap; and many
 * gateways and workers share rooms spread over every master.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roomKeys } from '@chitchat/contracts';
import type { TestRedisCluster } from '@chitchat/testing';
import { assertConsistent, cluster, readers, traffic } from './helper.ts';

test('a master killed under traffic: its replica takes over, every accepted message is in history, clients resume without gaps', async (t) => {
  const c = await cluster(t, { gateways: 2, workers: 2, redisCluster: true });
  const redis = c.redis as TestRedisCluster;
  const rooms = ['fo-a', 'fo-b', 'fo-c', 'fo-d', 'fo-e', 'fo-f'];
  const masters = new Set(await Promise.all(rooms.map((room) => redis.masterOf(roomKeys.log(room)))));
  const clients = await readers(t, c, rooms, 4);
  // The master of the first room's slot dies a third of the way in.
  const victim = await redis.masterOf(roomKeys.log('fo-a'));
  const failover = async (): Promise<void> => {
    await redis.killNode(victim);
    await redis.untilHealthy();
  };
  const senders = await traffic(c, { rooms, senders: 3, perSender: 40, at: [40, failover] });
  assert.notEqual(await redis.masterOf(roomKeys.log('fo-a')), victim, 'a replica serves the slot now');
  assert.ok(masters.size >= 2, 'the rooms live on more than one master');
  await assertConsistent(c, senders, clients, rooms);
});

test('4 gateways and 3 workers on a cluster: rooms on every master, every client gets every message once, in order', async (t) => {
  const c = await cluster(t, { gateways: 4, workers: 3, redisCluster: true });
  const redis = c.redis as TestRedisCluster;
  const rooms = Array.from({ length: 12 }, (_, i) => `spread-${i}`);
  const masters = new Map<number, string[]>();
  for (const room of rooms) {
    const port = await redis.masterOf(roomKeys.log(room));
    masters.set(port, [...(masters.get(port) ?? []), room]);
  }
  assert.equal(masters.size, 3, `rooms on all three masters: ${JSON.stringify([...masters])}`);
  const clients = await readers(t, c, rooms, 8);
  const senders = await traffic(c, { rooms, senders: 4, perSender: 30 });
  await assertConsistent(c, senders, clients, rooms);
  const owned = await Promise.all(c.workers.map(async (w) => Number(/^chitchat_partitions_owned\S* (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${w?.port}/metrics`)).text())?.[1])));
  assert.equal(owned.reduce((a, b) => a + b, 0), 8, 'the 8 partitions are shared by the workers');
});
