// PROTOCOL.md 3.4, 5.3 and 5.4: xhr-polling and xhr_send.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  CT_JS,
  CT_PLAIN,
  assert404,
  assert500,
  assertCors,
  assertNotCached,
  assertPreflight,
  assertStatus,
  expectXhrPoll,
  expectXhrSend,
  newSessionPath,
  useTestServer,
} from '../helpers/conformance.ts';

for (const adapter of ADAPTERS) {
  describe(`xhr-polling [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('XhrPolling.test_options', async () => {
      for (const suffix of ['/xhr', '/xhr_send']) {
        await assertPreflight(server, `/echo/abc/abc${suffix}`, 'OPTIONS, POST');
      }
    });

    test('XhrPolling.test_transport', async () => {
      const session = newSessionPath('echo');
      const poll = await expectXhrPoll(server, session, 'o\n', [['Origin', 'test']]);
      assert.equal(poll.headers.get('content-type'), CT_JS);
      assertCors(poll, 'test');
      assertNotCached(poll);

      const send = await expectXhrSend(server, session, '["x"]', [['Origin', 'test']]);
      // 5.4: the Content-Type must be present even on the 204.
      assert.equal(send.headers.get('content-type'), CT_PLAIN);
      assertCors(send, 'test');
      assertNotCached(send);

      await expectXhrPoll(server, session, 'a["x"]\n');
    });

    test('XhrPolling.test_invalid_session', async () => {
      assert404(await server.post(`${newSessionPath('echo')}/xhr_send`, '["x"]'));
    });

    test('XhrPolling.test_invalid_json', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      assert500(await server.post(`${session}/xhr_send`, '["x'), 'Broken JSON encoding.');
      assert500(await server.post(`${session}/xhr_send`, ''), 'Payload expected.');
      await expectXhrSend(server, session, '["a"]');
      await expectXhrPoll(server, session, 'a["a"]\n');
    });

    test('XhrPolling.test_content_types', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      const types = ['text/plain', 'T', 'application/json', 'application/xml', '', 'application/json; charset=utf-8', 'text/xml; charset=utf-8', 'text/xml'];
      for (const type of types) {
        await expectXhrSend(server, session, '["a"]', [['Content-Type', type]]);
      }
      await expectXhrPoll(server, session, `a[${types.map(() => '"a"').join(',')}]\n`);
    });

    test('XhrPolling.test_request_headers_cors', async () => {
      const preflight = (acrh: string | undefined) =>
        server.options(`${newSessionPath('echo')}/xhr`, [
          ['Origin', 'test'],
          ['Access-Control-Request-Method', 'POST'],
          ...(acrh === undefined ? [] : ([['Access-Control-Request-Headers', acrh]] as const)),
        ]);
      const withHeaders = await preflight('a, b, c');
      assert.ok(withHeaders.status === 204 || withHeaders.status === 200);
      assertCors(withHeaders, 'test');
      assert.equal(withHeaders.headers.get('access-control-allow-headers'), 'a, b, c');
      for (const acrh of ['', undefined]) {
        const res = await preflight(acrh);
        assert.ok(res.status === 204 || res.status === 200);
        assertCors(res, 'test');
        assert.equal(res.headers.has('access-control-allow-headers'), false, `ACRH ${JSON.stringify(acrh)}`);
      }
    });

    test('XhrPolling.test_sending_empty_frame', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, '[]');
      await expectXhrSend(server, session, '["a"]');
      await expectXhrPoll(server, session, 'a["a"]\n');
    });

    test('valid JSON that is not an array is "Payload expected." (3.4)', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      for (const body of ['{"a":1}', '"x"', '5', 'null']) {
        assert500(await server.post(`${session}/xhr_send`, body), 'Payload expected.');
      }
    });

    test('non-string payload elements are refused with 500 Payload expected. and the session keeps working (4.9)', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      for (const body of ['[1]', '[null]', '[{"a":1}]', '["ok",1]']) {
        assert500(await server.post(`${session}/xhr_send`, body), 'Payload expected.');
      }
      await expectXhrSend(server, session, '["after"]');
      // Nothing of the refused payloads may have been delivered (not even "ok" of the mixed one).
      await expectXhrPoll(server, session, 'a["after"]\n');
    });

    test('payload errors are checked before the session lookup (3.4)', async () => {
      const unknown = newSessionPath('echo');
      assert500(await server.post(`${unknown}/xhr_send`, '["x'), 'Broken JSON encoding.');
      assert500(await server.post(`${unknown}/xhr_send`, ''), 'Payload expected.');
    });

    test('xhr error answers keep no-cache and CORS headers (3.4, 5.10)', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      const res = await server.post(`${session}/xhr_send`, '["x', [['Origin', 'http://example.com']]);
      assertStatus(res, 500);
      assertNotCached(res);
      assertCors(res, 'http://example.com');
    });

    test('xhr without Origin answers the wildcard with Vary: Origin (6.1)', async () => {
      const res = await expectXhrPoll(server, newSessionPath('echo'), 'o\n');
      assertCors(res);
      assert.equal(res.headers.get('vary'), 'Origin');
    });
  });
}
