// PROTOCOL.md 4.3, 4.6 and 4.7: close frames, 2010, aborted receivers.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTERS,
  XHR_STREAMING_PRELUDE,
  assertBodyEnds,
  expectXhrPoll,
  expectXhrSend,
  newSessionPath,
  openXhrStreaming,
  pause,
  useTestServer,
  type OpenStream,
  type ServerHandle,
} from '../helpers/conformance.ts';
import { connect } from '../helpers/raw-http.ts';

const ANOTHER = 'c[2010,"Another connection still open"]\n';

/** An xhr_streaming receiver that got `o`, and a second one on the same session that got 2010 (its prelude skipped). */
async function streamThenRefused(t: TestContext, server: ServerHandle, session: string): Promise<[OpenStream, OpenStream]> {
  const first = await openXhrStreaming(t, server, session);
  await first.res.nextChunk();
  assert.equal(await first.res.nextChunkText(), 'o\n');
  const second = await openXhrStreaming(t, server, session);
  await second.res.nextChunk();
  assert.equal(await second.res.nextChunkText(), ANOTHER);
  return [first, second];
}
/** 4.6: a new session (`o`), or the optional 1002 that the suite also accepts. */
const AFTER_ABORT = ['o\n', 'c[1002,"Connection interrupted"]\n'];

/**
 * The first frame a new receiver gets after the client dropped the previous
 * one. The server learns of the drop when the TCP close reaches it; until then
 * the new receiver is refused with 2010, which changes nothing, so it asks
 * again rather than guessing how long a loaded machine needs.
 */
async function firstFrameAfterAbort(openReceiver: () => Promise<string>): Promise<string> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const frame = await openReceiver();
    if (frame !== ANOTHER || Date.now() > deadline) return frame;
    await pause(20);
  }
}

for (const adapter of ADAPTERS) {
  describe(`handling close [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('HandlingClose.test_close_frame', async (t) => {
      const session = newSessionPath('close');
      const r1 = await openXhrStreaming(t, server, session);
      assert.equal(await r1.res.nextChunkText(), XHR_STREAMING_PRELUDE);
      assert.equal(await r1.res.nextChunkText(), 'o\n');
      assert.equal(await r1.res.nextChunkText(), 'c[3000,"Go away!"]\n');

      const r2 = await openXhrStreaming(t, server, session);
      assert.equal(await r2.res.nextChunkText(), XHR_STREAMING_PRELUDE);
      assert.equal(await r2.res.nextChunkText(), 'c[3000,"Go away!"]\n', 'the stored close frame, not 2010');

      await assertBodyEnds(r1.res, 'first stream');
      await assertBodyEnds(r2.res, 'second stream');
    });

    test('HandlingClose.test_close_request', async (t) => {
      const session = newSessionPath('echo');
      const [r1, r2] = await streamThenRefused(t, server, session);
      await assertBodyEnds(r2.res, 'refused stream');
      // The attached stream and its session are untouched by the refusal.
      await expectXhrSend(server, session, '["still"]');
      assert.equal(await r1.res.nextChunkText(), 'a["still"]\n');
    });

    test('HandlingClose.test_abort_xhr_streaming', async (t) => {
      const session = newSessionPath('echo');
      const [r1, r2] = await streamThenRefused(t, server, session);
      await assertBodyEnds(r2.res);

      r1.conn.destroy();
      const frame = await firstFrameAfterAbort(async () => {
        const r3 = await openXhrStreaming(t, server, session);
        await r3.res.nextChunk();
        return r3.res.nextChunkText();
      });
      assert.ok(AFTER_ABORT.includes(frame), `after abort got ${JSON.stringify(frame)}`);
    });

    test('HandlingClose.test_abort_xhr_polling', async (t) => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      const parked = await connect(t, server.port);
      // Its head arrives once the server holds it as the receiver (a waiting poll is flushed at once, 5).
      await parked.request({ method: 'POST', path: `${session}/xhr` });
      await expectXhrPoll(server, session, ANOTHER);

      parked.destroy();
      const frame = await firstFrameAfterAbort(async () => (await server.post(`${session}/xhr`)).text);
      assert.ok(AFTER_ABORT.includes(frame), `after abort got ${JSON.stringify(frame)}`);
    });

    test('an aborted session is gone: a new session starts and works (4.6)', async (t) => {
      const session = newSessionPath('echo');
      const r1 = await openXhrStreaming(t, server, session);
      await r1.res.nextChunk();
      assert.equal(await r1.res.nextChunkText(), 'o\n');
      await expectXhrSend(server, session, '["lost?"]');
      assert.equal(await r1.res.nextChunkText(), 'a["lost?"]\n');
      r1.conn.destroy();
      const frame = await firstFrameAfterAbort(async () => (await server.post(`${session}/xhr`)).text);
      if (frame === 'o\n') {
        await expectXhrSend(server, session, '["fresh"]');
        await expectXhrPoll(server, session, 'a["fresh"]\n');
      } else {
        assert.equal(frame, AFTER_ABORT[1]);
      }
    });

    test('messages sent to a closing session are accepted and dropped (4.7)', async () => {
      // /close closes in its connection handler, so after the `o` poll the session is CLOSING but still registered.
      const session = newSessionPath('close');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, '["ignored"]');
      await expectXhrPoll(server, session, 'c[3000,"Go away!"]\n');
    });
  });
}
