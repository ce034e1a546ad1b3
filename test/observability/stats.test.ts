// server.stats() after scripted sessions on every transport: the counts
// must match, exactly, what the clients sent and received on the wire.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRANSPORTS, type SockJSServerStats } from '@sockjs-server/core';
import { PREFIX, startServer, waitUntil } from '../helpers/security-harness.ts';
import { openScripted } from '../helpers/scripted-sessions.ts';

/** No heartbeat frame may slip into the byte counts. */
const QUIET = { heartbeat_delay: 60_000 };

const zeroByTransport = () => Object.fromEntries(TRANSPORTS.map((name) => [name, 0]));

describe('server.stats()', () => {
  test('a new server reports zero everywhere, its prefix included, and no cluster', async (t) => {
    const srv = await startServer(t, QUIET);
    const stats = srv.sockjs.stats();
    const empty = {
      sessions: { open: 0, byTransport: zeroByTransport(), opened: 0, closed: 0 },
      messages: { in: 0, out: 0 },
      bytes: { in: 0, out: 0 },
      refused: { origin: 0, limit: 0, auth: 0, badRequest: 0, bufferOverflow: 0 },
      registry: { httpSessions: 0, webSocketSessions: 0, timers: 0 },
    };
    assert.deepEqual(stats, { ...empty, byPrefix: { [PREFIX]: empty } });
    assert.equal('cluster' in stats, false);
  });

  test('one scripted session per transport: open by transport, opened/closed, messages and bytes exactly', async (t) => {
    const srv = await startServer(t, QUIET);
    const sessions = await Promise.all(TRANSPORTS.map((transport) => openScripted(t, srv.port, PREFIX, transport)));
    const sum = (pick: (s: (typeof sessions)[number]) => number) => sessions.reduce((n, s) => n + pick(s), 0);

    const open = srv.sockjs.stats();
    assert.deepEqual(open.sessions, {
      open: TRANSPORTS.length,
      byTransport: Object.fromEntries(TRANSPORTS.map((name) => [name, 1])),
      opened: TRANSPORTS.length,
      closed: 0,
    });
    assert.deepEqual(open.messages, { in: TRANSPORTS.length, out: TRANSPORTS.length });
    assert.deepEqual(open.bytes, { in: sum((s) => s.bytesIn), out: sum((s) => s.bytesOut) });

    await Promise.all(sessions.map((s) => s.close()));
    await waitUntil(() => srv.sockjs.stats().sessions.closed === TRANSPORTS.length, 5000, () => JSON.stringify(srv.sockjs.stats().sessions));
    const done: SockJSServerStats = srv.sockjs.stats();
    assert.deepEqual(done.sessions, { open: 0, byTransport: zeroByTransport(), opened: TRANSPORTS.length, closed: TRANSPORTS.length });
    assert.deepEqual(done.messages, { in: sum((s) => s.messagesIn), out: sum((s) => s.messagesOut) });
    assert.equal(done.messages.in, 2 * TRANSPORTS.length);
    assert.deepEqual(done.bytes, { in: sum((s) => s.bytesIn), out: sum((s) => s.bytesOut) });
    assert.deepEqual(done.refused, { origin: 0, limit: 0, auth: 0, badRequest: 0, bufferOverflow: 0 });
    assert.deepEqual(done.registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
    const { byPrefix, ...total } = done;
    assert.deepEqual(byPrefix, { [PREFIX]: total });
  });

  test('services installed under other prefixes are counted apart and summed', async (t) => {
    const srv = await startServer(t, QUIET);
    srv.sockjs.installHandlers(srv.server, { prefix: '/other' });
    const here = await openScripted(t, srv.port, PREFIX, 'websocket');
    const there = await Promise.all([openScripted(t, srv.port, '/other', 'xhr-polling'), openScripted(t, srv.port, '/other', 'websocket-raw')]);
    const stats = srv.sockjs.stats();
    assert.deepEqual(Object.keys(stats.byPrefix), [PREFIX, '/other']);
    assert.equal(stats.byPrefix[PREFIX]!.sessions.open, 1);
    assert.equal(stats.byPrefix[PREFIX]!.sessions.byTransport.websocket, 1);
    assert.equal(stats.byPrefix['/other']!.sessions.open, 2);
    assert.equal(stats.byPrefix['/other']!.sessions.byTransport['xhr-polling'], 1);
    assert.equal(stats.byPrefix['/other']!.sessions.byTransport['websocket-raw'], 1);
    assert.equal(stats.sessions.open, 3);
    assert.equal(stats.bytes.out, here.bytesOut + there[0].bytesOut + there[1].bytesOut);
    assert.equal(stats.byPrefix['/other']!.bytes.in, there[0].bytesIn + there[1].bytesIn);
  });
});
