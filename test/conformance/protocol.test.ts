// PROTOCOL.md 4.3, 4.7 and 5.3: the basic session exchange over xhr-polling.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  NOT_FOUND_BODY,
  assert404,
  expectXhrPoll,
  expectXhrSend,
  newSessionPath,
  useTestServer,
} from '../helpers/conformance.ts';
import { connect } from '../helpers/raw-http.ts';

for (const adapter of ADAPTERS) {
  describe(`protocol [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('Protocol.test_simpleSession', async (t) => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, '["a"]');
      await expectXhrPoll(server, session, 'a["a"]\n');

      const bad = await server.post('/echo/000/bad_session/xhr_send', '["a"]');
      assert404(bad);
      assert.equal(bad.text, NOT_FOUND_BODY);

      // A parked long-poll; the second poll must be refused with 2010 while it waits.
      const parked = await connect(t, server.port);
      // Its head arrives once the server holds it as the receiver (a waiting poll is flushed at once, 5).
      await parked.request({ method: 'POST', path: `${session}/xhr` });
      await expectXhrPoll(server, session, 'c[2010,"Another connection still open"]\n');
      parked.destroy();
    });

    test('Protocol.test_closeSession', async () => {
      const session = newSessionPath('close');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrPoll(server, session, 'c[3000,"Go away!"]\n');
      await expectXhrPoll(server, session, 'c[3000,"Go away!"]\n');
    });

    test('the parked poll is untouched by a refused second poll and gets the next message (4.3)', async (t) => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      const parked = await connect(t, server.port);
      const res = await parked.request({ method: 'POST', path: `${session}/xhr` });
      await expectXhrPoll(server, session, 'c[2010,"Another connection still open"]\n');
      await expectXhrSend(server, session, '["still here"]');
      assert.equal(res.status, 200);
      assert.equal((await res.readBody()).toString(), 'a["still here"]\n');
    });

    test('a poll with nothing to send yet gets its 200 and headers at once, chunked, body still open (5)', async (t) => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      const parked = await connect(t, server.port);
      // request() resolves when the head arrives and times out well before the 25 s heartbeat would send anything.
      const res = await parked.request({ method: 'POST', path: `${session}/xhr` });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/javascript; charset=UTF-8');
      assert.equal(res.headers.has('content-length'), false, 'never Content-Length on a receiving response');
      assert.equal(res.complete, false, 'the body waits for the next frame');
      await expectXhrSend(server, session, '["late"]');
      assert.equal((await res.readBody()).toString(), 'a["late"]\n');
    });

    test('messages written with no receiver attached go out together in one frame (4.4)', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, '["a","b"]');
      await expectXhrSend(server, session, '["c"]');
      await expectXhrPoll(server, session, 'a["a","b","c"]\n');
    });

    test('send requests never create sessions (4.2)', async () => {
      const session = newSessionPath('echo');
      assert404(await server.post(`${session}/xhr_send`, '["early"]'), 'xhr_send must not create a session: ');
      await expectXhrPoll(server, session, 'o\n');
    });
  });
}
