// PROTOCOL.md 2.4: the iframe page, its URL pattern, exact bytes, ETag and 304.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  ADAPTERS,
  CT_HTML,
  assert404,
  assertNoCookie,
  assertNoCors,
  assertOneYearExpires,
  assertStatus,
  useTestServer,
  type ServerHandle,
} from '../helpers/conformance.ts';
import type { FullResponse } from '../helpers/raw-http.ts';

/** sockjs_url configured in test/server.mjs */
const TEST_SOCKJS_URL = '/lib/sockjs.min.js';

/** The page of 2.4, byte for byte (no newline after </html>). */
function iframeBody(sockjsUrl: string): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '  <meta http-equiv="X-UA-Compatible" content="IE=edge" />',
    '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
    `  <script src="${sockjsUrl}"></script>`,
    '  <script>',
    '    document.domain = document.domain;',
    '    SockJS.bootstrap_iframe();',
    '  </script>',
    '</head>',
    '<body>',
    '  <h2>Don\'t panic!</h2>',
    '  <p>This is a SockJS hidden iframe. It\'s used for cross domain magic.</p>',
    '</body>',
    '</html>',
  ].join('\n');
}

const quotedMd5 = (body: string): string => `"${createHash('md5').update(body, 'utf8').digest('hex')}"`;

/** What the suite's `verify` asserts, plus the exact bytes and headers of 2.4. */
async function verifyIframe(server: ServerHandle, path: string): Promise<FullResponse> {
  const res = await server.get(`/echo${path}`);
  assertStatus(res, 200, `${path}: `);
  assert.equal(res.headers.get('content-type'), CT_HTML);
  const cacheControl = res.headers.get('cache-control') ?? '';
  assert.match(cacheControl, /public/);
  assert.match(cacheControl, /max-age=[1-9][0-9]{6}/);
  assert.equal(cacheControl, 'public, max-age=31536000');
  assertOneYearExpires(res.headers.get('expires'));
  assert.ok(res.headers.get('etag'), 'ETag present');
  assert.equal(res.headers.has('last-modified'), false, 'no Last-Modified');
  assertNoCookie(res);
  assertNoCors(res);
  const src = /<script src="([^"]*)"><\/script>/.exec(res.text)?.[1];
  assert.ok(src !== undefined && (src.startsWith('/') || src.startsWith('http')), `script src ${src}`);
  const expected = iframeBody(TEST_SOCKJS_URL);
  assert.equal(res.text, expected, `${path}: body differs from the 2.4 template`);
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(expected)));
  assert.equal(res.headers.get('etag'), quotedMd5(expected), 'ETag is the quoted md5 of the body');
  return res;
}

for (const adapter of ADAPTERS) {
  describe(`iframe page [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('the expected-body template reproduces the check values of 2.4', () => {
      // Guards the template above against typos: both check values come from the spec.
      const a = iframeBody('http://localhost:8080/lib/sockjs.js');
      assert.equal(Buffer.byteLength(a), 444);
      assert.equal(quotedMd5(a), '"4f732408563f2492d07dcf51cf0a56a0"');
      const b = iframeBody('https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js');
      assert.equal(Buffer.byteLength(b), 472);
      assert.equal(quotedMd5(b), '"08c88a6396a2481f245d665a53d9dc14"');
      assert.equal(Buffer.byteLength(iframeBody(TEST_SOCKJS_URL)), 409 + TEST_SOCKJS_URL.length);
    });

    test('IframePage.test_simpleUrl', async () => {
      await verifyIframe(server, '/iframe.html');
    });

    test('IframePage.test_versionedUrl', async () => {
      for (const path of ['/iframe-a.html', '/iframe-.html', '/iframe-0.1.2.html', '/iframe-0.1.2abc-dirty.2144.html']) {
        await verifyIframe(server, path);
      }
    });

    test('IframePage.test_queriedUrl', async () => {
      for (const path of ['/iframe-a.html?t=1234', '/iframe-0.1.2.html?t=123414', '/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123']) {
        await verifyIframe(server, path);
      }
    });

    test('IframePage.test_invalidUrl', async () => {
      for (const path of ['/iframe.htm', '/iframe', '/IFRAME.HTML', '/IFRAME', '/iframe.HTML', '/iframe.xml', '/iframe-/.html']) {
        assert404(await server.get(`/echo${path}`), `${path}: `);
      }
    });

    test('IframePage.test_cacheability', async () => {
      const r1 = await server.get('/echo/iframe.html');
      const r2 = await server.get('/echo/iframe.html');
      const etag = r1.headers.get('etag');
      assert.ok(etag, 'ETag present');
      assert.equal(r2.headers.get('etag'), etag, 'ETag stable across requests');
      const r3 = await server.get('/echo/iframe.html', [['If-None-Match', etag]]);
      assertStatus(r3, 304);
      assert.equal(r3.headers.has('content-type'), false, '304 has no Content-Type');
      assert.equal(r3.body.length, 0, '304 has no body');
    });

    test('iframe ETag is the same for every versioned name and service (2.4)', async () => {
      // The page only depends on sockjs_url, which all test services share.
      const a = await server.get('/echo/iframe.html');
      const b = await server.get('/close/iframe-0.1.2.html?t=1');
      assert.equal(b.headers.get('etag'), a.headers.get('etag'));
    });

    test('a non-matching If-None-Match gets the full page (2.4)', async () => {
      const res = await server.get('/echo/iframe.html', [['If-None-Match', '"00000000000000000000000000000000"']]);
      assertStatus(res, 200);
      assert.equal(res.text, iframeBody(TEST_SOCKJS_URL));
    });

    test('the iframe page never sets the JSESSIONID cookie (6.2)', async () => {
      const res = await server.get('/cookie_needed_echo/iframe.html');
      assertStatus(res, 200);
      assertNoCookie(res);
    });
  });
}
