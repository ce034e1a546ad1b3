// PROTOCOL.md 5.6 and 5.9: EventSource framing, escaping, CORS rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  assertBodyEnds,
  assertNotCached,
  expectXhrSend,
  newSessionPath,
  openStream,
  useTestServer,
  type ServerHandle,
} from '../helpers/conformance.ts';
import type { HeaderList } from '../helpers/raw-http.ts';
import type { TestContext } from 'node:test';

for (const adapter of ADAPTERS) {
  describe(`eventsource [${adapter}]`, () => {
    const server = useTestServer(adapter);

    /** Opens an eventsource stream and consumes the prelude and open frame. */
    async function openEventSource(t: TestContext, srv: ServerHandle, session: string, headers: HeaderList = []) {
      const stream = await openStream(t, srv, { method: 'GET', path: `${session}/eventsource`, headers });
      assert.equal(await stream.res.nextChunkText(), '\r\n', 'prelude');
      assert.equal(await stream.res.nextChunkText(), 'data: o\r\n\r\n');
      return stream;
    }

    test('EventSource.test_transport', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openEventSource(t, server, session);
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      assertNotCached(res);
      await expectXhrSend(server, session, '["x"]');
      assert.equal(await res.nextChunkText(), 'data: a["x"]\r\n\r\n');
      await expectXhrSend(server, session, String.raw`["  \u0000\n\r "]`);
      assert.equal(await res.nextChunkText(), String.raw`data: a["  \u0000\n\r "]` + '\r\n\r\n');
    });

    test('EventSource.test_response_limit', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openEventSource(t, server, session);
      const msg = `"${'x'.repeat(4096)}"`;
      await expectXhrSend(server, session, `[${msg}]`);
      assert.equal(await res.nextChunkText(), `data: a[${msg}]\r\n\r\n`);
      await assertBodyEnds(res, 'eventsource after reaching response_limit');
    });

    test('a close frame ends the stream in the eventsource envelope (4.7, 5.6)', async (t) => {
      const { res } = await openEventSource(t, server, newSessionPath('close'));
      assert.equal(await res.nextChunkText(), 'data: c[3000,"Go away!"]\r\n\r\n');
      await assertBodyEnds(res);
    });

    test('% in a message is escaped as %25 (5.6)', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openEventSource(t, server, session);
      await expectXhrSend(server, session, '["k%l","100%","%0A"]');
      assert.equal(await res.nextChunkText(), 'data: a["k%25l"]\r\n\r\n');
      assert.equal(await res.nextChunkText(), 'data: a["100%25"]\r\n\r\n');
      assert.equal(await res.nextChunkText(), 'data: a["%250A"]\r\n\r\n');
    });

    test('eventsource CORS: Origin echoed with credentials, null and absent → * (5.6)', async (t) => {
      const cases: Array<[origin: string | undefined, acao: string, credentials: boolean]> = [
        ['http://example.com', 'http://example.com', true],
        ['null', '*', false],
        [undefined, '*', false],
      ];
      for (const [origin, acao, credentials] of cases) {
        const headers: HeaderList = origin === undefined ? [] : [['Origin', origin]];
        const { res, conn } = await openStream(t, server, { method: 'GET', path: `${newSessionPath('echo')}/eventsource`, headers });
        assert.equal(res.headers.get('access-control-allow-origin'), acao, `Origin ${origin}`);
        assert.equal(res.headers.get('access-control-allow-credentials'), credentials ? 'true' : undefined, `Origin ${origin}`);
        assert.equal(res.headers.get('vary'), 'Origin');
        conn.destroy();
      }
    });
  });
}
