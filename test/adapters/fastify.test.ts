// The Fastify plugin on real Fastify 4 and Fastify 5.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type FastifyType from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SockJSServer, isSockJSError } from '@sockjs-server/core';
import { sockjs, type FastifySockJSOptions } from '@sockjs-server/fastify';
import { FASTIFY_VERSIONS, echoOnce, load, openStream, openWebSocket, request, assertDelivered, sessionPath } from './harness.ts';

const echoOptions: FastifySockJSOptions = { prefix: '/echo', onConnection: (conn) => conn.on('data', (m: string) => conn.write(m)) };

for (const [name, pkg] of Object.entries(FASTIFY_VERSIONS)) {
  describe(`Fastify plugin on ${name}`, () => {
    /** A Fastify app with one route, `GET /page`, listening on an ephemeral port; closed after the test. */
    async function start(t: { after(fn: () => unknown): void }, register: (app: FastifyInstance) => PromiseLike<unknown>, bodyLimit?: number) {
      const Fastify = await load<typeof FastifyType>(pkg);
      const app = Fastify(bodyLimit === undefined ? {} : { bodyLimit });
      app.get('/page', async () => 'page');
      app.post('/json', async (req) => req.body);
      await register(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      t.after(() => app.close());
      return { app, port: (app.server.address() as AddressInfo).port };
    }

    test('claims its prefix and leaves the other routes (and 404s) to Fastify', async (t) => {
      const { port } = await start(t, (app) => app.register(sockjs, echoOptions));
      assert.equal((await request(port, 'GET', '/echo/info')).status, 200);
      assert.equal((await request(port, 'GET', '/page')).body, 'page');
      assert.equal((await request(port, 'POST', '/json', '{"a":1}', { 'content-type': 'application/json' })).body, '{"a":1}');
      assert.equal((await request(port, 'GET', '/nowhere')).status, 404);
    });

    test('upgrades are wired at registration: a WebSocket works before any HTTP request', async (t) => {
      const { port } = await start(t, (app) => app.register(sockjs, echoOptions));
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), 'early'), 'early');
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/page`), /answered 404/, 'an upgrade that is not ours is answered');
    });

    test("Fastify's parsers and bodyLimit never see our bodies", async (t) => {
      const { port } = await start(t, (app) => app.register(sockjs, echoOptions), 64);
      const big = JSON.stringify(['x'.repeat(1000)]);
      const cases = [
        ['jsonp_send', 'd=%5B%22form%22%5D', 'application/x-www-form-urlencoded', 'a["form"]'],
        ['xhr_send', '["json"]', 'application/json', 'a["json"]'],
        ['xhr_send', big, 'text/plain', `a${big}`],
      ] as const;
      await assertDelivered(port, '/echo', cases);
      assert.equal((await request(port, 'POST', '/json', big, { 'content-type': 'application/json' })).status, 413, "Fastify's own routes keep their limit");
    });

    test('two services on two prefixes, one given as a SockJSServer', async (t) => {
      const b = new SockJSServer({ prefix: '/b' });
      b.on('connection', (conn) => conn.on('data', (m: string) => conn.write(`b:${m}`)));
      const { port } = await start(t, async (app) => {
        await app.register(sockjs, echoOptions);
        await app.register(sockjs, { server: b });
      });
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), 'x'), 'x');
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/b/websocket`), 'x'), 'b:x');
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/c/websocket`), /answered 404/);
    });

    test('fastify.close() ends every session and resolves', async (t) => {
      const service = new SockJSServer({ prefix: '/echo' });
      service.on('connection', (conn) => conn.on('data', (m: string) => conn.write(m)));
      const { app, port } = await start(t, (fastify) => fastify.register(sockjs, { server: service }));
      const ws = await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`);
      const stream = await openStream(port, `${sessionPath('/echo')}/xhr_streaming`);
      t.after(() => stream.close());
      assert.equal(await stream.next(), 'o');
      const wsClosed = new Promise<number>((resolve) => ws.once('close', resolve));
      const closing = app.close();
      assert.equal(await wsClosed, 1000);
      assert.match(await stream.next(), /^c\[/);
      await closing;
      assert.equal(service.stats().registry.httpSessions + service.stats().registry.webSocketSessions, 0);
      assert.equal(app.server.listening, false);
    });

    for (const [what, options] of [
      ['both `server` and SockJS options', { server: new SockJSServer(), prefix: '/x' }],
      ['an invalid option', { prefix: '/x', heartbeatDelay: -1 }],
    ] as const) {
      test(`${what} reject register() with SOCKJS_ERR_INVALID_OPTION`, async () => {
        const app = (await load<typeof FastifyType>(pkg))();
        try {
          await assert.rejects(
            async () => {
              await app.register(sockjs, options);
            },
            (e: unknown) => isSockJSError(e) && e.code === 'SOCKJS_ERR_INVALID_OPTION',
          );
        } finally {
          await app.close().catch(() => {});
        }
      });
    }
  });
}
