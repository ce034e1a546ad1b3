// Real sockjs-client against the services whose /info changes what the
// client does (websocket disabled, cookie_needed), and broadcast between
// clients that use different transports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS } from '../helpers/test-server.ts';
import {
  useTestServer,
  NODE_TRANSPORTS,
  TestClient,
  fetchInfo,
  openClient,
  randomToken,
} from '../helpers/sockjs-client.ts';

const TEST_TIMEOUT = { timeout: 20_000 };

for (const adapter of ADAPTERS) {
  describe(`sockjs-client services (adapter ${adapter})`, () => {
    const ctx = useTestServer(adapter);

    describe('websocket disabled', () => {
      it('/disabled_websocket_echo falls back to a non-websocket transport with the default list and echoes', TEST_TIMEOUT, async () => {
        const info = await fetchInfo(`${ctx.server.baseUrl}/disabled_websocket_echo`);
        assert.equal(info.websocket, false, '/info must advertise websocket: false');

        const client = await openClient(`${ctx.server.baseUrl}/disabled_websocket_echo`);
        assert.notEqual(client.transportAtOpen, 'websocket');
        // With websocket ruled out by /info, xhr-streaming is the next
        // transport in the client's order that runs in Node (PROTOCOL.md 9);
        // anything else means xhr-streaming failed and the client fell back.
        assert.equal(client.transportAtOpen, 'xhr-streaming');
        const msg = `fallback ${randomToken()} ü€\ud800`;
        client.send(msg);
        assert.equal(await client.nextMessage(), msg);
        await client.close();
      });

      it('/disabled_websocket_echo refuses a client that only allows websocket', TEST_TIMEOUT, async () => {
        // The client drops websocket because of /info and has nothing left to try.
        const client = new TestClient(`${ctx.server.baseUrl}/disabled_websocket_echo`, 'websocket');
        const closed = await client.waitClosed(10_000);
        assert.equal(client.transportAtOpen, null, 'must never open');
        assert.deepEqual(closed, { code: 2000, reason: 'All transports failed', wasClean: false });
      });
    });

    describe('cookie_needed', () => {
      it('/cookie_needed_echo advertises cookie_needed: true', async () => {
        const info = await fetchInfo(`${ctx.server.baseUrl}/cookie_needed_echo`);
        assert.equal(info.cookie_needed, true);
      });

      for (const transport of NODE_TRANSPORTS) {
        it(`/cookie_needed_echo echoes over ${transport}`, TEST_TIMEOUT, async () => {
          const client = await openClient(`${ctx.server.baseUrl}/cookie_needed_echo`, transport);
          assert.equal(client.transportAtOpen, transport);
          const sent = [`cookie ${randomToken()}`, 'ü€\udc00%'];
          for (const m of sent) client.send(m);
          assert.deepEqual(await client.messages(sent.length), sent);
          await client.close();
        });
      }
    });

    describe('broadcast across transports', () => {
      // Each transport sends once and receives from a different one.
      const pairs = NODE_TRANSPORTS.map((t, i) => [t, NODE_TRANSPORTS[(i + 1) % NODE_TRANSPORTS.length]!] as const);
      for (const [first, second] of pairs) {
        it(`${first} <-> ${second}`, TEST_TIMEOUT, async () => {
          const a = await openClient(`${ctx.server.baseUrl}/broadcast`, first);
          const b = await openClient(`${ctx.server.baseUrl}/broadcast`, second);
          assert.equal(a.transportAtOpen, first);
          assert.equal(b.transportAtOpen, second);

          const fromA = `from ${first} ${randomToken()}`;
          a.send(fromA);
          assert.equal(await a.nextMessage(), fromA);
          assert.equal(await b.nextMessage(), fromA);

          const fromB = `from ${second} ${randomToken()} \u2028"`;
          b.send(fromB);
          assert.equal(await b.nextMessage(), fromB);
          assert.equal(await a.nextMessage(), fromB);

          // A burst from both sides: each client sees the other's messages in the order they were sent.
          const burstA = Array.from({ length: 20 }, (_, i) => `a${i}`);
          const burstB = Array.from({ length: 20 }, (_, i) => `b${i}`);
          for (const m of burstA) a.send(m);
          for (const m of burstB) b.send(m);
          const seenByA = await a.messages(40);
          const seenByB = await b.messages(40);
          for (const seen of [seenByA, seenByB]) {
            assert.deepEqual(seen.filter((m) => m.startsWith('a')), burstA);
            assert.deepEqual(seen.filter((m) => m.startsWith('b')), burstB);
          }

          await Promise.all([a.close(), b.close()]);
        });
      }
    });
  });
}
