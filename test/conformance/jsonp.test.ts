// PROTOCOL.md 5.8: JSONP polling and jsonp_send.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  CT_JS,
  CT_PLAIN,
  assert500,
  assertNoCors,
  assertNotCached,
  assertStatus,
  newSessionPath,
  useTestServer,
  type ServerHandle,
} from '../helpers/conformance.ts';
import type { FullResponse } from '../helpers/raw-http.ts';

const FORM = [['Content-Type', 'application/x-www-form-urlencoded']] as const;

async function expectJsonp(server: ServerHandle, session: string, body: string, query = '?c=x'): Promise<FullResponse> {
  const res = await server.get(`${session}/jsonp${query}`);
  assertStatus(res, 200, `jsonp ${session}: `);
  assert.equal(res.text, body);
  return res;
}

async function expectJsonpSendOk(server: ServerHandle, session: string, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<FullResponse> {
  const res = await server.post(`${session}/jsonp_send`, body, [['Content-Type', contentType]]);
  assertStatus(res, 200, `jsonp_send ${JSON.stringify(body)}: `);
  assert.equal(res.text, 'ok');
  return res;
}

for (const adapter of ADAPTERS) {
  describe(`jsonp [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('JsonPolling.test_transport', async () => {
      const session = newSessionPath('echo');
      const poll = await expectJsonp(server, session, '/**/callback("o");\r\n', '?c=%63allback');
      assert.equal(poll.headers.get('content-type'), CT_JS);
      assertNotCached(poll);
      const send = await expectJsonpSendOk(server, session, 'd=%5B%22x%22%5D');
      assert.equal(send.headers.get('content-type'), CT_PLAIN);
      assertNotCached(send);
      await expectJsonp(server, session, '/**/callback("a[\\"x\\"]");\r\n', '?c=%63allback');
    });

    test('JsonPolling.test_no_callback', async () => {
      assert500(await server.get('/echo/a/a/jsonp'), '"callback" parameter required');
    });

    test('JsonPolling.test_invalid_callback', async () => {
      for (const callback of ['%20', '*', 'abc(', 'abc%28']) {
        assert500(await server.get(`/echo/a/a/jsonp?c=${callback}`), 'invalid "callback" parameter');
      }
    });

    test('JsonPolling.test_invalid_json', async () => {
      const session = newSessionPath('echo');
      await expectJsonp(server, session, '/**/x("o");\r\n');
      assert500(await server.post(`${session}/jsonp_send`, 'd=%5B%22x', FORM), 'Broken JSON encoding.');
      for (const body of ['', 'd=', 'p=p']) {
        assert500(await server.post(`${session}/jsonp_send`, body, FORM), 'Payload expected.');
      }
      await expectJsonpSendOk(server, session, 'd=%5B%22b%22%5D');
      await expectJsonp(server, session, '/**/x("a[\\"b\\"]");\r\n');
    });

    test('JsonPolling.test_content_types', async () => {
      const session = newSessionPath('echo');
      await expectJsonp(server, session, '/**/x("o");\r\n');
      await expectJsonpSendOk(server, session, 'd=%5B%22abc%22%5D');
      // A raw text/plain body is JSON, not a form: `%61` must stay literal.
      await expectJsonpSendOk(server, session, '["%61bc"]', 'text/plain');
      await expectJsonp(server, session, '/**/x("a[\\"abc\\",\\"%61bc\\"]");\r\n');
    });

    test('JsonPolling.test_close', async () => {
      const session = newSessionPath('close');
      await expectJsonp(server, session, '/**/x("o");\r\n');
      await expectJsonp(server, session, '/**/x("c[3000,\\"Go away!\\"]");\r\n');
      await expectJsonp(server, session, '/**/x("c[3000,\\"Go away!\\"]");\r\n');
    });

    test('JsonPolling.test_sending_empty_frame', async () => {
      const session = newSessionPath('echo');
      await expectJsonp(server, session, '/**/x("o");\r\n');
      await expectJsonpSendOk(server, session, 'd=%5B%5D');
      await expectJsonpSendOk(server, session, 'd=%5B%22x%22%5D');
      await expectJsonp(server, session, '/**/x("a[\\"x\\"]");\r\n');
    });

    test('jsonp headers: nosniff, no CORS; jsonp_send: Content-Length 2, no CORS (5.8)', async () => {
      const session = newSessionPath('echo');
      const poll = await expectJsonp(server, session, '/**/x("o");\r\n');
      assert.equal(poll.headers.get('x-content-type-options'), 'nosniff');
      assertNoCors(poll);
      const send = await server.post(`${session}/jsonp_send`, 'd=%5B%5D', [...FORM, ['Origin', 'http://example.com']]);
      assertStatus(send, 200);
      assert.equal(send.headers.get('content-length'), '2');
      assertNoCors(send);
    });

    test('jsonp callbacks are limited to 32 characters (5.8)', async () => {
      await expectJsonp(server, newSessionPath('echo'), `/**/${'a'.repeat(32)}("o");\r\n`, `?c=${'a'.repeat(32)}`);
      assert500(await server.get(`${newSessionPath('echo')}/jsonp?c=${'a'.repeat(33)}`), 'invalid "callback" parameter');
    });

    test('jsonp_send to an unknown session is 404 (3.4)', async () => {
      const res = await server.post(`${newSessionPath('echo')}/jsonp_send`, 'd=%5B%22x%22%5D', FORM);
      assertStatus(res, 404);
    });
  });
}
