import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Connection, type ConnectionTarget } from './connection.js';
import { ReadyState } from './constants.js';
import { resolveOptions } from './options.js';
import { SessionRegistry } from './session-registry.js';

const from = (remoteAddress: string) => ({ socket: { remoteAddress } }) as unknown as IncomingMessage;

test('a created session is found by id, and leaves the registry by itself when it ends', () => {
  const registry = new SessionRegistry(resolveOptions({ prefix: '/echo' }), () => {});
  const session = registry.create('abc', from('127.0.0.1'));
  assert.equal(registry.lookup('abc', from('127.0.0.2')), session);
  assert.equal(registry.lookup('other', from('127.0.0.1')), undefined);
  assert.equal(session.connection.prefix, '/echo');
  assert.equal(registry.stats().registry.httpSessions, 1);
  session.terminate();
  assert.equal(registry.lookup('abc', from('127.0.0.1')), undefined);
  assert.deepEqual(registry.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
});

test('with bindSessionToAddress a session is hidden (null) from any other address', () => {
  const registry = new SessionRegistry(resolveOptions({ bindSessionToAddress: true }), () => {});
  const session = registry.create('abc', from('10.0.0.1'));
  assert.equal(registry.lookup('abc', from('10.0.0.1')), session);
  assert.equal(registry.lookup('abc', from('10.0.0.2')), null);
});

test('maxSessions counts HTTP and WebSocket sessions together', () => {
  const registry = new SessionRegistry(resolveOptions({ maxSessions: 2 }), () => {});
  registry.create('a', from('127.0.0.1'));
  assert.equal(registry.hasRoom(), true);
  const ws = registry.createWebSocketSession();
  assert.equal(registry.hasRoom(), false);
  assert.equal(ws.id, null);
  assert.deepEqual(registry.stats().registry, { httpSessions: 1, webSocketSessions: 1, timers: 0 });
  ws.terminate();
  assert.equal(registry.hasRoom(), true);
});

test('a session replaced under its id does not remove the newer one when it ends', () => {
  const registry = new SessionRegistry(resolveOptions(), () => {});
  const first = registry.create('same', from('127.0.0.1'));
  const second = registry.create('same', from('127.0.0.1'));
  first.terminate();
  assert.equal(registry.lookup('same', from('127.0.0.1')), second);
});

test('closeAll ends every session, tracked raw targets included, and empties the registry', () => {
  const announced: Connection[] = [];
  const registry = new SessionRegistry(resolveOptions(), (c) => announced.push(c));
  const http = registry.create('a', from('127.0.0.1'));
  const ws = registry.createWebSocketSession();
  let rawTerminated = false;
  const raw: ConnectionTarget = {
    readyState: ReadyState.OPEN,
    scope: registry,
    get connection() {
      return rawConnection;
    },
    send: () => true,
    close: () => true,
    terminate: () => (rawTerminated = true),
    pauseInbound: () => {},
    resumeInbound: () => {},
  };
  const rawConnection = new Connection(raw, 'websocket-raw');
  registry.track(raw);
  registry.closeAll();
  assert.equal(http.readyState, ReadyState.CLOSED);
  assert.equal(ws.readyState, ReadyState.CLOSED);
  assert.equal(rawTerminated, true);
  assert.deepEqual(registry.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
  assert.equal(announced.length, 0, 'sessions that never opened are not announced');
});

test('an open connection is found by its id however late the id is first read, and not once it has closed', async () => {
  const announced: Connection[] = [];
  const registry = new SessionRegistry(resolveOptions(), (c) => announced.push(c));
  const early = registry.createWebSocketSession();
  const late = registry.createWebSocketSession();
  const never = registry.createWebSocketSession();
  const earlyId = early.connection.id; // read before it is announced
  for (const s of [early, late, never]) s.attach({ transport: 'websocket', sendFrame: () => 0, end: () => {}, congested: false, destroy: () => {} }, () => {});
  await new Promise((resolve) => process.nextTick(resolve));
  assert.equal(announced.length, 3);
  assert.equal(registry.connection(earlyId), early.connection);
  const lateId = late.connection.id; // first read after it was announced
  assert.equal(registry.connection(lateId), late.connection);
  const stats = registry.stats();
  assert.equal(stats.sessions.open, 3);
  assert.equal(stats.sessions.byTransport.websocket, 3);
  late.terminate();
  never.terminate();
  assert.equal(registry.connection(lateId), undefined, 'a closed connection is not addressable');
  assert.equal(registry.connection(never.connection.id), undefined, 'an id first read after close is not indexed');
  assert.equal(registry.stats().sessions.open, 1);
  assert.equal(registry.stats().sessions.closed, 2);
  early.terminate();
  assert.equal(registry.connection(earlyId), undefined);
  assert.equal(registry.stats().sessions.open, 0);
});
