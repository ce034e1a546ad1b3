// PROTOCOL.md 5.5 and 5.9: xhr-streaming, one chunk per prelude and frame.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  CT_JS,
  XHR_STREAMING_PRELUDE,
  assertBodyEnds,
  assertCors,
  assertNotCached,
  assertPreflight,
  expectXhrSend,
  newSessionPath,
  openXhrStreaming,
  useTestServer,
} from '../helpers/conformance.ts';

for (const adapter of ADAPTERS) {
  describe(`xhr-streaming [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('XhrStreaming.test_options', async () => {
      await assertPreflight(server, '/echo/abc/abc/xhr_streaming', 'OPTIONS, POST');
    });

    test('XhrStreaming.test_transport', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openXhrStreaming(t, server, session, [['Origin', 'test']]);
      assert.equal(res.headers.get('content-type'), CT_JS);
      assertCors(res, 'test');
      assertNotCached(res);
      assert.equal(res.headers.has('content-length'), false, 'streaming responses never carry Content-Length');
      assert.equal(await res.nextChunkText(), XHR_STREAMING_PRELUDE);
      assert.equal(await res.nextChunkText(), 'o\n');
      await expectXhrSend(server, session, '["x"]');
      assert.equal(await res.nextChunkText(), 'a["x"]\n');
    });

    test('XhrStreaming.test_response_limit', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openXhrStreaming(t, server, session);
      assert.ok((await res.nextChunk())?.length, 'prelude');
      assert.equal(await res.nextChunkText(), 'o\n');
      // 2 + 31 × 134 = 4156 ≥ 4096 only after the 31st frame (30 frames: 4022).
      const msg = `"${'x'.repeat(128)}"`;
      for (let i = 0; i < 31; i++) {
        await expectXhrSend(server, session, `[${msg}]`);
        assert.equal(await res.nextChunkText(), `a[${msg}]\n`, `frame ${i + 1}`);
      }
      await assertBodyEnds(res, 'stream after reaching response_limit');
    });

    test('the session survives a response_limit recycle: next stream continues it (4.6, 5.9)', async (t) => {
      const session = newSessionPath('echo');
      const first = await openXhrStreaming(t, server, session);
      await first.res.nextChunk();
      assert.equal(await first.res.nextChunkText(), 'o\n');
      const big = 'y'.repeat(4100);
      await expectXhrSend(server, session, `["${big}"]`);
      assert.equal(await first.res.nextChunkText(), `a["${big}"]\n`);
      await assertBodyEnds(first.res);
      const second = await openXhrStreaming(t, server, session);
      assert.equal(await second.res.nextChunkText(), XHR_STREAMING_PRELUDE);
      await expectXhrSend(server, session, '["again"]');
      // No new `o`: the same session is continued.
      assert.equal(await second.res.nextChunkText(), 'a["again"]\n');
    });

    test('each write is its own frame in its own chunk (4.4, 5)', async (t) => {
      const session = newSessionPath('echo');
      const { res } = await openXhrStreaming(t, server, session);
      await res.nextChunk();
      assert.equal(await res.nextChunkText(), 'o\n');
      await expectXhrSend(server, session, '["a","b","c"]');
      assert.equal(await res.nextChunkText(), 'a["a"]\n');
      assert.equal(await res.nextChunkText(), 'a["b"]\n');
      assert.equal(await res.nextChunkText(), 'a["c"]\n');
    });
  });
}
