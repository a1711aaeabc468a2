import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@chitchat/platform';
import { defer, freePort } from '@chitchat/testing';
import { buildEdge } from '../src/edge.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('a service that does not answer yet (starting, restarting) is 503 problem+json with Retry-After, not a proxy 500', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const edge = await buildEdge({ upstreams: { ingest: closed, history: closed, gateway: closed }, webRoot: `${root}services/web/dist`, log: createLogger('edge', 'silent') });
  defer(() => edge.close());
  for (const [method, url] of [['POST', '/v1/sessions'], ['GET', '/v1/rooms/general/messages']] as const) {
    const res = await edge.inject({ method, url, payload: method === 'POST' ? { username: 'early' } : undefined });
    assert.equal(res.statusCode, 503, `${method} ${url}`);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.json<{ code: string }>().code, 'unavailable');
  }
});
