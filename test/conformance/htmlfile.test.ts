// PROTOCOL.md 5.7 and section 10 item 21: the htmlfile transport.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  ADAPTERS,
  CT_HTML,
  assert500,
  assertBodyEnds,
  assertNoCors,
  assertNotCached,
  expectXhrSend,
  newSessionPath,
  openStream,
  useTestServer,
  type OpenStream,
  type ServerHandle,
} from '../helpers/conformance.ts';

/** The 0.4 prelude layout of 5.7: leading LF, the page head, 651 spaces, CRLF CRLF. */
function htmlfilePrelude(callback: string): string {
  const head = [
    '',
    '<!doctype html>',
    '<html><head>',
    '  <meta http-equiv="X-UA-Compatible" content="IE=edge" />',
    '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
    "</head><body><h2>Don't panic!</h2>",
    '  <script>',
    '    document.domain = document.domain;',
    `    var c = parent.${callback};`,
    '    c.start();',
    '    function p(d) {c.message(d);};',
    '    window.onload = function() {c.stop();};',
    '  </script>',
    '',
  ].join('\n');
  return `${head}${' '.repeat(651)}\r\n\r\n`;
}

/** One frame as the htmlfile transport wraps it (frames free of `<`, `>` and `&`). */
const htmlfileFrame = (frame: string): string => `<script>\np(${JSON.stringify(frame)});\n</script>\r\n`;

function openHtmlfile(t: TestContext, server: ServerHandle, session: string, query = '?c=%63allback'): Promise<OpenStream> {
  return openStream(t, server, { method: 'GET', path: `${session}/htmlfile${query}` });
}

for (const adapter of ADAPTERS) {
  describe(`htmlfile [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('HtmlFile.test_transport', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openHtmlfile(t, server, session);
      assert.equal(res.headers.get('content-type'), CT_HTML);
      assertNotCached(res);
      const prelude = await res.nextChunkText();
      assert.equal(prelude.trim(), htmlfilePrelude('callback').trim());
      assert.ok(prelude.length > 1024, `prelude is ${prelude.length} bytes`);
      assert.equal(await res.nextChunkText(), '<script>\np("o");\n</script>\r\n');
      await expectXhrSend(server, session, '["x"]');
      assert.equal(await res.nextChunkText(), '<script>\np("a[\\"x\\"]");\n</script>\r\n');
    });

    test('HtmlFile.test_no_callback', async () => {
      assert500(await server.get('/echo/a/a/htmlfile'), '"callback" parameter required');
    });

    test('HtmlFile.test_invalid_callback', async () => {
      for (const callback of ['%20', '*', 'abc(', 'abc%28']) {
        assert500(await server.get(`/echo/a/a/htmlfile?c=${callback}`), 'invalid "callback" parameter');
      }
    });

    test('HtmlFile.test_response_limit', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openHtmlfile(t, server, session, '?c=callback');
      assert.ok((await res.nextChunk())?.length, 'prelude');
      assert.equal(await res.nextChunkText(), htmlfileFrame('o'));
      const msg = 'x'.repeat(4096);
      await expectXhrSend(server, session, `["${msg}"]`);
      assert.equal(await res.nextChunkText(), htmlfileFrame(`a["${msg}"]`));
      await assertBodyEnds(res, 'htmlfile after reaching response_limit');
    });

    test('a close frame ends the stream in the htmlfile envelope (4.7, 5.7)', async (t) => {
      const { res } = await openHtmlfile(t, server, newSessionPath('close'));
      await res.nextChunk();
      assert.equal(await res.nextChunkText(), htmlfileFrame('o'));
      assert.equal(await res.nextChunkText(), '<script>\np("c[3000,\\"Go away!\\"]");\n</script>\r\n');
      await assertBodyEnds(res);
    });

    test('prelude is byte-exact and 1027 + callback length long (5.7, 0.4 layout)', async (t) => {
      for (const callback of ['callback', '_jp.a1b2c3']) {
        const expected = htmlfilePrelude(callback);
        assert.equal(expected.length, 1027 + callback.length, 'self-check of the expected prelude');
        const { res, conn } = await openHtmlfile(t, server, newSessionPath('echo'), `?c=${callback}`);
        assert.equal(await res.nextChunkText(), expected);
        conn.destroy();
      }
    });

    test('callback may come as `callback`; `c` wins when both are given (5.7)', async (t) => {
      const a = await openHtmlfile(t, server, newSessionPath('echo'), '?callback=viaLong');
      assert.match(await a.res.nextChunkText(), /var c = parent\.viaLong;/);
      const b = await openHtmlfile(t, server, newSessionPath('echo'), '?callback=loser&c=winner');
      assert.match(await b.res.nextChunkText(), /var c = parent\.winner;/);
    });

    test('htmlfile has no CORS headers and errors keep no-cache (5.7)', async (t) => {
      const { res } = await openHtmlfile(t, server, newSessionPath('echo'));
      assertNoCors(res);
      const err = await server.get('/echo/a/a/htmlfile', [['Origin', 'http://example.com']]);
      assertNoCors(err);
      assertNotCached(err);
    });

    test('a message containing </script> cannot close the script element (section 10 item 21)', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openHtmlfile(t, server, session);
      await res.nextChunk();
      assert.equal(await res.nextChunkText(), htmlfileFrame('o'));
      const message = '</script><script>alert(1)</script><!--&>';
      await expectXhrSend(server, session, JSON.stringify([message]));
      const chunk = await res.nextChunkText();
      const m = /^<script>\np\(([\s\S]*)\);\n<\/script>\r\n$/.exec(chunk);
      assert.ok(m, `frame envelope: ${JSON.stringify(chunk)}`);
      const literal = m[1]!;
      assert.ok(!/<\/script/i.test(literal), `raw </script> inside the frame: ${literal}`);
      assert.ok(!literal.includes('<'), `raw < inside the frame: ${literal}`);
      // The client JSON-parses the frame handed to p(); that must give back the original message.
      const frame: unknown = JSON.parse(literal);
      assert.equal(typeof frame, 'string');
      assert.ok((frame as string).startsWith('a'));
      assert.deepEqual(JSON.parse((frame as string).slice(1)), [message]);
    });
  });
}
