import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';
import { SockJSServer } from './server.js';
import { isSockJSError } from './errors.js';
import { listening } from './test-support/loopback.js';

/** Sends a WebSocket handshake for `path` and resolves with the first line of the answer, or 'timeout'. */
async function handshakeStatus(port: number, path: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const timer = setTimeout(() => socket.destroy(new Error('timeout')), 10_000);
  try {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    return chunk.toString('latin1').split('\r\n')[0]!;
  } catch {
    return 'timeout';
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

function echo(prefix: string): SockJSServer {
  const sockjs = new SockJSServer({ prefix });
  sockjs.on('connection', (conn) => conn.on('data', (m: string) => conn.write(m)));
  return sockjs;
}

test('attachUpgrade: several services on one server answer an unclaimed upgrade 404 once, and each claims its own', async (t) => {
  const a = echo('/a');
  const b = echo('/b');
  const { server, port } = await listening(t, a, b);
  a.attachUpgrade(server);
  b.attachUpgrade(server);
  assert.equal(await handshakeStatus(port, '/elsewhere/websocket'), 'HTTP/1.1 404 Not Found');
  assert.equal(await handshakeStatus(port, '/a/websocket'), 'HTTP/1.1 101 Switching Protocols');
  assert.equal(await handshakeStatus(port, '/b/websocket'), 'HTTP/1.1 101 Switching Protocols');
});

test('attachUpgrade: an upgrade no service claims is left to another listener', async (t) => {
  const a = echo('/a');
  const { server, port } = await listening(t, a);
  a.attachUpgrade(server);
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => socket.end(`HTTP/1.1 418 Teapot ${req.url}\r\n\r\n`));
  assert.equal(await handshakeStatus(port, '/other'), 'HTTP/1.1 418 Teapot /other');
});

test('attachUpgrade: mountPath matches upgrades below it and hands them on without it', async (t) => {
  const sockjs = echo('/echo');
  const { server, port } = await listening(t, sockjs);
  sockjs.attachUpgrade(server, { mountPath: '/rt/' });
  const seen = new Promise<string>((resolve) => sockjs.once('connection', (conn) => resolve(conn.url)));
  const ws = new WebSocket(`ws://127.0.0.1:${port}/rt/echo/websocket`);
  t.after(() => ws.terminate());
  await once(ws, 'open');
  ws.send('hi');
  const [reply] = (await once(ws, 'message')) as [Buffer];
  assert.equal(reply.toString(), 'hi');
  assert.equal(await seen, '/echo/websocket');
  assert.equal(await handshakeStatus(port, '/echo/websocket'), 'HTTP/1.1 404 Not Found');
});

test('attachUpgrade: a second call updates the mount path without adding a listener', async (t) => {
  const sockjs = echo('/echo');
  const { server, port } = await listening(t, sockjs);
  sockjs.attachUpgrade(server).attachUpgrade(server, { mountPath: '/rt' }).attachUpgrade(server);
  assert.equal(server.listenerCount('upgrade'), 1);
  assert.equal(await handshakeStatus(port, '/rt/echo/websocket'), 'HTTP/1.1 101 Switching Protocols');
});

test('attachUpgrade: a mountPath that is not a path throws SOCKJS_ERR_INVALID_OPTION', () => {
  const sockjs = new SockJSServer({ prefix: '/echo' });
  assert.throws(
    () => sockjs.attachUpgrade(http.createServer(), { mountPath: 'rt' }),
    (e: unknown) => isSockJSError(e) && e.code === 'SOCKJS_ERR_INVALID_OPTION' && e instanceof Error && e.name === 'TypeError',
  );
});

test('createServer() without a prefix, then installHandlers(srv, { prefix }): handleRequest serves that prefix and hands other paths to next()', async (t) => {
  const sockjs = new SockJSServer();
  const app = http.createServer();
  sockjs.installHandlers(app, { prefix: '/echo' });
  let nexts = 0;
  const server = http.createServer((req, res) => {
    if (!sockjs.handleRequest(req, res, () => nexts++)) res.writeHead(200).end('app');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    await sockjs.close();
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const info = await fetch(`${base}/echo/info`);
  assert.equal(info.status, 200);
  assert.equal(((await info.json()) as { websocket: boolean }).websocket, true);
  const other = await fetch(`${base}/elsewhere`);
  assert.equal(await other.text(), 'app');
  assert.equal(nexts, 1);
});

test('a prefix-less server that was attached keeps serving every path after installHandlers adds another service', async (t) => {
  const sockjs = new SockJSServer();
  const { server, port } = await listening(t, sockjs);
  sockjs.attach(server).installHandlers(http.createServer(), { prefix: '/echo' });
  assert.equal((await fetch(`http://127.0.0.1:${port}/info`)).status, 200);
  assert.equal(server.listenerCount('request'), 1);
});
