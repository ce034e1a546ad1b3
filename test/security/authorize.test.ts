// The `authorize` hook: async, runs before a session exists (HTTP receivers
// and WebSocket handshakes), refuses with a status or attaches data that
// becomes `conn.data`; a throwing hook is a 500, never a crash.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SockJSServerOptions } from '@sockjs-server/core';
import { PREFIX, delay, openStream, request, sessionPath, startServer, waitForNoSessions, waitUntil } from '../helpers/security-harness.ts';
import { rawUpgrade, upgradeRequest } from '../helpers/security-ws.ts';

type Authorize = NonNullable<SockJSServerOptions['authorize']>;
type AuthRequest = Parameters<Authorize>[0];

/** Accepts `?token=good` after an await (so the hook really is async), refuses everything else in the ways the API allows. */
const tokenHook: Authorize = async ({ query }) => {
  await delay(5);
  switch (query.get('token')) {
    case 'good':
      return { data: { user: 'alice' } };
    case 'true':
      return true;
    case 'teapot':
      return { status: 418, message: 'No coffee' };
    case 'bad-status':
      return { status: 200, message: 'not a refusal status' };
    case 'throw':
      throw new Error('database down');
    case 'reject':
      return Promise.reject(new Error('async failure'));
    default:
      return false;
  }
};

/** Opens a session on `transport` and answers the status of the receiving request / handshake. */
async function openOn(port: number, transport: string, token: string): Promise<number> {
  const q = `token=${token}`;
  switch (transport) {
    case 'websocket':
    case 'websocket-raw': {
      const path = transport === 'websocket' ? `${sessionPath()}/websocket?${q}` : `${PREFIX}/websocket?${q}`;
      const ws = await rawUpgrade(port, upgradeRequest(path));
      ws.destroy();
      return ws.head.status;
    }
    case 'xhr-polling':
      return (await request(port, { method: 'POST', path: `${sessionPath()}/xhr?${q}` })).status;
    case 'jsonp-polling':
      return (await request(port, { path: `${sessionPath()}/jsonp?c=cb&${q}` })).status;
    default: {
      const route = { 'xhr-streaming': 'xhr_streaming', eventsource: 'eventsource', htmlfile: 'htmlfile?c=cb' }[transport] ?? transport;
      const stream = await openStream(port, { method: transport === 'xhr-streaming' ? 'POST' : 'GET', path: `${sessionPath()}/${route}${route.includes('?') ? '&' : '?'}${q}` });
      stream.close();
      return stream.status;
    }
  }
}

const TRANSPORTS = ['websocket', 'websocket-raw', 'xhr-streaming', 'xhr-polling', 'eventsource', 'htmlfile', 'jsonp-polling'] as const;

describe('authorize', () => {
  test('every transport: accepted sessions carry the data, refusals answer their status and create nothing', async (t) => {
    const calls: AuthRequest[] = [];
    const srv = await startServer(t, {
      authorize: (r) => {
        calls.push(r);
        return tokenHook(r);
      },
    });
    for (const transport of TRANSPORTS) {
      const before = srv.connections.length;
      assert.equal(await openOn(srv.port, transport, 'good'), transport.startsWith('websocket') ? 101 : 200, transport);
      await waitUntil(() => srv.connections.length === before + 1, 2000, `${transport} connection`);
      assert.deepEqual(srv.connections[before]!.data, { user: 'alice' }, transport);
      assert.equal(calls.at(-1)!.transport, transport);
      assert.equal(calls.at(-1)!.remoteAddress, '127.0.0.1');
      await waitForNoSessions(srv.sockjs);

      const opened = srv.connections.length;
      for (const [token, status] of [
        ['nope', 403],
        ['teapot', 418],
        ['bad-status', 403],
        ['throw', 500],
        ['reject', 500],
      ] as const) {
        assert.equal(await openOn(srv.port, transport, token), status, `${transport} token=${token}`);
      }
      assert.equal(srv.connections.length, opened, `${transport}: a refused request emitted a connection`);
      assert.deepEqual(srv.sockjs.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 }, transport);
    }
    // `true` accepts with no data.
    assert.equal(await openOn(srv.port, 'xhr-polling', 'true'), 200);
    await waitUntil(() => srv.connections.at(-1)?.data === undefined, 1000, 'data undefined');
  });

  test('the refusal carries the message; the hook sees headers and query', async (t) => {
    let seenHeader: string | string[] | undefined;
    const srv = await startServer(t, {
      authorize: async ({ headers, query }) => {
        seenHeader = headers['x-api-key'];
        return query.get('token') === 'ok' ? true : { status: 401, message: 'Unauthorized: token missing' };
      },
    });
    const res = await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr`, headers: { 'X-Api-Key': 'k1' } });
    assert.equal(res.status, 401);
    assert.equal(res.body, 'Unauthorized: token missing');
    assert.equal(seenHeader, 'k1');
    const ws = await rawUpgrade(srv.port, upgradeRequest(`${sessionPath()}/websocket`));
    assert.equal(ws.head.status, 401);
    assert.ok(await ws.closed(10_000), 'a refused handshake closes the socket');
    assert.equal(ws.head.body.toString(), 'Unauthorized: token missing');
  });

  test('runs once per session: not for sends, not for later polls of the same session', async (t) => {
    let calls = 0;
    const srv = await startServer(t, {
      authorize: () => {
        calls++;
        return true;
      },
    });
    const s = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'o\n');
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: '["a"]' })).status, 204);
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'a["a"]\n');
    assert.equal(calls, 1);
    // A send to a session that does not exist is a 404, and never asks the hook.
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr_send`, body: '["a"]' })).status, 404);
    assert.equal(calls, 1);
  });

  test('a client that gives up while the hook is pending leaves no session behind', async (t) => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const srv = await startServer(t, {
      authorize: async () => {
        started++;
        await gate;
        return true;
      },
    });
    const pending = openStream(srv.port, { method: 'POST', path: `${sessionPath()}/xhr_streaming` }).catch(() => undefined);
    const ws = rawUpgrade(srv.port, upgradeRequest(`${sessionPath()}/websocket`), 5000).catch(() => undefined);
    await waitUntil(() => started === 2, 2000, 'both hooks to start');
    for (const socket of srv.serverSockets) socket.destroy();
    await delay(50);
    release();
    await Promise.all([pending, ws]);
    await delay(50);
    assert.deepEqual(srv.sockjs.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
    assert.equal(srv.connections.length, 0);
  });

  test('a slow hook does not let concurrent requests for one id create two sessions', async (t) => {
    const srv = await startServer(t, {
      authorize: async () => {
        await delay(30);
        return { data: 'x' };
      },
    });
    const s = sessionPath();
    const [a, b] = await Promise.all([
      request(srv.port, { method: 'POST', path: `${s}/xhr` }),
      request(srv.port, { method: 'POST', path: `${s}/xhr` }),
    ]);
    // One request opens the session; the other joins that same session (a heartbeat, or 2010 if it overlapped the first).
    const bodies = [a.body, b.body].sort();
    assert.equal(bodies.filter((x) => x === 'o\n').length, 1, JSON.stringify(bodies));
    assert.ok(bodies.includes('h\n') || bodies.includes('c[2010,"Another connection still open"]\n'), JSON.stringify(bodies));
    assert.equal(srv.sockjs.stats().registry.httpSessions, 1);
    assert.equal(srv.connections.length, 1);
  });
});
