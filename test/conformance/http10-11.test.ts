// PROTOCOL.md 2.1 and 5: body delimiting for HTTP/1.0 and HTTP/1.1 clients.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, XHR_STREAMING_PRELUDE, newSessionPath, useTestServer } from '../helpers/conformance.ts';
import { connect } from '../helpers/raw-http.ts';

const GREETING = 'Welcome to SockJS!\n';
const KEEP_ALIVE = [['Connection', 'Keep-Alive']] as const;

for (const adapter of ADAPTERS) {
  describe(`HTTP/1.0 and 1.1 [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('Http10.test_synchronous', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({ method: 'GET', path: '/echo', httpVersion: '1.0', headers: KEEP_ALIVE });
      assert.equal(res.status, 200);
      assert.ok(['1.0', '1.1'].includes(res.httpVersion));
      assert.equal(res.headers.has('transfer-encoding'), false, 'no Transfer-Encoding for HTTP/1.0');
      const contentLength = res.headers.get('content-length');
      if (contentLength === undefined) {
        assert.equal(res.headers.get('connection')?.toLowerCase(), 'close');
        assert.equal((await res.readBody()).toString(), GREETING);
        assert.ok(await conn.closedByPeer());
      } else {
        assert.equal(contentLength, '19');
        assert.equal((await res.readBody()).toString(), GREETING);
        const connection = res.headers.get('connection')?.toLowerCase() ?? '';
        if (connection === 'close' || connection === '') {
          assert.ok(await conn.closedByPeer(), 'HTTP/1.0 without keep-alive closes');
        } else {
          assert.equal(connection, 'keep-alive');
          const again = await conn.request({ method: 'GET', path: '/echo', httpVersion: '1.0', headers: KEEP_ALIVE });
          assert.equal(again.status, 200);
          assert.equal((await again.readBody()).toString(), GREETING);
        }
      }
    });

    test('Http10.test_streaming', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({ method: 'POST', path: `${newSessionPath('close')}/xhr_streaming`, httpVersion: '1.0', headers: KEEP_ALIVE });
      assert.equal(res.status, 200);
      assert.equal(res.headers.has('transfer-encoding'), false, 'no Transfer-Encoding for HTTP/1.0');
      assert.equal(res.headers.has('content-length'), false, 'no Content-Length on a stream');
      assert.equal((await res.readBytes(2049)).toString(), XHR_STREAMING_PRELUDE);
      assert.equal((await res.readBytes(2)).toString(), 'o\n');
      assert.equal((await res.readBytes(19)).toString(), 'c[3000,"Go away!"]\n');
      assert.ok(await conn.closedByPeer(), 'connection closed to end the body');
      assert.ok(conn.reader.atEof, 'nothing after the close frame');
    });

    test('Http11.test_synchronous', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({ method: 'GET', path: '/echo', headers: KEEP_ALIVE });
      assert.equal(res.status, 200);
      assert.equal(res.httpVersion, '1.1');
      assert.ok(['keep-alive', ''].includes(res.headers.get('connection')?.toLowerCase() ?? ''), 'keep-alive honoured');
      if (res.headers.has('content-length')) {
        assert.equal(res.headers.get('content-length'), '19');
        assert.equal(res.headers.has('transfer-encoding'), false);
        assert.equal((await res.readBody()).toString(), GREETING);
      } else {
        assert.equal(res.headers.get('transfer-encoding')?.toLowerCase(), 'chunked');
        assert.equal(await res.nextChunkText(), GREETING);
        assert.equal(await res.nextChunk(), null, 'terminating chunk');
      }
      const again = await conn.request({ method: 'GET', path: '/echo', headers: KEEP_ALIVE });
      assert.equal(again.status, 200, 'second request on the same connection');
      assert.equal((await again.readBody()).toString(), GREETING);
    });

    test('Http11.test_streaming', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({ method: 'POST', path: `${newSessionPath('close')}/xhr_streaming`, headers: KEEP_ALIVE });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('transfer-encoding')?.toLowerCase(), 'chunked');
      assert.equal(res.headers.has('content-length'), false);
      assert.equal(await res.nextChunkText(), XHR_STREAMING_PRELUDE);
      assert.equal(await res.nextChunkText(), 'o\n');
      assert.equal(await res.nextChunkText(), 'c[3000,"Go away!"]\n');
      assert.equal(await res.nextChunk(), null, 'terminating chunk');
    });
  });
}
