// Refused requests, by reason, as the security tests trigger them: each is
// counted once in stats().refused and published once on
// `sockjs-server:request:refused`, with the status (or close code) sent.
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test, type TestContext } from 'node:test';
import { DiagnosticsChannel, type RefusalReason, type RefusedMessage } from '@sockjs-server/core';
import { PREFIX, request, sessionPath, startServer, waitUntil, type SecurityServer } from '../helpers/security-harness.ts';
import { rawUpgrade, upgradeRequest } from '../helpers/security-ws.ts';
import { openWebSocket } from '../helpers/ws-client.ts';
import { openScripted } from '../helpers/scripted-sessions.ts';

/** Every refusal published while the test runs, as `reason code`. */
function recordRefusals(t: TestContext): string[] {
  const seen: string[] = [];
  const listener = (message: unknown) => {
    const { reason, code, prefix, req, connection } = message as RefusedMessage;
    assert.equal(prefix, PREFIX);
    // A request is named unless an open session was cut off.
    assert.equal(req === undefined, connection !== undefined, `${reason} names its request or its connection`);
    seen.push(`${reason} ${code}`);
  };
  diagnosticsChannel.subscribe(DiagnosticsChannel.REQUEST_REFUSED, listener);
  t.after(() => diagnosticsChannel.unsubscribe(DiagnosticsChannel.REQUEST_REFUSED, listener));
  return seen;
}

function assertRefused(srv: SecurityServer, expected: Partial<Record<RefusalReason, number>>): void {
  assert.deepEqual(srv.sockjs.stats().refused, { origin: 0, limit: 0, auth: 0, badRequest: 0, bufferOverflow: 0, ...expected });
}

async function upgradeStatus(srv: SecurityServer, path: string, headers: ReadonlyArray<readonly [string, string]> = []): Promise<number> {
  const ws = await rawUpgrade(srv.port, upgradeRequest(path, headers));
  ws.destroy();
  return ws.head.status;
}

describe('stats().refused and the request:refused channel', () => {
  test('origin: HTTP requests and handshakes from an origin not allowed', async (t) => {
    const seen = recordRefusals(t);
    const srv = await startServer(t, { allowedOrigins: ['https://app.example.com'] });
    const evil = { Origin: 'https://evil.example' };
    assert.equal((await request(srv.port, { path: `${PREFIX}/info`, headers: evil })).status, 403);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr`, headers: evil })).status, 403);
    assert.equal(await upgradeStatus(srv, `${sessionPath()}/websocket`, [['Origin', 'https://evil.example']]), 403);
    assert.equal((await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://app.example.com' } })).status, 200);
    assertRefused(srv, { origin: 3 });
    assert.deepEqual(seen, ['origin 403', 'origin 403', 'origin 403']);
  });

  test('limit: maxSessions over HTTP and WebSocket, maxMessageSize over HTTP and WebSocket', async (t) => {
    const seen = recordRefusals(t);
    const srv = await startServer(t, { maxSessions: 1, maxMessageSize: 64, heartbeat_delay: 60_000 });
    const only = await openScripted(t, srv.port, PREFIX, 'xhr-streaming');
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).status, 503);
    assert.equal(await upgradeStatus(srv, `${PREFIX}/websocket`), 503);
    const big = JSON.stringify(['x'.repeat(64)]);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr_send`, body: big })).status, 413);
    assertRefused(srv, { limit: 3 });
    await only.close();
    await waitUntil(() => srv.sockjs.stats().registry.httpSessions === 0, 5000, 'the streaming session to end');
    const ws = await openWebSocket(t, `ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`);
    assert.equal(await ws.nextMessage(), 'o');
    ws.send(big);
    assert.equal((await ws.nextClose()).code, 1009);
    await waitUntil(() => srv.sockjs.stats().refused.limit === 4, 3000, 'the oversized WebSocket message to be counted');
    assertRefused(srv, { limit: 4 });
    assert.deepEqual(seen, ['limit 503', 'limit 503', 'limit 413', 'limit 1009']);
  });

  test('auth: the authorize hook refuses an HTTP session and a handshake; accepted ones are not counted', async (t) => {
    const seen = recordRefusals(t);
    const srv = await startServer(t, { authorize: ({ query }) => query.get('token') === 'ok' || { status: 401, message: 'no token' } });
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).status, 401);
    assert.equal(await upgradeStatus(srv, `${sessionPath()}/websocket`), 401);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr?token=ok` })).status, 200);
    assertRefused(srv, { auth: 2 });
    assert.deepEqual(seen, ['auth 401', 'auth 401']);
  });

  test('badRequest: broken JSON, a missing callback, a GET on a WebSocket route, broken WebSocket framing', async (t) => {
    const seen = recordRefusals(t);
    const srv = await startServer(t);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr_send`, body: '[' })).status, 500);
    assert.equal((await request(srv.port, { path: `${sessionPath()}/jsonp` })).status, 500);
    assert.equal((await request(srv.port, { path: `${sessionPath()}/websocket` })).status, 400);
    const ws = await openWebSocket(t, `ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`);
    assert.equal(await ws.nextMessage(), 'o');
    ws.send('not json');
    assert.equal((await ws.nextClose()).code, 3000);
    assertRefused(srv, { badRequest: 4 });
    assert.deepEqual(seen, ['badRequest 500', 'badRequest 500', 'badRequest 400', 'badRequest 3000']);
  });

  test('bufferOverflow: a session whose client does not read past maxBufferedBytes is cut off once', async (t) => {
    const seen = recordRefusals(t);
    const srv = await startServer(t, { maxBufferedBytes: 1024 }, (conn) => {
      conn.on('data', () => {
        for (let i = 0; i < 20; i++) conn.write('y'.repeat(100));
      });
    });
    const path = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${path}/xhr` })).body, 'o\n');
    assert.equal((await request(srv.port, { method: 'POST', path: `${path}/xhr_send`, body: '["flood"]' })).status, 204);
    assert.equal((await request(srv.port, { method: 'POST', path: `${path}/xhr` })).body, 'c[1009,"Send buffer overflow"]\n');
    assertRefused(srv, { bufferOverflow: 1 });
    assert.deepEqual(seen, ['bufferOverflow 1009']);
  });
});
