// PROTOCOL.md 2.2, 2.3 and 6.1: GET /info and its preflight.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  CT_JSON,
  assertCors,
  assertNoCookie,
  assertNotCached,
  assertPreflight,
  assertStatus,
  useTestServer,
} from '../helpers/conformance.ts';
import type { FullResponse } from '../helpers/raw-http.ts';

function infoJson(res: FullResponse): Record<string, unknown> {
  const data: unknown = JSON.parse(res.text);
  assert.ok(typeof data === 'object' && data !== null && !Array.isArray(data), `/info body is a JSON object: ${res.text}`);
  return data as Record<string, unknown>;
}

function assertEntropy(value: unknown): number {
  assert.equal(typeof value, 'number');
  assert.ok(Number.isInteger(value), `entropy ${String(value)} is an integer`);
  const n = value as number;
  assert.ok(n >= 0 && n <= 2 ** 32 - 1, `entropy ${n} is an unsigned 32-bit integer`);
  return n;
}

for (const adapter of ADAPTERS) {
  describe(`info [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('InfoTest.test_basic', async () => {
      const res = await server.get('/echo/info', [['Origin', 'test']]);
      assertStatus(res, 200);
      assert.equal(res.headers.get('content-type'), CT_JSON);
      assertNoCookie(res);
      assertNotCached(res);
      assertCors(res, 'test');
      const data = infoJson(res);
      assert.equal(data['websocket'], true);
      assert.equal(typeof data['cookie_needed'], 'boolean');
      assert.deepEqual(data['origins'], ['*:*']);
      assertEntropy(data['entropy']);
    });

    test('InfoTest.test_entropy', async () => {
      const a = assertEntropy(infoJson(await server.get('/echo/info'))['entropy']);
      const b = assertEntropy(infoJson(await server.get('/echo/info'))['entropy']);
      assert.notEqual(a, b, 'entropy must be fresh per request');
    });

    test('InfoTest.test_options', async () => {
      await assertPreflight(server, '/echo/info', 'OPTIONS, GET');
    });

    test('InfoTest.test_options_null_origin', async () => {
      const res = await server.options('/echo/info', [
        ['Origin', 'null'],
        ['Access-Control-Request-Method', 'POST'],
      ]);
      assert.ok(res.status === 204 || res.status === 200, `status ${res.status}`);
      assert.equal(res.body.length, 0);
      assert.equal(res.headers.get('access-control-allow-origin'), 'null');
    });

    test('InfoTest.test_disabled_websocket', async () => {
      const res = await server.get('/disabled_websocket_echo/info');
      assertStatus(res, 200);
      assert.equal(infoJson(res)['websocket'], false);
    });

    test('info body has the 0.4 keys in order with the default transports (2.2)', async () => {
      const res = await server.get('/echo/info?t=1234567890');
      assertStatus(res, 200);
      const data = infoJson(res);
      assert.deepEqual(Object.keys(data), ['websocket', 'transports', 'origins', 'cookie_needed', 'entropy']);
      assert.deepEqual(data['transports'], ['eventsource', 'htmlfile', 'jsonp-polling', 'websocket', 'websocket-raw', 'xhr-polling', 'xhr-streaming']);
      assert.equal(data['cookie_needed'], false);
      assert.match(res.text, /^\{"websocket":true,"transports":\[[^\]]*\],"origins":\["\*:\*"\],"cookie_needed":false,"entropy":\d+\}$/);
    });

    test('info without Origin answers the wildcard, no credentials, Vary: Origin (6.1)', async () => {
      const res = await server.get('/echo/info');
      assertCors(res);
      assert.equal(res.headers.get('vary'), 'Origin');
    });

    test('info echoes Access-Control-Request-Headers on GET too (6.1)', async () => {
      const res = await server.get('/echo/info', [
        ['Origin', 'http://example.com'],
        ['Access-Control-Request-Headers', 'x-a, x-b'],
      ]);
      assertCors(res, 'http://example.com');
      assert.equal(res.headers.get('access-control-allow-headers'), 'x-a, x-b');
    });
  });
}
