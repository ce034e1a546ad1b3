// Outbound back-pressure: a client that stops reading must not make the
// server grow memory without bound. Below `sendHighWaterMark` writes flow;
// above it `conn.write()` returns false and `drain` follows once the client
// catches up; past `maxBufferedBytes` the session is closed and its
// transport torn down.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type http from 'node:http';
import net from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { ReadyState, type Connection } from '@sockjs-server/core';
import { PREFIX, request, sessionPath, startServer, waitForNoSessions, waitUntil, type SecurityServer } from '../helpers/security-harness.ts';
import { rawUpgrade, upgradeRequest } from '../helpers/security-ws.ts';

const KiB = 1024;
const MESSAGE = 'm'.repeat(16 * KiB);
/** Upper bound on writes in one loop: far more than loopback kernel buffers plus the limits below can absorb. */
const MAX_WRITES = 8192;

const LIMITS = { sendHighWaterMark: 32 * KiB, maxBufferedBytes: 512 * KiB, responseLimit: 256 * 1024 * 1024 };

function nextConnection(srv: SecurityServer): Promise<Connection> {
  const seen = srv.connections.length;
  return waitUntil(() => srv.connections.length > seen, 3000, 'a connection').then(() => srv.connections[seen]!);
}

/** Largest number of bytes any server-side socket holds in user space right now. */
function serverBacklog(srv: SecurityServer): number {
  let max = 0;
  for (const socket of srv.serverSockets) max = Math.max(max, socket.writableLength);
  return max;
}

interface WriteRun {
  readonly writes: number;
  readonly firstFalseAt: number | undefined;
  readonly maxBacklog: number;
  readonly stateAtFirstFalse: number | undefined;
}

/**
 * Writes MESSAGE until `stop()` holds or MAX_WRITES is reached, recording the
 * first write that returned false and the largest server-side socket backlog.
 * Yields to the event loop every 64 writes so the socket gets a chance to flush
 * into the kernel, as a real producer would.
 */
async function writeUntil(srv: SecurityServer, conn: Connection, stop: (returned: boolean) => boolean): Promise<WriteRun> {
  let firstFalseAt: number | undefined;
  let stateAtFirstFalse: number | undefined;
  let maxBacklog = 0;
  let writes = 0;
  while (writes < MAX_WRITES) {
    const returned = conn.write(MESSAGE);
    writes++;
    maxBacklog = Math.max(maxBacklog, serverBacklog(srv));
    if (!returned && firstFalseAt === undefined) {
      firstFalseAt = writes;
      stateAtFirstFalse = conn.readyState;
    }
    if (stop(returned)) break;
    if (writes % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  return { writes, firstFalseAt, maxBacklog, stateAtFirstFalse };
}

/** A POST /xhr_streaming whose client reads the prelude and `o`, then stops reading. */
async function stalledStream(port: number, path: string, method = 'POST'): Promise<{ socket: net.Socket; received: () => number; resume: () => void }> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  let text = '';
  let bytes = 0;
  socket.on('data', (d: Buffer) => {
    bytes += d.length;
    if (text.length < 8192) text += d.toString('latin1');
  });
  socket.on('error', () => {});
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`);
  await waitUntil(() => /\r\n(?:2\r\no\n|b\r\ndata: o)/.test(text), 3000, () => `the open frame; got ${JSON.stringify(text.slice(0, 300))}`);
  socket.pause();
  return { socket, received: () => bytes, resume: () => socket.resume() };
}

/** A server that never reads, and a WebSocket client on `path` that stopped reading once connected. */
async function stalledWebSocket(t: TestContext, path: string) {
  const srv = await startServer(t, LIMITS, () => {});
  const connected = nextConnection(srv);
  const client = await rawUpgrade(srv.port, upgradeRequest(path));
  t.after(() => client.destroy());
  assert.equal(client.head.status, 101);
  const conn = await connected;
  client.socket.pause();
  return { srv, client, conn };
}

describe('WebSocket client that stops reading', () => {
  test('write() returns false above sendHighWaterMark while open, and drain follows when the client reads again', async (t) => {
    const { srv, client, conn } = await stalledWebSocket(t, `${sessionPath()}/websocket`);
    const run = await writeUntil(srv, conn, (returned) => !returned);
    assert.notEqual(run.firstFalseAt, undefined, `write() never returned false in ${run.writes} writes`);
    assert.equal(run.stateAtFirstFalse, ReadyState.OPEN, 'back-pressure is signalled before the overflow policy closes the session');
    const drained = once(conn, 'drain');
    client.socket.resume();
    await Promise.race([drained, waitUntil(() => false, 5000, "'drain' after the client resumed reading")]);
    assert.equal(conn.readyState, ReadyState.OPEN);
    assert.equal(conn.write('after drain'), true);
  });

  test('past maxBufferedBytes the session is closed and the socket torn down; the backlog stays bounded', async (t) => {
    const { srv, client, conn } = await stalledWebSocket(t, `${sessionPath()}/websocket`);
    // The application ignores back-pressure entirely.
    const run = await writeUntil(srv, conn, () => conn.readyState === ReadyState.CLOSED);
    assert.equal(conn.readyState, ReadyState.CLOSED, `still open after ${run.writes} writes of ${MESSAGE.length} bytes`);
    assert.ok(run.maxBacklog <= LIMITS.maxBufferedBytes + MESSAGE.length + 64, `server socket held ${run.maxBacklog} bytes`);
    await waitUntil(() => srv.closeCounts.get(conn) === 1, 10_000, "the connection's close event");
    assert.equal(conn.write('late'), false);
    await waitForNoSessions(srv.sockjs);
    client.socket.resume();
    assert.ok(await client.closed(5000), 'the client sees the connection end');
  });
});

describe('raw WebSocket client that stops reading', () => {
  test('write() returns false above sendHighWaterMark, drain follows', async (t) => {
    const { srv, client, conn } = await stalledWebSocket(t, `${PREFIX}/websocket`);
    const run = await writeUntil(srv, conn, (returned) => !returned);
    assert.notEqual(run.firstFalseAt, undefined, `write() never returned false in ${run.writes} writes`);
    assert.equal(run.stateAtFirstFalse, ReadyState.OPEN);
    const drained = once(conn, 'drain');
    client.socket.resume();
    await Promise.race([drained, waitUntil(() => false, 5000, "'drain' after the client resumed reading")]);
  });

  test('past maxBufferedBytes the connection is closed; the backlog stays bounded', async (t) => {
    const { srv, conn } = await stalledWebSocket(t, `${PREFIX}/websocket`);
    const run = await writeUntil(srv, conn, () => conn.readyState !== ReadyState.OPEN);
    assert.notEqual(conn.readyState, ReadyState.OPEN, `still open after ${run.writes} writes of ${MESSAGE.length} bytes (${run.maxBacklog} bytes queued)`);
    assert.ok(run.maxBacklog <= LIMITS.maxBufferedBytes + MESSAGE.length + 64, `server socket held ${run.maxBacklog} bytes`);
    await waitForNoSessions(srv.sockjs);
  });
});

describe('streaming response that stops draining', () => {
  for (const [name, path, method] of [
    ['xhr-streaming', 'xhr_streaming', 'POST'],
    ['eventsource', 'eventsource', 'GET'],
  ] as const) {
    test(`${name}: write() returns false, drain follows; past maxBufferedBytes the session closes`, async (t) => {
      const srv = await startServer(t, LIMITS, () => {});
      const connected = nextConnection(srv);
      const stream = await stalledStream(srv.port, `${sessionPath()}/${path}`, method);
      t.after(() => stream.socket.destroy());
      const conn = await connected;
      const run = await writeUntil(srv, conn, (returned) => !returned);
      assert.notEqual(run.firstFalseAt, undefined, `write() never returned false in ${run.writes} writes`);
      assert.equal(run.stateAtFirstFalse, ReadyState.OPEN);
      const drained = once(conn, 'drain');
      stream.resume();
      await Promise.race([drained, waitUntil(() => false, 5000, "'drain' after the client resumed reading")]);

      stream.socket.pause();
      const overflow = await writeUntil(srv, conn, () => conn.readyState === ReadyState.CLOSED);
      assert.equal(conn.readyState, ReadyState.CLOSED, `still open after ${overflow.writes} writes`);
      assert.ok(overflow.maxBacklog <= LIMITS.maxBufferedBytes + 2 * MESSAGE.length, `server socket held ${overflow.maxBacklog} bytes`);
      await waitForNoSessions(srv.sockjs);
      stream.resume();
      await waitUntil(() => stream.socket.destroyed || stream.socket.readableEnded, 5000, 'the response to be torn down');
    });
  }
});

describe('polling session with no receiver attached', () => {
  test('queued messages above sendHighWaterMark make write() return false; the next poll drains them', async (t) => {
    const srv = await startServer(t, LIMITS, () => {});
    const s = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'o\n');
    const conn = srv.connections[0] ?? (await nextConnection(srv));
    let writes = 0;
    while (conn.write(MESSAGE) && writes < 100) writes++;
    assert.ok(writes < 100, 'write() returned false once the queue passed the high-water mark');
    // Each queued message costs its JSON quoting (two bytes) on top of its length.
    const queued = (n: number) => n * (MESSAGE.length + 2);
    assert.ok(queued(writes) <= LIMITS.sendHighWaterMark && queued(writes + 1) > LIMITS.sendHighWaterMark, `false after ${writes + 1} writes`);
    const drained = once(conn, 'drain');
    const poll = await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    assert.ok(poll.body.startsWith('a["m'), poll.body.slice(0, 40));
    await Promise.race([drained, waitUntil(() => false, 3000, "'drain' after the poll took the queue")]);
  });

  test('overflow between polls closes the session and the next poll is told why', async (t) => {
    const srv = await startServer(t, LIMITS, () => {});
    const s = sessionPath();
    await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    const conn = srv.connections[0] ?? (await nextConnection(srv));
    let writes = 0;
    while (conn.readyState === ReadyState.OPEN && writes < MAX_WRITES) {
      conn.write(MESSAGE);
      writes++;
    }
    assert.notEqual(conn.readyState, ReadyState.OPEN, 'the overflow policy closed the session');
    assert.ok(writes * MESSAGE.length <= LIMITS.maxBufferedBytes + MESSAGE.length, `${writes} writes were queued before the overflow`);
    // The client must learn that the session ended and why, not be handed a fresh session.
    const poll = await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    assert.equal(poll.body, 'c[1009,"Send buffer overflow"]\n');
    await waitForNoSessions(srv.sockjs);
  });
});

describe('HTTP sender to an application that does not read', () => {
  test('xhr_send is answered only once the application reads; every message arrives in order', async (t) => {
    // Long enough that the session outlives the wait below without a poll attached.
    const srv = await startServer(t, { ...LIMITS, disconnect_delay: 5000 }, () => {});
    const s = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'o\n');
    const conn = srv.connections[0] ?? (await nextConnection(srv));
    const messages = Array.from({ length: 40 }, (_, i) => `message ${i}`);
    const first = await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: JSON.stringify(messages.slice(0, 10)) });
    assert.equal(first.status, 204, 'below the hold limit the sender is answered at once');
    let answered = false;
    const held = request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: JSON.stringify(messages.slice(10)) }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, 'the sender waits while 40 messages wait for the application');
    const seen: string[] = [];
    conn.on('data', (m: string) => seen.push(m));
    assert.equal((await held).status, 204);
    await waitUntil(() => seen.length === messages.length, 3000, () => `all messages, got ${seen.length}`);
    assert.deepEqual(seen, messages);
  });

  test('a held sender is answered when the session ends', async (t) => {
    const srv = await startServer(t, LIMITS, () => {});
    const s = sessionPath();
    await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    const conn = srv.connections[0] ?? (await nextConnection(srv));
    // End the session only once the server has read the body and held the sender; a fixed
    // sleep could end it first on a loaded machine, and the send would then get 404.
    const bodyRead = new Promise<void>((resolve) =>
      srv.server.on('request', (req: http.IncomingMessage) => {
        if (req.url?.endsWith('/xhr_send')) req.once('end', () => setImmediate(resolve));
      }),
    );
    let answered = false;
    const held = request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: JSON.stringify(Array.from({ length: 20 }, String)) }).then((r) => {
      answered = true;
      return r;
    });
    await bodyRead;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(answered, false, 'the sender is held: 20 messages wait for an application that does not read');
    conn.destroy();
    assert.equal((await held).status, 204);
    await waitForNoSessions(srv.sockjs);
  });
});
