import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { partitionKeys, partitionOf } from '@chitchat/contracts';
import { ChatClient, Sender, defer } from '@chitchat/testing';
import { Cluster, type ClusterOptions } from '../src/cluster.ts';

let users = 0;
/** A username not used before in this run. */
const fresh = (prefix: string): string => `${prefix}-${++users}`;

/** A cluster for one test, stopped after it. */
export async function cluster(t: TestContext, options: ClusterOptions): Promise<Cluster> {
  const c = await new Cluster(options).start();
  defer(() => c.stop(), t);
  return c;
}

/** Readers subscribed to `rooms` from seq 0, on any gateway. */
export async function readers(t: TestContext, c: Cluster, rooms: string[], n: number): Promise<ChatClient[]> {
  const list = await Promise.all(
    Array.from({ length: n }, async () => new ChatClient({ urls: () => c.gatewayUrls(), token: await c.token(fresh('reader')), rooms }).start()),
  );
  defer(() => list.forEach((r) => r.stop()), t);
  return list;
}

/**
 * `senders` users each send `perSender` messages one after another (each waits for its
 * 202), spread over `rooms`; `at(accepted)` runs once when that many are accepted in all.
 */
export async function traffic(
  c: Cluster,
  {
    rooms,
    senders,
    perSender,
    at,
    onFailure,
  }: { rooms: string[]; senders: number; perSender: number; at?: [number, () => Promise<void>]; onFailure?: (what: number | string) => void },
): Promise<Sender[]> {
  const list = await Promise.all(
    Array.from({ length: senders }, async () => {
      const user = fresh('sender');
      return new Sender({ base: () => c.ingestUrl, token: await c.token(user), user, ...(onFailure ? { onFailure } : {}) });
    }),
  );
  let accepted = 0;
  let fault: Promise<void> | undefined;
  await Promise.all(
    list.map(async (sender, i) => {
      for (let n = 0; n < perSender; n++) {
        await sender.send(rooms[(i + n) % rooms.length] as string, `sender-${i} #${n}`);
        if (++accepted === at?.[0]) fault = at[1]();
      }
    }),
  );
  await fault;
  return list;
}

/**
 * Checks the guarantees once every reader has caught up: each room's history is seqs
 * 1..n holding every accepted message once, each sender's messages are in the order it
 * sent them, and every reader saw exactly the history, without duplicate or gap.
 */
export async function assertConsistent(c: Cluster, senders: Sender[], clients: ChatClient[], rooms: string[]): Promise<void> {
  const token = await c.token(fresh('checker'));
  for (const room of rooms) {
    const accepted = senders.flatMap((s) => s.accepted).filter((a) => a.room === room);
    for (const client of clients) await client.until(room, accepted.length);
    const history = await c.historyOf(room, token);
    assert.deepEqual(history.map((m) => m.seq), Array.from({ length: accepted.length }, (_, i) => i + 1), `${room}: seqs 1..n, no hole`);
    assert.deepEqual(new Set(history.map((m) => m.id)), new Set(accepted.map((a) => a.id)), `${room}: every accepted message, once`);
    for (const s of senders) {
      const sent = s.accepted.filter((a) => a.room === room).map((a) => a.id);
      assert.deepEqual(history.filter((m) => sent.includes(m.id)).map((m) => m.id), sent, `${room}: sender order kept`);
    }
    for (const client of clients) {
      assert.deepEqual(client.received.get(room)?.map((m) => m.id), history.map((m) => m.id), `${room}: a reader's view equals history`);
    }
  }
  for (const client of clients) {
    assert.equal(client.duplicates, 0, 'no message delivered twice');
    assert.equal(client.gaps, 0, 'no seq skipped');
  }
}

/** The index of the worker process that holds the lease of a room's partition. */
export async function holderOf(c: Cluster, room: string, partitions = 8): Promise<number> {
  const holder = await c.admin.get(partitionKeys.lease(partitionOf(room, partitions)));
  const index = c.workers.findIndex((w) => w && holder?.includes(`-${w.child.pid}-`));
  assert.ok(index >= 0, `some worker holds the partition of ${room} (lease: ${holder})`);
  return index;
}
