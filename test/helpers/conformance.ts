// Shared glue for test/conformance: server lifecycle per describe block,
// session URLs, request shortcuts and the header checks that PROTOCOL.md
// repeats for many endpoints (no-cache, CORS, cookie, 405).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, after } from 'node:test';
import { startTestServer, type RunningTestServer } from './test-server.ts';
import type { TestContext } from 'node:test';
import { connect, httpRequest, type FullResponse, type HeaderList, type RawHttpConnection, type RawRequest, type RawResponse } from './raw-http.ts';

export { ADAPTERS } from './test-server.ts';

/** The no-cache value every session route carries (PROTOCOL.md section 5, checked verbatim by the suite). */
export const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
export const CT_PLAIN = 'text/plain; charset=UTF-8';
export const CT_JS = 'application/javascript; charset=UTF-8';
export const CT_JSON = 'application/json; charset=UTF-8';
export const CT_HTML = 'text/html; charset=UTF-8';
export const NOT_FOUND_BODY = '404 Error: Page not found\n';

/** Handle on the server of the enclosing describe block; valid inside tests. */
export interface ServerHandle {
  readonly port: number;
  readonly baseUrl: string;
  readonly wsBaseUrl: string;
  /** Full request against this server, see httpRequest. */
  request(req: RawRequest): Promise<FullResponse>;
  get(path: string, headers?: HeaderList): Promise<FullResponse>;
  post(path: string, body?: string, headers?: HeaderList): Promise<FullResponse>;
  options(path: string, headers?: HeaderList): Promise<FullResponse>;
}

/** Starts the standard test server for `adapter` in a before hook of the current describe block and stops it after. */
export function useTestServer(adapter: string): ServerHandle {
  let server: RunningTestServer | undefined;
  before(async () => {
    server = await startTestServer(adapter);
  });
  after(async () => {
    await server?.stop();
  });
  const running = (): RunningTestServer => {
    if (!server) throw new Error('test server not started');
    return server;
  };
  const handle: ServerHandle = {
    get port() {
      return running().port;
    },
    get baseUrl() {
      return running().baseUrl;
    },
    get wsBaseUrl() {
      return running().baseUrl.replace(/^http/, 'ws');
    },
    request: (req) => httpRequest(running().port, req),
    get: (path, headers = []) => handle.request({ method: 'GET', path, headers }),
    post: (path, body, headers = []) => handle.request({ method: 'POST', path, headers, ...(body === undefined ? {} : { body }) }),
    options: (path, headers = []) => handle.request({ method: 'OPTIONS', path, headers }),
  };
  return handle;
}

/** A session id no other test (or earlier run) uses. */
export function newSessionId(): string {
  return randomUUID().replaceAll('-', '');
}

/** `/<service>/<serverId>/<fresh session id>`, the base of every session route. */
export function newSessionPath(service: string, serverId = '000'): string {
  return `/${service}/${serverId}/${newSessionId()}`;
}

/** The sample key of RFC 6455 1.3, and the headers of a valid version-13 handshake with it (or another key). */
export const SAMPLE_WS_KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';
export function webSocketHandshake(key = SAMPLE_WS_KEY, extra: HeaderList = []): HeaderList {
  return [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', key], ...extra];
}

export function assertStatus(res: FullResponse, status: number, what = ''): void {
  assert.equal(res.status, status, `${what}status ${res.status}, body ${JSON.stringify(res.text.slice(0, 200))}`);
}

export function assertNotCached(res: { headers: FullResponse['headers'] }): void {
  assert.equal(res.headers.get('cache-control'), NO_CACHE, 'Cache-Control');
  assert.equal(res.headers.has('expires'), false, 'no Expires header');
  assert.equal(res.headers.has('last-modified'), false, 'no Last-Modified header');
}

/** xhr CORS rules (section 6.1): echo + credentials with an Origin, `*` without. */
export function assertCors(res: { headers: FullResponse['headers'] }, origin?: string): void {
  if (origin !== undefined) {
    assert.equal(res.headers.get('access-control-allow-origin'), origin, 'Access-Control-Allow-Origin echoes Origin');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true', 'Access-Control-Allow-Credentials');
  } else {
    assert.equal(res.headers.get('access-control-allow-origin'), '*', 'Access-Control-Allow-Origin without Origin');
    assert.equal(res.headers.has('access-control-allow-credentials'), false, 'no credentials header without Origin');
  }
}

export function assertNoCors(res: { headers: FullResponse['headers'] }): void {
  for (const name of res.headers.names()) assert.ok(!name.startsWith('access-control-'), `unexpected CORS header ${name}`);
}

export function assertNoCookie(res: { headers: FullResponse['headers'] }): void {
  assert.equal(res.headers.has('set-cookie'), false, `no Set-Cookie expected, got ${JSON.stringify(res.headers.all('set-cookie'))}`);
}

/** The exact JSESSIONID header of section 6.2. */
export function assertJsessionCookie(res: { headers: FullResponse['headers'] }, value = 'dummy'): void {
  assert.equal(res.headers.get('set-cookie'), `JSESSIONID=${value}; path=/`);
}

/** Section 1.4: 405, Allow in route order, no Content-Type, empty body. */
export function assert405(res: FullResponse, allow: string, what = ''): void {
  assertStatus(res, 405, what);
  assert.equal(res.headers.get('allow'), allow, `${what}Allow`);
  assert.equal(res.headers.has('content-type'), false, `${what}405 must not carry Content-Type`);
  assert.equal(res.body.length, 0, `${what}405 body must be empty`);
}

export function assert404(res: FullResponse, what = ''): void {
  assertStatus(res, 404, what);
}

/** Exact 500 error of sections 3.4 / 5.7 (body without trailing newline, text/plain). */
export function assert500(res: FullResponse, body: string): void {
  assertStatus(res, 500);
  assert.equal(res.text, body);
  assert.equal(res.headers.get('content-type'), CT_PLAIN);
}

/**
 * Section 2.3 preflight checks (as `verify_options` of the suite, plus the exact
 * values the spec gives), for origins `test` and `null`.
 */
export async function assertPreflight(server: ServerHandle, path: string, methods: string): Promise<void> {
  for (const origin of ['test', 'null']) {
    const res = await server.options(path, [
      ['Origin', origin],
      ['Access-Control-Request-Method', methods],
    ]);
    assert.ok(res.status === 204 || res.status === 200, `preflight status ${res.status}`);
    assert.equal(res.status, 204, 'reference answers 204');
    const cacheControl = res.headers.get('cache-control') ?? '';
    assert.match(cacheControl, /public/);
    assert.match(cacheControl, /max-age=[1-9][0-9]{6}/);
    assert.equal(cacheControl, 'public, max-age=31536000');
    assertOneYearExpires(res.headers.get('expires'));
    assert.equal(res.headers.get('access-control-max-age'), '31536000');
    assert.equal(res.headers.get('access-control-allow-methods'), methods);
    assert.equal(res.body.length, 0, 'preflight body must be empty');
    assert.equal(res.headers.has('content-type'), false, 'preflight has no Content-Type');
    assertCors(res, origin);
  }
}

/** An HTTP-date about one year (31536000 s) from now. */
export function assertOneYearExpires(value: string | undefined): void {
  assert.ok(value, 'Expires must be present');
  assert.match(value, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, 'Expires is an IMF-fixdate');
  const delta = Date.parse(value) / 1000 - Date.now() / 1000;
  assert.ok(Math.abs(delta - 31536000) < 60, `Expires ${value} is not one year ahead`);
}

/** Sleep used only where the protocol offers no event to wait for (a long-poll parked on the server). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `path/xhr` once and asserts the exact body. */
export async function expectXhrPoll(server: ServerHandle, sessionPath: string, body: string, headers: HeaderList = []): Promise<FullResponse> {
  const res = await server.post(`${sessionPath}/xhr`, undefined, headers);
  assertStatus(res, 200, `xhr poll ${sessionPath}: `);
  assert.equal(res.text, body, `xhr poll ${sessionPath}`);
  return res;
}

/** xhr_send expecting the 204 success answer. */
export async function expectXhrSend(server: ServerHandle, sessionPath: string, payload: string, headers: HeaderList = []): Promise<FullResponse> {
  const res = await server.post(`${sessionPath}/xhr_send`, payload, headers);
  assertStatus(res, 204, `xhr_send ${JSON.stringify(payload.slice(0, 60))}: `);
  assert.equal(res.body.length, 0, 'xhr_send 204 body must be empty');
  return res;
}

export interface OpenStream {
  readonly conn: RawHttpConnection;
  readonly res: RawResponse;
}

/** Starts a receiving request on its own connection (closed when `t` ends) and returns once its head is in. */
export async function openStream(t: TestContext, server: ServerHandle, req: RawRequest): Promise<OpenStream> {
  const conn = await connect(t, server.port);
  const res = await conn.request(req);
  assert.equal(res.status, 200, `${req.method} ${req.path}: status`);
  return { conn, res };
}

/** `POST <session>/xhr_streaming` */
export function openXhrStreaming(t: TestContext, server: ServerHandle, sessionPath: string, headers: HeaderList = []): Promise<OpenStream> {
  return openStream(t, server, { method: 'POST', path: `${sessionPath}/xhr_streaming`, headers });
}

export const XHR_STREAMING_PRELUDE = `${'h'.repeat(2048)}\n`;

/** Asserts that the body ends now (terminating chunk / EOF) with no further frame. */
export async function assertBodyEnds(res: RawResponse, what = 'response'): Promise<void> {
  const chunk = await res.nextChunk();
  assert.equal(chunk, null, `${what} should have ended, got ${chunk === null ? '' : JSON.stringify(chunk.toString())}`);
}
