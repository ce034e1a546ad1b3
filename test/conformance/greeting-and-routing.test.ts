// PROTOCOL.md 1.1-1.5 and 2.1: prefix claim, greeting, 404/405 dispatch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  CT_PLAIN,
  NOT_FOUND_BODY,
  assert404,
  assert405,
  assertNoCookie,
  assertNoCors,
  assertStatus,
  useTestServer,
  webSocketHandshake,
} from '../helpers/conformance.ts';
import { connect } from '../helpers/raw-http.ts';

const GREETING = 'Welcome to SockJS!\n';

for (const adapter of ADAPTERS) {
  describe(`greeting and routing [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('BaseUrlGreeting.test_greeting', async () => {
      for (const path of ['/echo', '/echo/']) {
        const res = await server.get(path);
        assertStatus(res, 200, `${path}: `);
        assert.equal(res.headers.get('content-type'), CT_PLAIN);
        assert.equal(res.text, GREETING);
        assertNoCookie(res);
        // 2.1: the greeting is a plain static text, no CORS and no caching directives.
        assertNoCors(res);
        assert.equal(res.headers.has('cache-control'), false, 'no Cache-Control on the greeting');
        assert.equal(res.headers.has('expires'), false, 'no Expires on the greeting');
      }
    });

    test('BaseUrlGreeting.test_notFound', async () => {
      for (const suffix of ['/a', '/a.html', '//', '///', '/a/a', '/a/a/', '/a/']) {
        assert404(await server.get(`/echo${suffix}`), `${suffix}: `);
      }
    });

    test('404 answer has the reference body and text/plain content type (1.4)', async () => {
      const res = await server.get('/echo/a/a');
      assert404(res);
      assert.equal(res.headers.get('content-type'), CT_PLAIN);
      assert.equal(res.text, NOT_FOUND_BODY);
    });

    test('greeting ignores the query string (1.1, 1.2)', async () => {
      const res = await server.get('/echo?x=1');
      assertStatus(res, 200);
      assert.equal(res.text, GREETING);
    });

    test('a path that merely starts with the prefix text is never the greeting (1.1)', async () => {
      // 0.4 claims /echofoo and answers 404; the recommended literal prefix match leaves it to
      // the application, whose fallback in the test server is a 404 as well.
      const res = await server.get('/echofoo');
      assert404(res);
    });

    test('requests outside every prefix reach the application handler (1.1, 8.3)', async () => {
      const res = await server.get('/lib/sockjs.min.js');
      assertStatus(res, 200);
      assert.ok(res.body.length > 10_000, 'the test server serves the client bundle itself');
    });

    test('405 answers carry Allow in route order, no Content-Type, empty body (1.4 examples)', async () => {
      const cases: Array<[method: string, path: string, allow: string]> = [
        ['GET', '/echo/a/b/xhr', 'POST, OPTIONS'],
        ['POST', '/echo/info', 'OPTIONS, GET'],
        ['POST', '/echo/0/0/websocket', 'GET'],
        ['OPTIONS', '/echo/a/b/jsonp', 'GET'],
        ['HEAD', '/echo', 'GET'],
        ['PUT', '/echo/a/b/xhr_send', 'POST, OPTIONS'],
        ['DELETE', '/echo/a/b/xhr_streaming', 'POST, OPTIONS'],
        ['GET', '/echo/a/b/jsonp_send', 'POST'],
        ['POST', '/echo/a/b/eventsource', 'GET'],
        ['OPTIONS', '/echo/iframe.html', 'GET'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await server.request({ method, path });
        assert405(res, allow, `${method} ${path}: `);
      }
    });

    test('methods are matched case-sensitively (1.4)', async () => {
      const res = await server.request({ method: 'get', path: '/echo' });
      // Node's HTTP parser may refuse a lower-case method outright (400); it must never be served as GET.
      assert.notEqual(res.status, 200, 'lower-case "get" must not be treated as GET');
    });

    test('routes accept one optional trailing slash (1.2)', async () => {
      assertStatus(await server.get('/echo/info/'), 200);
      assert404(await server.get('/echo/info//'));
    });

    test('an upgrade request to an unknown path gets a raw 404 with Connection: close first (1.5)', async (t) => {
      const conn = await connect(t, server.port);
      const res = await conn.request({
        method: 'GET',
        path: '/echo/a/b/c/websocket',
        headers: webSocketHandshake(),
      });
      assert.equal(res.status, 404);
      assert.equal(res.httpVersion, '1.1', 'status line uses the request HTTP version');
      assert.equal(res.statusText, 'Not Found');
      assert.deepEqual(res.rawHeaders[0], ['Connection', 'close'], 'Connection: close is the first header');
      const body = await res.readBody();
      assert.equal(body.toString('utf8'), NOT_FOUND_BODY);
      assert.ok(await conn.closedByPeer(), 'the socket is ended after a raw error answer');
    });
  });
}
