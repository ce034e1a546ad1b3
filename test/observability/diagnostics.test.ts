// The diagnostics_channel events: session open and close on every transport,
// and, in a cluster, one forward event per request passed to another node,
// next to the cluster's counters in stats().
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import { once } from 'node:events';
import { describe, test, type TestContext } from 'node:test';
import {
  Cluster,
  DiagnosticsChannel,
  MemoryBroker,
  TRANSPORTS,
  createServer,
  type DiagnosticsChannelName,
  type ForwardMessage,
  type SessionMessage,
} from '@sockjs-server/core';
import { PREFIX, request, sessionPath, startServer, waitUntil } from '../helpers/security-harness.ts';
import { openScripted } from '../helpers/scripted-sessions.ts';

function record<T>(t: TestContext, name: DiagnosticsChannelName): T[] {
  const seen: T[] = [];
  const listener = (message: unknown) => seen.push(message as T);
  diagnosticsChannel.subscribe(name, listener);
  t.after(() => diagnosticsChannel.unsubscribe(name, listener));
  return seen;
}

describe('diagnostics channels', () => {
  test('documented names', () => {
    assert.deepEqual(DiagnosticsChannel, {
      SESSION_OPEN: 'sockjs-server:session:open',
      SESSION_CLOSE: 'sockjs-server:session:close',
      REQUEST_REFUSED: 'sockjs-server:request:refused',
      CLUSTER_FORWARD: 'sockjs-server:cluster:forward',
    });
  });

  test('session:open and session:close once per session on every transport, with its connection', async (t) => {
    const opened = record<SessionMessage>(t, DiagnosticsChannel.SESSION_OPEN);
    const closed = record<SessionMessage>(t, DiagnosticsChannel.SESSION_CLOSE);
    const srv = await startServer(t, { heartbeat_delay: 60_000 });
    const sessions = await Promise.all(TRANSPORTS.map((transport) => openScripted(t, srv.port, PREFIX, transport)));
    assert.deepEqual(opened.map((m) => m.transport).sort(), [...TRANSPORTS].sort());
    assert.deepEqual(
      opened.map((m) => m.connection),
      srv.connections,
      'published with the connection the application got, in the same order',
    );
    assert.ok(opened.every((m) => m.prefix === PREFIX && m.connection.protocol === m.transport));
    assert.equal(closed.length, 0);
    await Promise.all(sessions.map((s) => s.close()));
    await waitUntil(() => closed.length === TRANSPORTS.length, 5000, () => `${closed.length} closes`);
    assert.deepEqual(new Set(closed.map((m) => m.connection)), new Set(srv.connections));
    assert.deepEqual(closed.map((m) => m.transport).sort(), [...TRANSPORTS].sort());
  });

  test('a session the authorize hook refuses is never opened: no event, no count', async (t) => {
    const opened = record<SessionMessage>(t, DiagnosticsChannel.SESSION_OPEN);
    const srv = await startServer(t, { authorize: () => ({ status: 403 }) });
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).status, 403);
    assert.equal(opened.length, 0);
    assert.equal(srv.sockjs.stats().sessions.opened, 0);
  });

  test('cluster:forward for each request passed to the owner; stats() carries the cluster counters', async (t) => {
    const forwards = record<ForwardMessage>(t, DiagnosticsChannel.CLUSTER_FORWARD);
    const broker = new MemoryBroker();
    const nodes = await Promise.all(
      ['a', 'b'].map(async (nodeId) => {
        const cluster = new Cluster({ broker, nodeId, heartbeatInterval: 100, nodeTimeout: 1000 });
        await cluster.ready;
        const sockjs = createServer({ prefix: PREFIX, cluster, heartbeat_delay: 60_000 });
        sockjs.on('connection', (conn) => conn.on('data', (m: string) => conn.write(m)));
        const server = http.createServer();
        sockjs.attach(server);
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        t.after(async () => {
          await sockjs.close();
          await cluster.close();
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        });
        return { sockjs, port: (server.address() as { port: number }).port };
      }),
    );
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const path = sessionPath();
    const id = path.split('/').at(-1)!;
    assert.equal((await request(a.port, { method: 'POST', path: `${path}/xhr` })).body, 'o\n');
    assert.equal((await request(b.port, { method: 'POST', path: `${path}/xhr_send`, body: '["hi"]' })).status, 204);
    assert.equal((await request(b.port, { method: 'POST', path: `${path}/xhr` })).body, 'a["hi"]\n');
    assert.deepEqual(forwards, [
      { prefix: PREFIX, sessionId: id, kind: 'send', owner: 'a', node: 'b' },
      { prefix: PREFIX, sessionId: id, kind: 'receive', owner: 'a', node: 'b' },
    ]);
    const entry = b.sockjs.stats();
    assert.equal(entry.cluster?.nodeId, 'b');
    assert.equal(entry.cluster?.forwardedRequests, 2);
    assert.equal(entry.sessions.open, 0, 'the session lives on its owner');
    const owner = a.sockjs.stats();
    assert.equal(owner.cluster?.forwardedRequests, 0);
    assert.ok((owner.cluster?.relayedReplies ?? 0) >= 1);
    assert.deepEqual(owner.messages, { in: 1, out: 1 });
    assert.equal(owner.sessions.byTransport['xhr-polling'], 1);
  });
});
