// PROTOCOL.md 1.5 and 5.1: SockJS over WebSocket (RFC 6455 and hixie-76).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, CT_PLAIN, assert404, assert405, assertStatus, newSessionId, newSessionPath, useTestServer, webSocketHandshake, SAMPLE_WS_KEY } from '../helpers/conformance.ts';
import { connect, type HeaderList } from '../helpers/raw-http.ts';
import { openWebSocket } from '../helpers/ws-client.ts';
import { HIXIE_DIGEST, HIXIE_KEY1, HIXIE_KEY2, HIXIE_KEY3, hixieDigest, hixieRequestHead, hixieTextFrame } from '../helpers/hixie76-client.ts';

const UPGRADE_HEADERS: HeaderList = [
  ['Upgrade', 'WebSocket'],
  ['Connection', 'Upgrade'],
];

for (const adapter of ADAPTERS) {
  describe(`websocket [${adapter}]`, () => {
    const server = useTestServer(adapter);
    const wsUrl = (service: string): string => `${server.wsBaseUrl}${newSessionPath(service)}/websocket`;

    test('WebsocketHttpErrors.test_httpMethod', async () => {
      const res = await server.get('/echo/0/0/websocket');
      assertStatus(res, 400);
      assert.equal(res.text, 'Not a valid websocket request');
      assert.equal(res.headers.get('content-type'), CT_PLAIN);
    });

    test('WebsocketHttpErrors.test_invalidConnectionHeader', async () => {
      const res = await server.get('/echo/0/0/websocket', [
        ['Upgrade', 'WebSocket'],
        ['Connection', 'close'],
      ]);
      assertStatus(res, 400);
      assert.equal(res.text, 'Not a valid websocket request');
    });

    test('WebsocketHttpErrors.test_invalidMethod', async () => {
      for (const headers of [UPGRADE_HEADERS, []]) {
        assert405(await server.post('/echo/0/0/websocket', undefined, headers), 'GET', `with ${headers.length} upgrade headers: `);
      }
    });

    test('a POST with upgrade headers gets the raw 405 of 1.5 and the socket is ended', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({ method: 'POST', path: '/echo/0/0/websocket', headers: UPGRADE_HEADERS });
      assert.equal(res.status, 405);
      assert.equal(res.httpVersion, '1.1');
      assert.equal(res.statusText, 'Method Not Allowed');
      assert.deepEqual(res.rawHeaders, [
        ['Connection', 'close'],
        ['Allow', 'GET'],
      ]);
      assert.equal((await res.readBody()).length, 0, 'empty body');
      assert.ok(await conn.closedByPeer(), 'socket ended after the raw answer');
    });

    test('the raw upgrade answer to an HTTP/1.0 request is a well-formed 405 that closes the socket (1.5)', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({ method: 'POST', path: '/echo/0/0/websocket', httpVersion: '1.0', headers: UPGRADE_HEADERS });
      assert.equal(res.status, 405);
      // sockjs-node echoes the request's version; Node answers 1.1, which RFC 9110 6.2 / RFC 7230 2.6 recommend
      // (a server sends its highest version with the same major). Either is a valid answer to a 1.0 client.
      assert.ok(res.httpVersion === '1.0' || res.httpVersion === '1.1', res.httpVersion);
      assert.deepEqual(res.rawHeaders[0], ['Connection', 'close']);
      assert.ok(await conn.closedByPeer(), 'socket ended after the raw answer');
    });

    test('Websocket.test_transport', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send('["a"]');
      assert.equal(await ws.nextMessage(), 'a["a"]');
      await ws.close();
    });

    test('Websocket.test_close', async (t) => {
      const ws = await openWebSocket(t, wsUrl('close'));
      assert.equal(await ws.nextMessage(), 'o');
      assert.equal(await ws.nextMessage(), 'c[3000,"Go away!"]');
      // 5.1: the application's code travels in the c frame; the WS itself closes 1000.
      assert.deepEqual(await ws.nextClose(), { code: 1000, reason: 'Normal closure' });
    });

    test('Websocket.test_headersSanity', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({
        method: 'GET',
        path: `${newSessionPath('echo')}/websocket`,
        headers: webSocketHandshake(SAMPLE_WS_KEY, [['Sec-WebSocket-Origin', 'http://asd']]),
      });
      assert.equal(res.status, 101);
      assert.equal(res.headers.get('sec-websocket-accept'), 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
      assert.equal(res.headers.get('connection')?.toLowerCase(), 'upgrade');
      assert.equal(res.headers.get('upgrade')?.toLowerCase(), 'websocket');
      assert.equal(res.headers.has('content-length'), false, 'no Content-Length on 101');
      assert.equal(res.headers.has('sec-websocket-protocol'), false, 'no subprotocol selected');
    });

    test('no WebSocket extension is negotiated by default (5.1)', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({
        method: 'GET',
        path: `${newSessionPath('echo')}/websocket`,
        headers: webSocketHandshake('dGhlIHNhbXBsZSBub25jZQ==', [['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits']]),
      });
      assert.equal(res.status, 101);
      assert.equal(res.headers.get('sec-websocket-accept'), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      assert.equal(res.headers.has('sec-websocket-extensions'), false);
    });

    test('Websocket.test_empty_frame', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send('');
      ws.send('[]');
      ws.send('["a"]');
      assert.equal(await ws.nextMessage(), 'a["a"]');
      await ws.close();
    });

    test('Websocket.test_reuseSessionId', async (t) => {
      const url = wsUrl('echo');
      const ws1 = await openWebSocket(t, url);
      assert.equal(await ws1.nextMessage(), 'o');
      const ws2 = await openWebSocket(t, url);
      assert.equal(await ws2.nextMessage(), 'o');
      ws1.send('["a"]');
      assert.equal(await ws1.nextMessage(), 'a["a"]');
      ws2.send('["b"]');
      assert.equal(await ws2.nextMessage(), 'a["b"]');
      await ws1.close();
      await ws2.close();

      const ws3 = await openWebSocket(t, url);
      assert.equal(await ws3.nextMessage(), 'o');
      ws3.send('["a"]');
      assert.equal(await ws3.nextMessage(), 'a["a"]');
      await ws3.close();
    });

    test('Websocket.test_haproxy', async (t) => {
      assert.deepEqual(hixieDigest(HIXIE_KEY1, HIXIE_KEY2, Buffer.from(HIXIE_KEY3)), HIXIE_DIGEST, 'test vector self-check');
      const path = `${newSessionPath('echo')}/websocket`;
      const origin = server.baseUrl;
      // The head must be readable before key3 exists on the wire: hixieRequestHead has not sent it.
      const { conn, head } = await hixieRequestHead(t, server.port, path, origin);
      assert.equal(head.status, 101);
      assert.equal(head.headers.get('connection')?.toLowerCase(), 'upgrade');
      assert.equal(head.headers.get('upgrade')?.toLowerCase(), 'websocket');
      assert.equal(head.headers.get('sec-websocket-location'), `${server.wsBaseUrl}${path}`);
      assert.equal(head.headers.get('sec-websocket-origin'), origin);
      assert.equal(head.headers.has('content-length'), false);
      conn.write(HIXIE_KEY3);
      assert.deepEqual(await conn.reader.readExactly(16), HIXIE_DIGEST);
      assert.deepEqual(await conn.reader.readExactly(3), hixieTextFrame('o'));
    });

    test('hixie-76 messages travel in 0x00 … 0xFF frames after the handshake (5.1)', async (t) => {
      const { conn, head } = await hixieRequestHead(t, server.port, `${newSessionPath('echo')}/websocket`, server.baseUrl);
      assert.equal(head.status, 101);
      conn.write(HIXIE_KEY3);
      await conn.reader.readExactly(16);
      assert.deepEqual(await conn.reader.readExactly(3), hixieTextFrame('o'));
      conn.write(hixieTextFrame('["é"]'));
      const expected = hixieTextFrame('a["é"]');
      assert.deepEqual(await conn.reader.readExactly(expected.length), expected);
    });

    test('Websocket.test_broken_json', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send('["a');
      assert.deepEqual(await ws.nextClose(), { code: 3000, reason: 'Broken framing.' });
    });

    test('a single JSON string is accepted as one message (5.1)', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send('"single"');
      assert.equal(await ws.nextMessage(), 'a["single"]');
      await ws.close();
    });

    test('each echoed write with the socket attached is its own frame (4.4)', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send('["a","b"]');
      assert.equal(await ws.nextMessage(), 'a["a"]');
      assert.equal(await ws.nextMessage(), 'a["b"]');
      await ws.close();
    });

    test('non-string payload elements close with 3000 Broken framing. and the server keeps serving (4.9)', async (t) => {
      for (const payload of ['[1]', '[null]', '{"a":1}']) {
        const ws = await openWebSocket(t, wsUrl('echo'));
        assert.equal(await ws.nextMessage(), 'o');
        ws.send(payload);
        assert.deepEqual(await ws.nextClose(), { code: 3000, reason: 'Broken framing.' }, `payload ${payload}`);
      }
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send('["alive"]');
      assert.equal(await ws.nextMessage(), 'a["alive"]');
      await ws.close();
    });

    test('a binary message is handled like text or refused with 3000, never fatal (5.1)', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      ws.send(Buffer.from('["bin"]'), { binary: true });
      const outcome = await ws.nextEvent();
      if (outcome.kind === 'message') assert.equal(outcome.text, 'a["bin"]');
      else assert.deepEqual(outcome.close, { code: 3000, reason: 'Broken framing.' });
      const next = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await next.nextMessage(), 'o', 'server still serving');
      await next.close();
    });

    test('a client close is answered with the same code and reason (5.1)', async (t) => {
      const ws = await openWebSocket(t, wsUrl('echo'));
      assert.equal(await ws.nextMessage(), 'o');
      assert.deepEqual(await ws.close(4001, 'bye'), { code: 4001, reason: 'bye' });
    });

    test('websocket routes do not exist on a service with websockets disabled (8.1)', async () => {
      const path = `/disabled_websocket_echo/000/${newSessionId()}/websocket`;
      assert404(await server.get(path));
      assert404(
        await server.get(path, [
          ...UPGRADE_HEADERS,
          ['Sec-WebSocket-Version', '13'],
          ['Sec-WebSocket-Key', 'x3JJHMbDL1EzLkh9GBhXDw=='],
        ]),
      );
    });
  });
}
