// Origin policy: `allowedOrigins` decides CORS answers, WebSocket handshakes
// (403 against cross-site WebSocket hijacking), script/iframe loads judged by
// their Referer, and who may frame the iframe page (CSP frame-ancestors).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { PREFIX, request, requestHead, sessionPath, startServer, waitForNoSessions, type SecurityServer } from '../helpers/security-harness.ts';
import { rawUpgrade, upgradeRequest } from '../helpers/security-ws.ts';

const POLICY = ['https://app.example.com', 'https://*.example.org', /^https:\/\/re\.test(?::\d+)?$/];

const ALLOWED = ['https://app.example.com', 'HTTPS://APP.EXAMPLE.COM', 'https://a.example.org', 'https://a.b.example.org', 'https://re.test:8443'];
const REFUSED = [
  'https://evil.com',
  'null',
  'http://app.example.com', // scheme matters
  'https://app.example.com.evil.com', // no suffix tricks
  'https://example.org', // `*` needs at least one label
  'https://evil-example.org',
  'https://a.example.org.evil.com',
  'https://a.example.org:8443', // the pattern has no port
  'https://re.test.evil',
];

async function handshakeStatus(srv: SecurityServer, path: string, origin: string | undefined): Promise<number> {
  const ws = await rawUpgrade(srv.port, upgradeRequest(path, origin === undefined ? [] : [['Origin', origin]]));
  ws.destroy();
  return ws.head.status;
}

describe('allowedOrigins list', () => {
  test('CORS routes: allowed origins are echoed, others get 403 "Origin not allowed" without CORS headers', async (t) => {
    const srv = await startServer(t, { allowedOrigins: POLICY });
    for (const origin of ALLOWED) {
      const res = await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: origin } });
      assert.equal(res.status, 200, origin);
      assert.equal(res.headers['access-control-allow-origin'], origin);
    }
    for (const origin of REFUSED) {
      for (const [method, path] of [
        ['GET', `${PREFIX}/info`],
        ['OPTIONS', `${PREFIX}/info`],
        ['OPTIONS', `${sessionPath()}/xhr`],
        ['POST', `${sessionPath()}/xhr`],
        ['POST', `${sessionPath()}/xhr_streaming`],
        ['POST', `${sessionPath()}/xhr_send`],
        ['GET', `${sessionPath()}/eventsource`],
        ['GET', `${sessionPath()}/jsonp?c=cb`],
        ['GET', `${sessionPath()}/htmlfile?c=cb`],
        ['POST', `${sessionPath()}/jsonp_send`],
        ['GET', `${PREFIX}/iframe.html`],
      ] as const) {
        const res = await request(srv.port, { method, path, headers: { Origin: origin, 'Access-Control-Request-Headers': 'x' }, timeoutMs: 10_000 });
        assert.equal(res.status, 403, `${origin} ${method} ${path}`);
        assert.equal(res.body, 'Origin not allowed');
        assert.equal(res.headers['access-control-allow-origin'], undefined, `${origin} ${method} ${path}`);
        assert.equal(res.headers['access-control-allow-credentials'], undefined);
      }
    }
    // None of the refused receiving requests created a session.
    assert.deepEqual(srv.sockjs.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
    assert.equal(srv.connections.length, 0);
  });

  test('WebSocket handshakes from other origins get 403 (cross-site WebSocket hijacking)', async (t) => {
    const srv = await startServer(t, { allowedOrigins: POLICY });
    for (const path of [`${sessionPath()}/websocket`, `${PREFIX}/websocket`]) {
      for (const origin of REFUSED) assert.equal(await handshakeStatus(srv, path, origin), 403, `${origin} ${path}`);
      assert.equal(await handshakeStatus(srv, path, 'https://app.example.com'), 101, path);
      assert.equal(await handshakeStatus(srv, path, 'https://x.example.org'), 101, path);
      // Non-browser clients send no Origin; a browser always does on WebSocket handshakes.
      assert.equal(await handshakeStatus(srv, path, undefined), 101, path);
    }
    await waitForNoSessions(srv.sockjs);
  });

  test('script and iframe loads without Origin are judged by their Referer when the browser says cross-site', async (t) => {
    const srv = await startServer(t, { allowedOrigins: POLICY });
    const load = (path: string, headers: Record<string, string>) => requestHead(srv.port, { path, headers });
    for (const path of [`${sessionPath()}/jsonp?c=cb`, `${sessionPath()}/htmlfile?c=cb`, `${PREFIX}/iframe.html`]) {
      const site = { 'Sec-Fetch-Site': 'cross-site' };
      assert.equal((await load(path, { ...site, Referer: 'https://evil.com/page' })).status, 403, path);
      assert.equal((await load(path, { ...site, Referer: 'https://app.example.com.evil.com/' })).status, 403, path);
      assert.equal((await load(path, site)).status, 403, `${path} cross-site without Referer`);
      assert.equal((await load(path, { ...site, Referer: 'not a url' })).status, 403, `${path} unparsable Referer`);
      assert.equal((await load(path, { 'Sec-Fetch-Site': 'same-site', Referer: 'https://evil.example.com/' })).status, 403, path);
      const fromApp = await load(path.replace(/\/[^/]+\/(jsonp|htmlfile)/, (_m, r: string) => `/${sessionPath().split('/').pop()}/${r}`), {
        ...site,
        Referer: 'https://app.example.com/chat',
      });
      assert.equal(fromApp.status, 200, `${path} from an allowed page`);
      // Same-origin loads and non-browser clients carry no cross-site signal.
      assert.equal((await load(path.replace('/000/', '/001/'), { 'Sec-Fetch-Site': 'same-origin', Referer: 'https://evil.com/' })).status, 200);
    }
    await waitForNoSessions(srv.sockjs);
  });

  test('the iframe page may only be framed by the listed origins', async (t) => {
    const srv = await startServer(t, { allowedOrigins: ['https://app.example.com', 'https://*.example.org'] });
    const res = await request(srv.port, { path: `${PREFIX}/iframe.html` });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-security-policy'], "frame-ancestors 'self' https://app.example.com https://*.example.org");
    const none = await startServer(t, { allowedOrigins: [] });
    assert.equal((await request(none.port, { path: `${PREFIX}/iframe-abc.html` })).headers['content-security-policy'], "frame-ancestors 'none'");
    assert.equal((await request(none.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://app.example.com' } })).status, 403);
  });
});

describe('other policies', () => {
  test("'*' (the default) keeps sockjs-node's behaviour: any origin, no frame restriction", async (t) => {
    const srv = await startServer(t);
    const res = await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://anything.test' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], 'https://anything.test');
    assert.equal((await request(srv.port, { path: `${PREFIX}/iframe.html` })).headers['content-security-policy'], undefined);
    assert.equal(await handshakeStatus(srv, `${sessionPath()}/websocket`, 'https://anything.test'), 101);
  });

  test('a function policy sees the origin and the request and decides every route', async (t) => {
    const seen: Array<[string, string | undefined]> = [];
    const policy = (origin: string, req: IncomingMessage) => {
      seen.push([origin, req.url]);
      return origin.endsWith('.trusted.test');
    };
    const srv = await startServer(t, { allowedOrigins: policy });
    assert.equal((await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://a.trusted.test' } })).status, 200);
    assert.equal((await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://trusted.test.evil' } })).status, 403);
    assert.equal(await handshakeStatus(srv, `${sessionPath()}/websocket`, 'https://evil.test'), 403);
    assert.equal(await handshakeStatus(srv, `${sessionPath()}/websocket`, 'https://b.trusted.test'), 101);
    assert.deepEqual(
      seen.map(([o]) => o),
      ['https://a.trusted.test', 'https://trusted.test.evil', 'https://evil.test', 'https://b.trusted.test'],
    );
    assert.ok(seen.every(([, url]) => url?.startsWith(PREFIX)));
    // A function cannot be expressed as a CSP source list, so no header is invented.
    assert.equal((await request(srv.port, { path: `${PREFIX}/iframe.html` })).headers['content-security-policy'], undefined);
    await waitForNoSessions(srv.sockjs);
  });

  test('a policy that throws answers 500, and the server keeps serving', async (t) => {
    const srv = await startServer(t, {
      allowedOrigins: (origin) => {
        if (origin === 'https://boom.test') throw new Error('policy bug');
        return true;
      },
    });
    const res = await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://boom.test' } });
    assert.ok(res.status === 500 || res.status === 403, `status ${res.status}`);
    const ws = await rawUpgrade(srv.port, upgradeRequest(`${sessionPath()}/websocket`, [['Origin', 'https://boom.test']]));
    ws.destroy();
    assert.ok(ws.head.status === 500 || ws.head.status === 403, `handshake status ${ws.head.status}`);
    assert.equal((await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://fine.test' } })).status, 200);
  });

  test('invalid policies are refused at construction', async () => {
    const { createServer } = await import('@sockjs-server/core');
    for (const bad of ['https://a.test', 42, [42], null]) {
      assert.throws(() => createServer({ allowedOrigins: bad as never }), /allowedOrigins/);
    }
  });
});
