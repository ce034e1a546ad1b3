// PROTOCOL.md 6.2: the JSESSIONID cookie on /cookie_needed_echo.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  assertJsessionCookie,
  assertNoCookie,
  assertStatus,
  expectXhrPoll,
  newSessionPath,
  openStream,
  openXhrStreaming,
  useTestServer,
  webSocketHandshake,
} from '../helpers/conformance.ts';
import { connect } from '../helpers/raw-http.ts';

const FORM = [['Content-Type', 'application/x-www-form-urlencoded']] as const;

for (const adapter of ADAPTERS) {
  describe(`jsessionid cookie [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('JsessionidCookie.test_basic', async () => {
      const res = await server.get('/cookie_needed_echo/info');
      assertStatus(res, 200);
      assertNoCookie(res);
      const data: unknown = JSON.parse(res.text);
      assert.equal((data as { cookie_needed?: unknown }).cookie_needed, true);
    });

    test('JsessionidCookie.test_xhr', async () => {
      assertJsessionCookie(await expectXhrPoll(server, newSessionPath('cookie_needed_echo'), 'o\n'));
      const echoed = await expectXhrPoll(server, newSessionPath('cookie_needed_echo'), 'o\n', [['Cookie', 'JSESSIONID=abcdef']]);
      assertJsessionCookie(echoed, 'abcdef');
    });

    test('JsessionidCookie.test_xhr_streaming', async (t) => {
      const { res } = await openXhrStreaming(t, server, newSessionPath('cookie_needed_echo'));
      assertJsessionCookie(res);
    });

    test('JsessionidCookie.test_eventsource', async (t) => {
      const { res } = await openStream(t, server, { method: 'GET', path: `${newSessionPath('cookie_needed_echo')}/eventsource` });
      assertJsessionCookie(res);
    });

    test('JsessionidCookie.test_htmlfile', async (t) => {
      const { res } = await openStream(t, server, { method: 'GET', path: `${newSessionPath('cookie_needed_echo')}/htmlfile?c=%63allback` });
      assertJsessionCookie(res);
    });

    test('JsessionidCookie.test_jsonp', async () => {
      const session = newSessionPath('cookie_needed_echo');
      const poll = await server.get(`${session}/jsonp?c=%63allback`);
      assertStatus(poll, 200);
      assertJsessionCookie(poll);
      assert.equal(poll.text, '/**/callback("o");\r\n');
      const send = await server.post(`${session}/jsonp_send`, 'd=%5B%22x%22%5D', FORM);
      assertStatus(send, 200);
      assert.equal(send.text, 'ok');
      assertJsessionCookie(send);
    });

    test('preflights set the cookie, OPTIONS /info included (2.3, 6.2)', async () => {
      for (const path of ['/cookie_needed_echo/info', `${newSessionPath('cookie_needed_echo')}/xhr`, `${newSessionPath('cookie_needed_echo')}/xhr_send`]) {
        const res = await server.options(path, [['Origin', 'test']]);
        assertStatus(res, 204, `${path}: `);
        assertJsessionCookie(res);
      }
    });

    test('xhr_send sets the cookie on success and on errors (6.2)', async () => {
      const session = newSessionPath('cookie_needed_echo');
      await expectXhrPoll(server, session, 'o\n');
      const ok = await server.post(`${session}/xhr_send`, '["x"]');
      assertStatus(ok, 204);
      assertJsessionCookie(ok);
      const broken = await server.post(`${session}/xhr_send`, '["x');
      assertStatus(broken, 500);
      assertJsessionCookie(broken);
    });

    test('no cookie where the step does not run or the option is off (6.2)', async (t) => {
      assertNoCookie(await server.get('/cookie_needed_echo'));
      assertNoCookie(await expectXhrPoll(server, newSessionPath('echo'), 'o\n'));
      const conn = await connect(t, server.port);
      const ws = await conn.request({
        method: 'GET',
        path: `${newSessionPath('cookie_needed_echo')}/websocket`,
        headers: webSocketHandshake(),
      });
      assert.equal(ws.status, 101);
      assertNoCookie(ws);
    });
  });
}
