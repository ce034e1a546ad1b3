// The (req, res, next) adapters on real Express 4, Express 5 and Connect 3:
// prefix and mount paths, the upgrade fallback, several services, other
// upgrade listeners, compression and shutdown.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import type compressionType from 'compression';
import type connectType from 'connect';
import type expressType from 'express';
import { sockjs as connectSockjs } from '@sockjs-server/connect';
import { sockjs as expressSockjs, type SockJSMiddleware } from '@sockjs-server/express';
import type { SockJSServerOptions } from '@sockjs-server/core';
import { EXPRESS_VERSIONS, echoOnce, load, openStream, openWebSocket, request, assertDelivered, sendAndReceive, serve, sessionPath } from './harness.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
interface App {
  (req: IncomingMessage, res: ServerResponse): void;
  use(handler: Handler): unknown;
  use(path: string, handler: Handler): unknown;
}

const frameworks: Record<string, { app: () => Promise<App>; sockjs: (options?: SockJSServerOptions) => SockJSMiddleware }> = {
  connect: { app: async () => (await load<typeof connectType>('connect'))() as App, sockjs: connectSockjs },
};
for (const [name, pkg] of Object.entries(EXPRESS_VERSIONS)) {
  frameworks[name] = { app: async () => (await load<typeof expressType>(pkg))() as unknown as App, sockjs: expressSockjs };
}

/** An echo service and an app that ends with a plain 'app' answer, so "passed to next()" is visible. */
function echo(make: (options?: SockJSServerOptions) => SockJSMiddleware, prefix = '/echo'): SockJSMiddleware {
  const service = make({ prefix });
  service.on('connection', (conn) => conn.on('data', (m: string) => conn.write(m)));
  return service;
}

const finalHandler: Handler = (req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`app ${req.url}`);
};

for (const [name, framework] of Object.entries(frameworks)) {
  describe(`(req, res, next) middleware on ${name}`, () => {
    async function start(t: Parameters<typeof serve>[0], mount: (app: App, server: http.Server) => void) {
      const app = await framework.app();
      const server = http.createServer(app);
      mount(app, server);
      app.use(finalHandler);
      return Object.assign(server, { port: await serve(t, server) });
    }

    test('serves its prefix and passes every other request to next()', async (t) => {
      const service = echo(framework.sockjs);
      t.after(() => service.close());
      const { port } = await start(t, (app) => app.use(service));
      const info = await request(port, 'GET', '/echo/info');
      assert.equal(info.status, 200);
      assert.equal(JSON.parse(info.body).websocket, true);
      assert.equal((await request(port, 'GET', '/echoes/info')).body, 'app /echoes/info');
    });

    test('mounted under /rt: the prefix is relative to the mount, for requests and for upgrades', async (t) => {
      const service = echo(framework.sockjs);
      t.after(() => service.close());
      const urls: string[] = [];
      service.on('connection', (conn) => urls.push(conn.url));
      const { port } = await start(t, (app) => app.use('/rt', service));
      assert.equal((await request(port, 'GET', '/rt/echo/info')).status, 200);
      assert.equal((await request(port, 'GET', '/echo/info')).body, 'app /echo/info');
      const ws = await openWebSocket(t, `ws://127.0.0.1:${port}/rt/echo/websocket`);
      assert.equal(await echoOnce(ws, 'mounted'), 'mounted');
      assert.deepEqual(urls, ['/echo/websocket'], 'connections see URLs below the mount, as middleware does');
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), /answered 404/);
    });

    test('attach(server, { mountPath }) serves WebSockets under the mount before any HTTP request', async (t) => {
      const service = echo(framework.sockjs);
      t.after(() => service.close());
      const { port } = await start(t, (app, server) => app.use('/rt', service.attach(server, { mountPath: '/rt' })));
      const ws = await openWebSocket(t, `ws://127.0.0.1:${port}/rt/echo/websocket`);
      assert.equal(await echoOnce(ws, 'early'), 'early');
    });

    test('upgrade fallback: without attach(), WebSockets work from the first HTTP request on', async (t) => {
      const service = echo(framework.sockjs);
      t.after(() => service.close());
      const { port } = await start(t, (app) => app.use(service));
      // Before any request nobody listens for upgrades: Node hands the handshake to the app as a plain request.
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), /answered/);
      assert.equal((await request(port, 'GET', '/echo/info')).status, 200);
      const ws = await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`);
      assert.equal(await echoOnce(ws, 'wired'), 'wired');
    });

    test('two services on two prefixes in one app, each with its own connections', async (t) => {
      const a = echo(framework.sockjs, '/a');
      const b = framework.sockjs({ prefix: '/b' });
      b.on('connection', (conn) => conn.on('data', (m: string) => conn.write(`b:${m}`)));
      t.after(() => Promise.all([a.close(), b.close()]));
      const { port } = await start(t, (app, server) => {
        app.use(a.attach(server));
        app.use(b.attach(server));
      });
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/a/websocket`), 'x'), 'x');
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/b/websocket`), 'x'), 'b:x');
      assert.equal((await request(port, 'GET', '/b/info')).status, 200);
      await assert.rejects(openWebSocket(t, `ws://127.0.0.1:${port}/c/websocket`), /answered 404/, 'an upgrade neither claims is refused, not left hanging');
    });

    test('upgrades that are not ours reach the other upgrade listeners', async (t) => {
      const service = echo(framework.sockjs);
      t.after(() => service.close());
      const other = new WebSocketServer({ noServer: true });
      t.after(() => other.close());
      other.on('connection', (ws) => ws.on('message', (m: Buffer) => ws.send(`other:${m}`)));
      const { port } = await start(t, (app, server) => {
        app.use(service.attach(server));
        server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
          if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => other.emit('connection', ws, req));
        });
      });
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/other`), 'x'), 'other:x');
      assert.equal(await echoOnce(await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`), 'ours'), 'ours');
    });

    test('compression() before us leaves xhr_streaming unbuffered and uncompressed', async (t) => {
      const compression = await load<typeof compressionType>('compression');
      const service = framework.sockjs({ prefix: '/ticker' });
      service.on('connection', (conn) => conn.write('tick'));
      t.after(() => service.close());
      const { port } = await start(t, (app) => {
        app.use(compression({ threshold: 0 }) as unknown as Handler);
        app.use(service);
      });
      const stream = await openStream(port, `${sessionPath('/ticker')}/xhr_streaming`, { 'accept-encoding': 'gzip' });
      t.after(() => stream.close());
      assert.equal(stream.headers['content-encoding'], undefined);
      assert.equal(await stream.next(), 'o');
      assert.equal(await stream.next(), 'a["tick"]');
      const other = await request(port, 'GET', '/page', '', { 'accept-encoding': 'gzip' });
      assert.equal(other.headers['content-encoding'], 'gzip', 'compression is active for the rest of the app');
    });

    test('close() ends WebSocket and streaming sessions so server.close() completes', async (t) => {
      const service = echo(framework.sockjs);
      const server = await start(t, (app, httpServer) => app.use(service.attach(httpServer)));
      const { port } = server;
      const ws = await openWebSocket(t, `ws://127.0.0.1:${port}/echo/websocket`);
      const stream = await openStream(port, `${sessionPath('/echo')}/xhr_streaming`);
      t.after(() => stream.close());
      assert.equal(await stream.next(), 'o');
      assert.deepEqual(service.stats().registry, { httpSessions: 1, webSocketSessions: 1, timers: service.stats().registry.timers });
      const wsClosed = once(ws, 'close');
      await service.close();
      const [code] = (await wsClosed) as [number];
      assert.equal(code, 1000);
      assert.match(await stream.next(), /^c\[/);
      assert.equal(service.stats().registry.httpSessions + service.stats().registry.webSocketSessions, 0);
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    });
  });
}

for (const [name, pkg] of Object.entries(EXPRESS_VERSIONS)) {
  test(`${name}: express.json(), express.urlencoded() and express.text() before us leave xhr_send and jsonp_send working`, async (t) => {
    const express = await load<typeof expressType>(pkg);
    const app = express();
    app.use(express.json(), express.urlencoded({ extended: false }), express.text());
    const service = echo(expressSockjs);
    t.after(() => service.close());
    app.use(service);
    const port = await serve(t, http.createServer(app));
    const cases = [
      ['xhr_send', '["json"]', 'application/json', 'a["json"]'],
      ['xhr_send', '["text"]', 'text/plain', 'a["text"]'],
      ['jsonp_send', 'd=%5B%22form%22%5D', 'application/x-www-form-urlencoded', 'a["form"]'],
      ['jsonp_send', '["raw"]', 'text/plain', 'a["raw"]'],
    ] as const;
    await assertDelivered(port, '/echo', cases);
  });
}

test('a middleware that consumed the body and kept nothing makes xhr_send answer, not hang', async (t) => {
  const express = await load<typeof expressType>('express');
  const app = express();
  app.use((req, _res, next) => {
    req.resume();
    req.once('end', () => next());
  });
  const service = echo(expressSockjs);
  t.after(() => service.close());
  app.use(service);
  const port = await serve(t, http.createServer(app));
  const { send } = await sendAndReceive(port, '/echo', 'xhr_send', '["lost"]', 'text/plain');
  assert.equal(send.status, 500);
  assert.equal(send.body, 'Payload expected.');
});

test('the Express adapter is the Connect adapter', () => {
  assert.equal(expressSockjs, connectSockjs);
});
