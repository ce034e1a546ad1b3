// Leak test: hundreds of sessions per transport, opened and ended cleanly
// (application close, client close) and abruptly (socket destroyed
// mid-stream or mid-poll). After the disconnect delay the server must hold no
// session and no timer, every connection must have emitted `close` exactly
// once, and no socket may remain.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import {
  PREFIX,
  delay,
  openStream,
  request,
  sessionPath,
  startServer,
  waitForNoSessions,
  waitForNoSockets,
  waitUntil,
  type SecurityServer,
} from '../helpers/security-harness.ts';

/** Sessions per transport and ending (clean / abrupt); 7 transports × 2 × this many sessions in all. */
const PER_MODE = 100;
const BATCH = 20;
/** Long enough for poll, send, poll of a batch of 20 on a loaded machine (200 ms was overrun). */
const DISCONNECT_DELAY = 2000;

type Ending = 'app-close' | 'client-close' | 'abort';
const ENDINGS: readonly Ending[] = ['app-close', 'client-close', 'abort'];

/** Opens a WebSocket (SockJS-framed or raw) and ends it as told. */
async function webSocketSession(srv: SecurityServer, raw: boolean, ending: Ending): Promise<void> {
  const url = raw ? `ws://127.0.0.1:${srv.port}${PREFIX}/websocket` : `ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    if (raw) ws.once('open', () => resolve());
    else ws.once('message', () => resolve()); // the `o` frame: the session is open
  });
  if (ending === 'abort') {
    ws.terminate();
    return;
  }
  if (ending === 'app-close') ws.send(raw ? 'close' : '["close"]');
  else ws.close(1000);
  await Promise.race([closed, delay(3000).then(() => Promise.reject(new Error('websocket did not close')))]);
}

const STREAMS = {
  'xhr-streaming': { method: 'POST', route: 'xhr_streaming', open: '\no\n' },
  eventsource: { method: 'GET', route: 'eventsource', open: 'data: o\r\n\r\n' },
  htmlfile: { method: 'GET', route: 'htmlfile?c=cb', open: 'p("o")' },
} as const;

/** A streaming receiver: opened, then ended by the application (via a send), the client, or an abort. */
async function streamingSession(srv: SecurityServer, kind: keyof typeof STREAMS, ending: Ending): Promise<void> {
  const { method, route, open } = STREAMS[kind];
  const s = sessionPath();
  const stream = await openStream(srv.port, { method, path: `${s}/${route}` });
  await stream.waitFor(open);
  if (ending === 'app-close') {
    await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: '["close"]' });
    await stream.waitFor('Go away!');
    await Promise.race([stream.ended, delay(3000).then(() => Promise.reject(new Error(`${kind}: response did not end`)))]);
  }
  // A client closing a stream is, for HTTP, the same as an abort: the socket goes away.
  stream.close();
}

/** A polling session: opened, then closed by the application (seen by the next poll), abandoned, or aborted mid-poll. */
async function pollingSession(srv: SecurityServer, jsonp: boolean, ending: Ending): Promise<void> {
  const s = sessionPath();
  const poll = jsonp ? { method: 'GET', path: `${s}/jsonp?c=cb` } : { method: 'POST', path: `${s}/xhr` };
  assert.equal((await request(srv.port, poll)).status, 200);
  if (ending === 'app-close') {
    const send = jsonp
      ? { method: 'POST', path: `${s}/jsonp_send`, body: 'd=%5B%22close%22%5D', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }
      : { method: 'POST', path: `${s}/xhr_send`, body: '["close"]' };
    const sent = await request(srv.port, send);
    assert.equal(sent.status, jsonp ? 200 : 204, 'the session must still exist when the application is told to close');
    const closing = await request(srv.port, poll);
    assert.match(closing.body, /Go away!/);
  } else if (ending === 'abort') {
    // The poll is attached (headers flushed) and waiting for a frame when its socket is destroyed.
    const pending = await openStream(srv.port, poll);
    pending.close();
  }
  // 'client-close': the client just stops polling; the disconnect delay must reclaim the session.
}

const TRANSPORTS: Record<string, (srv: SecurityServer, ending: Ending) => Promise<void>> = {
  websocket: (srv, e) => webSocketSession(srv, false, e),
  'websocket-raw': (srv, e) => webSocketSession(srv, true, e),
  'xhr-streaming': (srv, e) => streamingSession(srv, 'xhr-streaming', e),
  eventsource: (srv, e) => streamingSession(srv, 'eventsource', e),
  htmlfile: (srv, e) => streamingSession(srv, 'htmlfile', e),
  'xhr-polling': (srv, e) => pollingSession(srv, false, e),
  'jsonp-polling': (srv, e) => pollingSession(srv, true, e),
};

async function assertNothingLeft(srv: SecurityServer, opened: number): Promise<void> {
  await waitForNoSessions(srv.sockjs, DISCONNECT_DELAY + 3000);
  assert.equal(srv.connections.length, opened, 'one connection event per session');
  await waitUntil(() => [...srv.closeCounts.values()].every((n) => n === 1), 2000, 'every connection to emit close');
  assert.ok([...srv.closeCounts.values()].every((n) => n === 1), 'close emitted exactly once per connection');
  await waitForNoSockets(srv.server, 3000);
}

describe('leaks', () => {
  for (const [name, run] of Object.entries(TRANSPORTS)) {
    test(`${name}: ${PER_MODE * ENDINGS.length} sessions, clean and abrupt endings, leave nothing behind`, async (t) => {
      const srv = await startServer(t, { disconnect_delay: DISCONNECT_DELAY });
      const started = Date.now();
      const jobs = ENDINGS.flatMap((ending) => Array.from({ length: PER_MODE }, () => ending));
      for (let i = 0; i < jobs.length; i += BATCH) {
        await Promise.all(jobs.slice(i, i + BATCH).map((ending) => run(srv, ending)));
      }
      await assertNothingLeft(srv, jobs.length);
      t.diagnostic(`${name}: ${jobs.length} sessions, ${Date.now() - started} ms including the disconnect delay`);
    });
  }

  test('xhr_send bodies cut off mid-upload deliver nothing, hold nothing, and leave the session working', async (t) => {
    const srv = await startServer(t, { disconnect_delay: DISCONNECT_DELAY });
    const s = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'o\n');
    const received: string[] = [];
    srv.connections[0]!.on('data', (message: string) => received.push(message));
    const CUT = 50;
    await Promise.all(
      Array.from({ length: CUT }, () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(srv.port, '127.0.0.1', () => {
            // Declares 100 bytes, sends the start of a valid payload, then goes away.
            socket.write(`POST ${s}/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n["lost`);
            setTimeout(() => socket.destroy(), 20);
          });
          socket.on('error', reject);
          socket.on('close', () => resolve());
        }),
      ),
    );
    await waitForNoSockets(srv.server, 3000);
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: '["kept"]' })).status, 204);
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'a["kept"]\n');
    assert.deepEqual(received, ['kept'], 'nothing of the cut-off bodies reached the application');
    const stats = srv.sockjs.stats();
    assert.equal(stats.messages.in, 1);
    assert.equal(stats.registry.httpSessions, 1, 'only the one session');
    await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: '["close"]' });
    await assertNothingLeft(srv, 1);
  });

  test('close() with live sessions on every transport leaves zero sessions and timers at once', async (t) => {
    const srv = await startServer(t, { disconnect_delay: 5_000, heartbeat_delay: 5_000 });
    const clients: Array<() => void> = [];
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`);
    const raw = new WebSocket(`ws://127.0.0.1:${srv.port}${PREFIX}/websocket`);
    for (const w of [ws, raw]) {
      w.on('error', () => {});
      clients.push(() => w.terminate());
    }
    await Promise.all([new Promise((r) => ws.once('message', r)), new Promise((r) => raw.once('open', r))]);
    const streams = await Promise.all(
      Object.values(STREAMS).map(async ({ method, route, open }) => {
        const stream = await openStream(srv.port, { method, path: `${sessionPath()}/${route}` });
        await stream.waitFor(open);
        return stream;
      }),
    );
    for (const s of streams) clients.push(() => s.close());
    // Polling sessions with no request attached, plus one with a poll waiting.
    await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` });
    await request(srv.port, { path: `${sessionPath()}/jsonp?c=cb` });
    const waitingPath = sessionPath();
    await request(srv.port, { method: 'POST', path: `${waitingPath}/xhr` });
    const waiting = await openStream(srv.port, { method: 'POST', path: `${waitingPath}/xhr` });
    clients.push(() => waiting.close());
    t.after(() => clients.forEach((c) => c()));
    await waitUntil(() => srv.connections.length === 8, 2000, 'eight connections');
    const before = srv.sockjs.stats().registry;
    assert.equal(before.httpSessions + before.webSocketSessions, 8, `${JSON.stringify(before)} for ${srv.connections.map((c) => `${c.protocol}:${c.readyState}`).join(', ')}`);

    await srv.sockjs.close();
    assert.deepEqual(srv.sockjs.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
    await waitUntil(() => [...srv.closeCounts.values()].every((n) => n === 1), 2000, 'every connection to emit close');
    // The clients were told: streams and the waiting poll ended, WebSockets closed.
    await Promise.all([...streams, waiting].map((s) => Promise.race([s.ended, delay(3000).then(() => Promise.reject(new Error('a response was left open')))])));
    await waitUntil(() => ws.readyState === WebSocket.CLOSED && raw.readyState === WebSocket.CLOSED, 12_000, 'websockets to close');
    // Requests after close() are refused rather than creating sessions.
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).status, 503);
    assert.deepEqual(srv.sockjs.stats().registry, { httpSessions: 0, webSocketSessions: 0, timers: 0 });
  });
});
