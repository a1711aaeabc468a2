/** Hostile frames: random and malicious WebSocket frames get error frames; the socket and gateway stay up. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { connect, startGateway, tokenFor } from './helper.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 150);
const gateway = await startGateway({ FRAME_RATE: '100000' });

const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('__proto__', 'constructor', 'General', '../x', '\u0000', 'a'.repeat(65)),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 1e308, Number.MAX_SAFE_INTEGER + 2, null, true, [], {}),
);
const frame = fc.oneof(
  fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe', 'typing', 'ping', 'dance', '__proto__'), room: value, since: value }, { requiredKeys: ['type'] }).map((f) => JSON.stringify(f)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.constant(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`.slice(0, 8000)),
);

test('random frames: each bad one gets an error frame, the connection stays open and still answers', async () => {
  const client = await connect(gateway, await tokenFor(gateway.redis));
  await fc.assert(
    fc.asyncProperty(frame, async (raw) => {
      const from = client.frames.length;
      client.ws.send(raw);
      client.send({ type: 'ping' });
      await client.until((fs) => fs.slice(from).some((f) => f.type === 'pong'), 'the pong after the frame');
      assert.equal(client.closeCode, undefined, `closed after ${raw.slice(0, 100)}`);
      for (const f of client.frames.slice(from)) assert.ok(['error', 'pong', 'subscribed', 'presence', 'unsubscribed', 'message'].includes(f.type), f.type);
    }),
    { seed: 20261124, numRuns: runs },
  );
});
