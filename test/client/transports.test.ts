// Real sockjs-client (npm, 1.6.x) against the standard test server, one
// transport forced at a time. Every transport the client can run in Node is
// covered: websocket (faye-websocket), xhr-streaming and xhr-polling (node
// http), eventsource (the `eventsource` package).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { ADAPTERS } from '../helpers/test-server.ts';
import {
  useTestServer,
  NODE_TRANSPORTS,
  TestClient,
  allCodeUnits,
  describeString,
  openClient,
  probeSession,
  randomToken,
  sameCodeUnits,
  type SockJSCloseInfo,
} from '../helpers/sockjs-client.ts';

const TEST_TIMEOUT = { timeout: 20_000 };

for (const adapter of ADAPTERS) {
  describe(`sockjs-client transports (adapter ${adapter})`, () => {
    const ctx = useTestServer(adapter);

    for (const transport of NODE_TRANSPORTS) {
      describe(transport, () => {
        const open = async (service: string): Promise<TestClient> => {
          const client = await openClient(`${ctx.server.baseUrl}/${service}`, transport);
          assert.equal(client.transportAtOpen, transport, 'the client must really use the forced transport');
          return client;
        };

        it('echoes every UTF-16 code unit 0x0000-0xFFFF, lone surrogates included', TEST_TIMEOUT, async () => {
          const client = await open('echo');
          // Four 16 Ki-unit messages: each frame is far above /echo's
          // response_limit (4096), so streaming transports also get recycled.
          const parts = allCodeUnits(4);
          for (const part of parts) client.send(part);
          const echoed = await client.messages(parts.length, 10_000);
          echoed.forEach((got, i) => {
            const diff = sameCodeUnits(got, parts[i]!);
            assert.equal(diff, null, `message ${i} (U+${(i * 0x4000).toString(16).toUpperCase()}…): ${diff}`);
          });
          await delay(300);
          assert.equal(client.pending().length, 0, 'each message must be echoed exactly once');
          assert.equal(client.sock.transport, transport, 'transport changed during the session');
          await client.close();
        });

        it('echoes a 64 KiB message intact', TEST_TIMEOUT, async () => {
          const client = await open('echo');
          // Mixed content so that JSON escaping, multi-byte UTF-8 and
          // EventSource %-escaping all occur throughout the message.
          const alphabet = 'abcXYZ019 %"\\\n\r\té€𝄞\u2028\u0000/<>&';
          let msg = '';
          while (msg.length < 65536) msg += alphabet;
          msg = msg.slice(0, 65536);
          if (/[\ud800-\udbff]$/.test(msg)) msg = msg.slice(0, -1) + 'z';
          client.send(msg);
          const got = await client.nextMessage(10_000);
          assert.equal(sameCodeUnits(got, msg), null, `64 KiB echo differs: ${sameCodeUnits(got, msg)}`);
          await client.close();
        });

        it('echoes empty and whitespace-only messages as messages', TEST_TIMEOUT, async () => {
          // An empty string is a message like any other (PROTOCOL.md 4.9 / 4.4);
          // a stream-based connection can silently drop zero-length writes.
          const client = await open('echo');
          const sent = ['', ' ', '\n', '', 'end'];
          for (const m of sent) client.send(m);
          assert.deepEqual(await client.messages(sent.length), sent);
          await client.close();
        });

        it('delivers 500 messages sent in a burst in order, each intact', TEST_TIMEOUT, async () => {
          const client = await open('echo');
          const sent = Array.from({ length: 500 }, (_, i) => `${i}:${'m'.repeat(i % 37)}%ü\u2029${i}`);
          for (const m of sent) client.send(m);
          const got = await client.messages(sent.length, 15_000);
          for (let i = 0; i < sent.length; i++) {
            assert.equal(got[i], sent[i], `message #${i}: got ${describeString(got[i] ?? '')}`);
          }
          // Recycled streaming responses and re-polls must not replay frames.
          await delay(300);
          assert.equal(client.pending().length, 0, `unexpected extra messages: ${client.pending().slice(0, 3).map(describeString).join(', ')}`);
          await client.close();
        });

        it('server close: /close gives code 3000 "Go away!" with wasClean true', TEST_TIMEOUT, async () => {
          const client = await open('close');
          const info = await client.waitClosed(5000);
          assert.deepEqual(info, { code: 3000, reason: 'Go away!', wasClean: true } satisfies SockJSCloseInfo);
          assert.deepEqual(client.pending(), [], 'no application messages expected from /close');
        });

        it('client close: the client gets its close event and the server ends the session', TEST_TIMEOUT, async () => {
          const peer = await open('broadcast');
          const leaver = await open('broadcast');

          // Both are registered with the broadcast service before one leaves.
          const hello = `hello-${randomToken()}`;
          leaver.send(hello);
          assert.equal(await leaver.nextMessage(), hello);
          assert.equal(await peer.nextMessage(), hello);

          const ws = leaver.underlyingWebSocket();
          let wsClose: SockJSCloseInfo | null = null;
          if (transport === 'websocket') {
            assert.ok(ws, 'could not reach the faye-websocket client under the websocket transport');
            ws.addEventListener('close', (event: unknown) => {
              const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
              wsClose = { code: Number(e.code), reason: String(e.reason), wasClean: e.wasClean === true };
            });
          } else {
            // The next receiving request is issued right after the previous
            // one completes; give it time to reach the server so the close
            // below aborts an attached receiver (the case 4.6 specifies).
            await delay(200);
            assert.equal(await probeSession(leaver), 204, 'session should exist while the client is open');
          }

          const info = await leaver.close(1000, 'bye');
          assert.deepEqual(info, { code: 1000, reason: 'bye', wasClean: true } satisfies SockJSCloseInfo);

          if (transport === 'websocket') {
            // PROTOCOL.md 5.1: the server answers the client's close frame.
            // faye-websocket reports 1006 if the TCP connection just drops.
            const deadline = Date.now() + 3000;
            while (!wsClose && Date.now() < deadline) await delay(20);
            assert.ok(wsClose, 'the WebSocket did not finish closing within 3 s');
            assert.equal((wsClose as SockJSCloseInfo).code, 1000, 'server must complete the WebSocket closing handshake');
          } else {
            // PROTOCOL.md 4.6: aborting an attached receiver destroys the
            // session immediately (well before disconnect_delay, 5 s), after
            // which sends to it get 404 (4.2).
            const deadline = Date.now() + 2000;
            let status = await probeSession(leaver);
            while (status !== 404 && Date.now() < deadline) {
              await delay(50);
              status = await probeSession(leaver);
            }
            assert.equal(status, 404, 'session still accepts xhr_send 2 s after the client aborted its receiving request');
          }

          // The server survives broadcasting to the departed session and still serves the peer.
          const after = `after-${randomToken()}`;
          peer.send(after);
          assert.equal(await peer.nextMessage(), after);
          await delay(100);
          assert.deepEqual(peer.pending(), [], 'peer received unexpected extra messages');
          await peer.close();
        });

        it('/ticker delivers tick! messages', TEST_TIMEOUT, async () => {
          const client = await open('ticker');
          // Ticks come once a second of wall-clock time; the bound only limits how long a failure takes to show.
          const ticks = await client.messages(2, 10_000);
          assert.deepEqual(ticks, ['tick!', 'tick!']);
          await client.close();
        });

        it('/amplify answers 2^n x characters', TEST_TIMEOUT, async () => {
          const client = await open('amplify');
          // 18 gives 256 KiB, above the default 128 KiB response_limit, so
          // streaming transports must end and reopen the response cleanly.
          const cases: Array<[string, number]> = [
            ['1', 2],
            ['4', 16],
            ['10', 1024],
            ['16', 65536],
            ['18', 262144],
            ['0', 2],
            ['19', 2],
            ['nope', 2],
          ];
          for (const [input] of cases) client.send(input);
          const got = await client.messages(cases.length, 10_000);
          cases.forEach(([input, length], i) => {
            assert.equal(got[i], 'x'.repeat(length), `amplify ${JSON.stringify(input)}: got ${describeString(got[i] ?? '')}`);
          });
          await client.close();
        });
      });
    }

    it('the server process is still healthy after all transports', async () => {
      const client = await openClient(`${ctx.server.baseUrl}/echo`, 'xhr-polling');
      client.send('still here');
      assert.equal(await client.nextMessage(), 'still here');
      await client.close();
      assert.doesNotMatch(ctx.server.output(), /^\s+at .+:\d+:\d+\)?$/m, `server printed a stack trace:\n${ctx.server.output()}`);
    });
  });
}
