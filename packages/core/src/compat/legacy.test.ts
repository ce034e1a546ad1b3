import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { createServer, type Connection } from '../index.js';
import { Session } from '../legacy-transport.js';
import { listening } from '../test-support/loopback.js';

/** Opens a SockJS WebSocket session on `port` with an Origin header; resolves once the server has the connection. */
async function openSession(t: { after(fn: () => unknown): void }, port: number, server: ReturnType<typeof createServer>) {
  const arrived = once(server, 'connection') as Promise<[Connection]>;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/echo/000/legacy/websocket`, { origin: 'http://page.example' });
  t.after(() => ws.terminate());
  const [[conn]] = await Promise.all([arrived, once(ws, 'open')]);
  return { conn, ws };
}

test("a patched Session.prototype.decorateConnection runs for every receiving request, as webpack-dev-server's origin patch expects", async (t) => {
  const engineStep = Session.prototype.decorateConnection;
  t.after(() => {
    Session.prototype.decorateConnection = engineStep;
  });
  Session.prototype.decorateConnection = function (this: Session, req) {
    engineStep.call(this, req);
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !('origin' in this.connection.headers)) this.connection.headers.origin = origin;
  };
  const server = createServer({ prefix: '/echo' });
  const { server: http, port } = await listening(t, server);
  server.attach(http);
  const { conn } = await openSession(t, port, server);
  assert.equal(conn.headers.origin, 'http://page.example');
  assert.equal(conn.headers.host, `127.0.0.1:${port}`);
  assert.equal(conn.protocol, 'websocket');
});

test("conn._session.didTimeout overridden on the instance runs once the session is over, as shoe's cleanup expects", async (t) => {
  const server = createServer({ prefix: '/echo' });
  const { server: http, port } = await listening(t, server);
  server.attach(http);
  const { conn, ws } = await openSession(t, port, server);
  const legacy = (conn as unknown as { _session: Session })._session;
  assert.equal(legacy.connection, conn);
  assert.equal(legacy.readyState, 1);
  const events: string[] = [];
  const engineStep = legacy.didTimeout;
  legacy.didTimeout = function () {
    events.push('didTimeout');
    engineStep.apply(this);
  };
  conn.on('end', () => events.push('end'));
  const closed = once(conn, 'close');
  ws.close();
  await closed;
  assert.deepEqual(events, ['didTimeout', 'end']);
});

test('an unpatched Session copies only the whitelisted headers (origin is not one)', async (t) => {
  const server = createServer({ prefix: '/echo' });
  const { server: http, port } = await listening(t, server);
  server.attach(http);
  const { conn } = await openSession(t, port, server);
  assert.equal(conn.headers.origin, undefined);
  assert.equal(conn.headers.host, `127.0.0.1:${port}`);
});
