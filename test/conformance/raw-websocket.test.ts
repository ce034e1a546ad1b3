// PROTOCOL.md 5.2: the raw /websocket endpoint (no SockJS framing).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, CT_PLAIN, assert404, assert405, assertStatus, useTestServer } from '../helpers/conformance.ts';
import { openWebSocket } from '../helpers/ws-client.ts';
import { HIXIE_KEY1, HIXIE_KEY2 } from '../helpers/hixie76-client.ts';

for (const adapter of ADAPTERS) {
  describe(`raw websocket [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('RawWebsocket.test_transport', async (t) => {
      const ws = await openWebSocket(t, `${server.wsBaseUrl}/echo/websocket`);
      // No `o` frame comes first: the first message is the echo itself.
      ws.send('Hello world!\uffff');
      assert.equal(await ws.nextMessage(), 'Hello world!\uffff');
      await ws.close();
    });

    test('RawWebsocket.test_close', async (t) => {
      const ws = await openWebSocket(t, `${server.wsBaseUrl}/close/websocket`);
      // 5.2: the application's own code and reason are the WebSocket close.
      assert.deepEqual(await ws.nextClose(), { code: 3000, reason: 'Go away!' });
    });

    test('raw messages are passed through verbatim, JSON-looking or not (5.2)', async (t) => {
      const ws = await openWebSocket(t, `${server.wsBaseUrl}/echo/websocket`);
      for (const message of ['["a"]', '"x"', 'a\u2028b\ud83d\ude00']) {
        ws.send(message);
        assert.equal(await ws.nextMessage(), message);
      }
      await ws.close();
    });

    test('raw websocket refuses plain GET and non-GET methods (5.2)', async () => {
      const plain = await server.get('/echo/websocket');
      assertStatus(plain, 400);
      assert.equal(plain.text, 'Not a valid websocket request');
      assert405(await server.post('/echo/websocket'), 'GET');
    });

    test('raw websocket refuses hixie-76 with the RFC 6455 message (5.2)', async () => {
      const res = await server.get('/echo/websocket', [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'WebSocket'],
        ['Origin', server.baseUrl],
        ['Sec-WebSocket-Key1', HIXIE_KEY1],
        ['Sec-WebSocket-Key2', HIXIE_KEY2],
      ]);
      assertStatus(res, 400);
      assert.equal(res.text, 'Only supported WebSocket protocol is RFC 6455.');
      assert.equal(res.headers.get('content-type'), CT_PLAIN);
    });

    test('raw websocket is absent when websockets are disabled (8.1)', async () => {
      assert404(await server.get('/disabled_websocket_echo/websocket'));
    });
  });
}
