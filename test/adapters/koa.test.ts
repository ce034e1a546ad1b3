// The Koa adapter on real Koa 2 and Koa 3.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type KoaType from 'koa';
import type bodyParserType from 'koa-bodyparser';
import { sockjs, type KoaSockJSMiddleware } from '@sockjs-server/koa';
import { KOA_VERSIONS, echoOnce, load, openStream, openWebSocket, request, assertDelivered, serve, sessionPath } from './harness.ts';

function echo(prefix = '/echo'): KoaSockJSMiddleware {
  const service = sockjs({ prefix });
  service.on('connection', (conn) => conn.on('data', (m: string) => conn.write(m)));
  return service;
}

for (const [name, pkg] of Object.entries(KOA_VERSIONS)) {
  describe(`Koa middleware on ${name}`, () => {
    /** An app whose last middleware answers 'app <url>', so "passed to next()" is visible. */
    async function start(t: Parameters<typeof serve>[0], mount: (app: KoaType, server: http.Server) => void) {
      const Koa = await load<typeof KoaType>(pkg);
      const app = new Koa();
      const server = http.createServer();
      mount(app, server);
      app.use((ctx) => {
        ctx.body = `app ${ctx.url}`;
      });
      server.on('request', app.callback());
      return Object.assign(server, { port: await serve(t, server) });
    }

    test('serves its prefix with ctx.respond = false and passes the rest to next()', async (t) => {
      const service = echo();
      t.after(() => service.close());
      let after = 0;
      const { port } = await start(t, (app) => {
        app.use(async (_ctx, next) => {
          await next();
          after++;
        });
        app.use(service);
      });
      const info = await request(port, 'GET', '/echo/info');
      assert.equal(info.status, 200);
      assert.equal(info.headers['content-type'], 'application/json; charset=UTF-8');
      assert.equal((await request(port, 'GET', '/elsewhere')).body, 'app /elsewhere');
      assert.equal(after, 2, 'upstream middleware still completes for our requests');
    });

    test('upgrade fallback: without attach(), WebSockets work from the first HTTP request on', async (t) => {
      const service = echo();
      t.after(() => service.close());
      const { port } = await start(t, (app) => app.use(service));
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), /answered/);
      assert.equal((await request(port, 'GET', '/echo/info')).status, 200);
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), 'wired'), 'wired');
    });

    test('two services with attach(): WebSockets before any request; other upgrades get 404', async (t) => {
      const a = echo('/a');
      const b = echo('/b');
      t.after(() => Promise.all([a.close(), b.close()]));
      const { port } = await start(t, (app, server) => {
        app.use(a.attach(server));
        app.use(b.attach(server));
      });
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/b/websocket`), 'b'), 'b');
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/a/websocket`), 'a'), 'a');
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/c/websocket`), /answered 404/);
    });

    test('koa-bodyparser before us leaves xhr_send and jsonp_send working', async (t) => {
      const bodyParser = await load<typeof bodyParserType>('koa-bodyparser');
      const service = echo();
      t.after(() => service.close());
      const { port } = await start(t, (app) => {
        app.use(bodyParser({ enableTypes: ['json', 'form', 'text'] }));
        app.use(service);
      });
      const cases = [
        ['xhr_send', '["json"]', 'application/json', 'a["json"]'],
        ['xhr_send', '["text"]', 'text/plain', 'a["text"]'],
        ['jsonp_send', 'd=%5B%22form%22%5D', 'application/x-www-form-urlencoded', 'a["form"]'],
      ] as const;
      await assertDelivered(port, '/echo', cases);
    });

    test('close() ends the sessions so server.close() completes, and Koa reports no client aborts', async (t) => {
      const service = echo();
      const errors: unknown[] = [];
      const server = await start(t, (app, httpServer) => {
        app.on('error', (error: unknown) => errors.push(error));
        app.use(service.attach(httpServer));
      });
      const ws = await openWebSocket(t, `ws://127.0.0.1:${server.port}/echo/websocket`);
      const aborted = await openStream(server.port, `${sessionPath('/echo')}/xhr_streaming`);
      assert.equal(await aborted.next(), 'o');
      aborted.close();
      const stream = await openStream(server.port, `${sessionPath('/echo')}/xhr_streaming`);
      t.after(() => stream.close());
      assert.equal(await stream.next(), 'o');
      const wsClosed = new Promise<number>((resolve) => ws.once('close', resolve));
      await service.close();
      assert.equal(await wsClosed, 1000);
      assert.match(await stream.next(), /^c\[/);
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      assert.deepEqual(errors, []);
    });
  });
}
