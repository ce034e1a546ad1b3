// Size limits and session caps: every limit exists, has a sane default, is
// configurable, and answers with a clear protocol error (413, 1009, 404, 503)
// rather than buffering, crashing or hanging.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import v8 from 'node:v8';
import WebSocket from 'ws';
import { createServer, isSockJSError } from '@sockjs-server/core';
import { PREFIX, parseHead, request, sessionPath, startServer, waitForNoSessions } from '../helpers/security-harness.ts';

const MiB = 1024 * 1024;

/** A real `gc()` when the process can get one, so heap comparisons measure retained memory, not garbage. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
}

interface UploadResult {
  readonly status: number | undefined;
  readonly head: string;
  /** Bytes the client handed to its socket before the server stopped the upload. */
  readonly written: number;
  readonly closedByServer: boolean;
}

/**
 * Streams up to `total` bytes as a chunked request body, honouring the socket's
 * back-pressure, and stops as soon as the server answers or closes.
 */
function streamUpload(port: number, path: string, contentType: string, total: number, first: string): Promise<UploadResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let written = 0;
    let stopped = false;
    let closedByServer = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const finish = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      socket.destroy();
      const head = parseHead(received);
      resolve({ status: head?.status, head: received.toString('latin1').split('\r\n\r\n')[0] ?? '', written, closedByServer });
    };
    // Bounded: a server that neither answers nor closes fails the test after 20 s.
    const timer = setTimeout(finish, 20_000);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      // Keep reading until the server closes, so its close is observed too.
    });
    const onGone = () => {
      closedByServer = true;
      finish();
    };
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', onGone);
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${Buffer.byteLength(first).toString(16)}\r\n${first}\r\n`,
    );
    written += Buffer.byteLength(first);
    const pump = () => {
      while (!stopped && written < total) {
        const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
        written += chunk.length;
        if (!ok) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!stopped && written >= total) socket.write('0\r\n\r\n');
    };
    socket.once('connect', pump);
  });
}

describe('defaults', () => {
  test('every limit has a finite default', () => {
    const { options } = createServer();
    assert.equal(options.maxMessageSize, MiB);
    assert.equal(options.sendHighWaterMark, 64 * 1024);
    assert.equal(options.maxBufferedBytes, 4 * MiB);
    assert.equal(options.maxSessionIdLength, 128);
    assert.equal(options.responseLimit, 128 * 1024);
    // Origins default to sockjs-node's '*' for compatibility; the cap on sessions is opt-in.
    assert.equal(options.allowedOrigins, '*');
    assert.equal(options.maxSessions, Infinity);
  });

  test('limits are configurable and nonsense values are refused at construction', () => {
    const { options } = createServer({ maxMessageSize: 10, sendHighWaterMark: 11, maxBufferedBytes: 12, maxSessionIdLength: 13, maxSessions: 14 });
    assert.deepEqual(
      [options.maxMessageSize, options.sendHighWaterMark, options.maxBufferedBytes, options.maxSessionIdLength, options.maxSessions],
      [10, 11, 12, 13, 14],
    );
    assert.equal(createServer({ faye_server_options: { maxLength: 99 } }).options.maxMessageSize, 99);
    for (const name of ['maxMessageSize', 'sendHighWaterMark', 'maxBufferedBytes', 'maxSessionIdLength', 'maxSessions'] as const) {
      for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
        assert.throws(
          () => createServer({ [name]: bad }),
          (e: unknown) => isSockJSError(e) && e.code === 'SOCKJS_ERR_INVALID_OPTION',
          `${name}: ${String(bad)}`,
        );
      }
    }
  });
});

describe('send bodies (xhr_send, jsonp_send)', () => {
  test('a body of exactly maxMessageSize is accepted, one byte more gets 413 "Payload too large."', async (t) => {
    const srv = await startServer(t, { maxMessageSize: 1024 });
    const s = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'o\n');
    const fits = `["${'x'.repeat(1020)}"]`;
    assert.equal(Buffer.byteLength(fits), 1024);
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: fits })).status, 204);
    const over = `["${'x'.repeat(1021)}"]`;
    const refused = await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: over });
    assert.equal(refused.status, 413);
    assert.equal(refused.body, 'Payload too large.');
    assert.equal(refused.headers.connection, 'close');
    // Without Content-Length the limit is enforced while reading, not just from the header.
    const chunked = await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: over, headers: { 'Transfer-Encoding': 'chunked' } });
    assert.equal(chunked.status, 413);
    const form = `d=${encodeURIComponent(`["${'y'.repeat(1020)}"]`)}`;
    assert.ok(Buffer.byteLength(form) > 1024);
    const jsonp = await request(srv.port, {
      method: 'POST',
      path: `${s}/jsonp_send`,
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
    });
    assert.equal(jsonp.status, 413);
    assert.equal(jsonp.body, 'Payload too large.');
    // The refused messages never reached the application; the accepted one did.
    const poll = await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    assert.equal(poll.body, `a[${JSON.stringify('x'.repeat(1020))}]\n`);
  });

  test('a declared Content-Length above the limit is refused before any body byte is sent', async (t) => {
    const srv = await startServer(t);
    const s = sessionPath();
    await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    for (const route of ['xhr_send', 'jsonp_send']) {
      // Only the head is sent: a server that waited for the body would time out here.
      const socket = net.connect({ port: srv.port, host: '127.0.0.1' });
      const answer = await new Promise<string>((resolve, reject) => {
        let data = '';
        const timer = setTimeout(() => reject(new Error(`${route}: no answer without the body`)), 3000);
        socket.on('data', (d: Buffer) => {
          data += d.toString('latin1');
          if (data.includes('\r\n\r\n')) {
            clearTimeout(timer);
            resolve(data);
          }
        });
        socket.on('error', reject);
        socket.write(`POST ${s}/${route} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${64 * MiB}\r\n\r\n`);
      });
      socket.destroy();
      assert.match(answer, /^HTTP\/1\.1 413 /, route);
    }
  });

  test('a body whose UTF-8 characters are split between TCP writes arrives intact', async (t) => {
    const seen: string[] = [];
    const srv = await startServer(t, {}, (conn) => conn.on('data', (m: string) => seen.push(m)));
    const s = sessionPath();
    await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    const message = 'é€😀 split';
    const body = Buffer.from(JSON.stringify([message]), 'utf8');
    const socket = net.connect({ port: srv.port, host: '127.0.0.1' });
    t.after(() => socket.destroy());
    const answer = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d: Buffer) => {
        data += d.toString('latin1');
        if (data.includes('\r\n\r\n')) resolve(data);
      });
    });
    socket.write(`POST ${s}/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`);
    // One byte at a time, each its own chunk: every multi-byte character is cut, inside its first two bytes at least.
    for (const byte of body) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.match(await answer, /^HTTP\/1\.1 204 /);
    assert.deepEqual(seen, [message]);
  });

  for (const route of ['xhr_send', 'jsonp_send'] as const) {
    test(`${route}: a 64 MiB streamed body is cut off at the 1 MiB default, memory stays flat`, async (t) => {
      const srv = await startServer(t);
      const s = sessionPath();
      await request(srv.port, { method: 'POST', path: `${s}/xhr` });
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      const total = 64 * MiB;
      const contentType = route === 'xhr_send' ? 'text/plain' : 'application/x-www-form-urlencoded';
      const result = await streamUpload(srv.port, `${s}/${route}`, contentType, total, route === 'xhr_send' ? '["' : 'd=%5B%22');
      collectGarbage();
      const grown = process.memoryUsage().heapUsed - before;
      assert.equal(result.status, 413, `status line and headers: ${result.head}`);
      assert.match(result.head, /\r\nConnection: close/i);
      assert.ok(result.closedByServer, 'the server closes the connection after 413');
      // Kernel buffers absorb some megabytes after the cut-off; finishing the upload would mean the server kept reading.
      assert.ok(result.written < total / 2, `client wrote ${result.written} of ${total} bytes before the server stopped it`);
      assert.ok(grown < 16 * MiB, `heap grew by ${grown} bytes for a ${total}-byte upload`);
      await waitForNoSessions(srv.sockjs);
    });
  }
});

describe('WebSocket messages', () => {
  /** Sends `message` once the socket is open (after `o` for SockJS) and reports the echo or the close code. */
  async function echoOrClose(url: string, message: string, sockjsFraming: boolean): Promise<{ echoed?: string; closeCode?: number }> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no echo and no close within 5 s')), 5000);
        let sent = false;
        const sendOnce = () => {
          if (!sent) ws.send(message);
          sent = true;
        };
        if (!sockjsFraming) ws.on('open', sendOnce);
        ws.on('message', (data: Buffer) => {
          const text = data.toString('utf8');
          if (text === 'o' && sockjsFraming && !sent) return sendOnce();
          clearTimeout(timer);
          resolve({ echoed: text });
        });
        ws.on('close', (code: number) => {
          clearTimeout(timer);
          resolve({ closeCode: code });
        });
        ws.on('error', () => {});
      });
    } finally {
      ws.terminate();
    }
  }

  test('SockJS websocket: maxMessageSize fits, one byte more closes with 1009', async (t) => {
    const srv = await startServer(t, { maxMessageSize: 1024 });
    const url = `ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`;
    const fits = `["${'x'.repeat(1020)}"]`;
    assert.deepEqual(await echoOrClose(url, fits, true), { echoed: `a[${JSON.stringify('x'.repeat(1020))}]` });
    assert.deepEqual(await echoOrClose(url, `["${'x'.repeat(1021)}"]`, true), { closeCode: 1009 });
    await waitForNoSessions(srv.sockjs);
  });

  test('raw websocket: maxMessageSize fits, one byte more closes with 1009', async (t) => {
    const srv = await startServer(t, { maxMessageSize: 1024 });
    const url = `ws://127.0.0.1:${srv.port}${PREFIX}/websocket`;
    assert.deepEqual(await echoOrClose(url, 'y'.repeat(1024), false), { echoed: 'y'.repeat(1024) });
    assert.deepEqual(await echoOrClose(url, 'y'.repeat(1025), false), { closeCode: 1009 });
    await waitForNoSessions(srv.sockjs);
  });

  test('the 1 MiB default applies to WebSocket messages', async (t) => {
    const srv = await startServer(t);
    const url = `ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`;
    assert.deepEqual(await echoOrClose(url, `["${'z'.repeat(MiB)}"]`, true), { closeCode: 1009 });
  });
});

describe('session ids and session count', () => {
  test('session ids longer than maxSessionIdLength get 404 and create nothing', async (t) => {
    const srv = await startServer(t);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath('a'.repeat(128))}/xhr` })).status, 200);
    const long = await request(srv.port, { method: 'POST', path: `${sessionPath('b'.repeat(129))}/xhr` });
    assert.equal(long.status, 404);
    assert.equal(srv.sockjs.stats().registry.httpSessions, 1);
    const small = await startServer(t, { maxSessionIdLength: 8 });
    assert.equal((await request(small.port, { method: 'POST', path: `${sessionPath('12345678')}/xhr` })).status, 200);
    assert.equal((await request(small.port, { method: 'POST', path: `${sessionPath('123456789')}/xhr` })).status, 404);
    assert.equal((await request(small.port, { method: 'GET', path: `${sessionPath('123456789')}/eventsource` })).status, 404);
    assert.equal(small.sockjs.stats().registry.httpSessions, 1);
  });

  test('maxSessions refuses the next session with 503 on HTTP and WebSocket, and frees up when one ends', async (t) => {
    const srv = await startServer(t, { maxSessions: 2 });
    const a = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${a}/xhr` })).status, 200);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).status, 200);
    const third = await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` });
    assert.equal(third.status, 503);
    assert.equal(third.body, 'Too many sessions');
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${sessionPath()}/websocket`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    ws.terminate();
    assert.equal(status, 503);
    // Existing sessions keep working at the cap.
    assert.equal((await request(srv.port, { method: 'POST', path: `${a}/xhr_send`, body: '["x"]' })).status, 204);
    assert.equal(srv.sockjs.stats().registry.httpSessions, 2);
    // Once the two sessions time out, there is room again.
    await waitForNoSessions(srv.sockjs);
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).status, 200);
  });
});
