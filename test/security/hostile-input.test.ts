// Hostile input and regression tests for known advisory classes: each
// request below once crashed, hung, leaked or injected content in some
// WebSocket/SockJS server. The server must answer cleanly and stay up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PREFIX,
  openStream,
  parseHead,
  rawExchange,
  rawRequest,
  request,
  requestHead,
  sessionPath,
  startServer,
  waitForNoSessions,
  type SecurityServer,
} from '../helpers/security-harness.ts';
import { OPCODE, closeCode, encodeFrame, rawUpgrade, upgradeRequest, type RawWebSocket } from '../helpers/security-ws.ts';

/** The server still answers /info: it did not crash or wedge. */
async function assertAlive(srv: SecurityServer): Promise<void> {
  const res = await request(srv.port, { path: `${PREFIX}/info` });
  assert.equal(res.status, 200);
}

/** Opens a SockJS WebSocket session and consumes its `o` frame. */
async function openSockjsWs(srv: SecurityServer): Promise<RawWebSocket> {
  const ws = await rawUpgrade(srv.port, upgradeRequest(`${sessionPath()}/websocket`));
  assert.equal(ws.head.status, 101);
  return ws;
}

describe('callbacks and frames', () => {
  test('JSONP and htmlfile callbacks are validated: charset, length 1-32, single value', async (t) => {
    const srv = await startServer(t);
    const bad = ['', 'alert(1)', 'a b', '<script>', 'a;b', "a'b", 'x'.repeat(33), encodeURIComponent('cb\u2028'), 'cb%00'];
    for (const transport of ['jsonp', 'htmlfile']) {
      for (const c of bad) {
        const res = await request(srv.port, { path: `${sessionPath()}/${transport}?c=${/^[\x21-\x7e]*$/.test(c) ? c : encodeURIComponent(c)}` });
        assert.equal(res.status, 500, `${transport} c=${c}`);
        assert.equal(res.body, 'invalid "callback" parameter');
      }
      assert.equal((await request(srv.port, { path: `${sessionPath()}/${transport}?c=a&c=b` })).status, 500);
      assert.equal((await request(srv.port, { path: `${sessionPath()}/${transport}` })).body, '"callback" parameter required');
      assert.equal((await requestHead(srv.port, { path: `${sessionPath()}/${transport}?c=${'x'.repeat(32)}` })).status, 200);
    }
    // Nothing was created by the refused requests (only the two accepted ones).
    await waitForNoSessions(srv.sockjs);
    assert.equal(srv.connections.length, 2);
  });

  test('JSONP responses defeat content sniffing (CVE-2014-4671): /**/ prefix and nosniff', async (t) => {
    const srv = await startServer(t);
    const res = await request(srv.port, { path: `${sessionPath()}/jsonp?c=CWS`, headers: {} });
    assert.ok(res.body.startsWith('/**/CWS('), res.body);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-type'], 'application/javascript; charset=UTF-8');
  });

  test('no message content can break out of its frame (jsonp, htmlfile, eventsource, xhr)', async (t) => {
    const evil = ['</script><script>alert(1)</script>', '");alert(1);//', '\u2028\u2029', '\r\n\r\ndata: c[1,"x"]\r\n\r\n', '<!--', ']]>', '%0D%0A', '\u0000'];
    const srv = await startServer(t);
    const s = sessionPath();
    const html = await openStream(srv.port, { path: `${s}/htmlfile?c=cb` });
    t.after(() => html.close());
    await html.waitFor('p("o")');
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: JSON.stringify(evil) })).status, 204);
    // The echo writes each message as its own frame: wait for all of them, complete.
    const FRAME_END = ');\n</script>\r\n';
    await html.waitFor(FRAME_END, 3000, (text) => text.split(FRAME_END).length - 1 >= 1 + evil.length);
    const frames = html.text().split('<script>\np(').slice(2);
    // Exactly the envelope's own tags: no message closed a <script> or opened markup.
    assert.equal(html.text().split('</script>').length - 1, 2 + frames.length, html.text().slice(-400));
    const viaHtml: unknown[] = [];
    for (const frame of frames) {
      const literal = frame.slice(0, frame.indexOf(FRAME_END));
      assert.doesNotMatch(literal, /[<>\u2028\u2029]/);
      viaHtml.push(...(JSON.parse((JSON.parse(literal) as string).slice(1)) as unknown[]));
    }
    assert.deepEqual(viaHtml, evil);
    html.close();

    const s2 = sessionPath();
    const es = await openStream(srv.port, { path: `${s2}/eventsource` });
    t.after(() => es.close());
    await es.waitFor('data: o\r\n\r\n');
    await request(srv.port, { method: 'POST', path: `${s2}/xhr_send`, body: JSON.stringify(evil) });
    const messageEvents = (text: string) => text.split('\r\n\r\n').filter((e) => e.startsWith('data: a'));
    await es.waitFor('data: a', 3000, (text) => messageEvents(text).length >= evil.length && text.endsWith('\r\n\r\n'));
    const events = messageEvents(es.text());
    assert.equal(events.length, evil.length, 'one event per message, none injected');
    assert.deepEqual(events.flatMap((e) => JSON.parse(decodeURIComponent(e.slice('data: '.length)).slice(1)) as unknown[]), evil);
    es.close();

    const s3 = sessionPath();
    await request(srv.port, { path: `${s3}/jsonp?c=cb` });
    await request(srv.port, { method: 'POST', path: `${s3}/jsonp_send`, body: `d=${encodeURIComponent(JSON.stringify(evil))}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const jsonp = await request(srv.port, { path: `${s3}/jsonp?c=cb` });
    const m = /^\/\*\*\/cb\((.*)\);\r\n$/s.exec(jsonp.body);
    assert.ok(m, jsonp.body);
    assert.doesNotMatch(m[1]!, /[\u2028\u2029]/);
    assert.deepEqual(JSON.parse((JSON.parse(m[1]!) as string).slice(1)), evil);
  });
});

describe('cookies and session ids', () => {
  test('the JSESSIONID echo only accepts cookie-octets; attributes cannot be injected (CVE-2024-47764 class)', async (t) => {
    const srv = await startServer(t, { jsessionid: true });
    const cookieFor = async (cookie: string) =>
      (await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr`, headers: { Cookie: cookie } })).headers['set-cookie'];
    assert.deepEqual(await cookieFor('JSESSIONID=abc123'), ['JSESSIONID=abc123; path=/']);
    for (const injected of [
      'JSESSIONID="x; Domain=evil.com"',
      'JSESSIONID=x%3B%20Domain%3Devil.com',
      'JSESSIONID=x%0D%0ASet-Cookie:%20a=b',
      'JSESSIONID="a\\"b"',
      `JSESSIONID=${'a'.repeat(5000)}`,
      'JSESSIONID=%E2%80%A8',
    ]) {
      assert.deepEqual(await cookieFor(injected), ['JSESSIONID=dummy; path=/'], injected);
    }
  });

  test('cookie attributes are configurable', async (t) => {
    const srv = await startServer(t, {
      jsessionid: true,
      jsessionidCookie: { path: '/echo', domain: 'example.com', secure: true, httpOnly: true, sameSite: 'strict', maxAge: 60 },
    });
    const res = await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr`, headers: { Cookie: 'JSESSIONID=v1' } });
    const [cookie] = res.headers['set-cookie'] ?? [];
    assert.ok(cookie?.startsWith('JSESSIONID=v1; '), cookie);
    for (const attribute of ['Max-Age=60', 'Domain=example.com', 'Path=/echo', 'HttpOnly', 'Secure', 'SameSite=Strict']) {
      assert.ok((cookie ?? '').split('; ').includes(attribute), `${attribute} in ${cookie}`);
    }
  });

  test('an attribute value that would inject another attribute never reaches a response', async (t) => {
    let srv: SecurityServer;
    try {
      srv = await startServer(t, { jsessionid: true, jsessionidCookie: { path: '/; Domain=evil.com' } });
    } catch {
      return; // refusing the option outright is fine
    }
    const res = await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` });
    assert.doesNotMatch(String(res.headers['set-cookie'] ?? ''), /Domain=evil/i);
    await assertAlive(srv);
  });

  test('session ids: one segment without dots, length-capped; odd ids are 404 and create nothing', async (t) => {
    const srv = await startServer(t);
    // (`%2e%2e` or `a%2fb` are opaque ids: paths are matched undecoded, so nothing turns them into `..` or `/`.)
    for (const id of ['a.b', '..', '.', 'x'.repeat(129), 'x'.repeat(10_000)]) {
      const res = await request(srv.port, { method: 'POST', path: `${PREFIX}/000/${id}/xhr` });
      assert.equal(res.status, 404, id.slice(0, 20));
    }
    assert.equal(srv.sockjs.stats().registry.httpSessions, 0);
  });

  test('bindSessionToAddress: another address can neither read, write nor take over the session', async (t) => {
    const srv = await startServer(t, { bindSessionToAddress: true });
    const s = sessionPath();
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'o\n');
    const other = { localAddress: '127.0.0.2' };
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: '["stolen"]', ...other })).status, 404);
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr`, ...other })).status, 404);
    assert.equal((await request(srv.port, { path: `${s}/jsonp?c=cb`, ...other })).status, 404);
    assert.equal(srv.sockjs.stats().registry.httpSessions, 1, 'the foreign poll did not create a second session under the same id');
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: '["mine"]' })).status, 204);
    assert.equal((await request(srv.port, { method: 'POST', path: `${s}/xhr` })).body, 'a["mine"]\n');
    // Without the option the same requests are served (the test above would pass vacuously otherwise).
    const open = await startServer(t);
    const s2 = sessionPath();
    await request(open.port, { method: 'POST', path: `${s2}/xhr` });
    assert.equal((await request(open.port, { method: 'POST', path: `${s2}/xhr_send`, body: '["x"]', ...other })).status, 204);
  });
});

describe('payloads that crashed the reference server', () => {
  test('non-string messages are refused over HTTP and WebSocket, never delivered', async (t) => {
    const received: unknown[] = [];
    const srv = await startServer(t, {}, (conn) => conn.on('data', (m: unknown) => received.push(m)));
    const s = sessionPath();
    await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    for (const body of ['[1]', '[null]', '[{"a":1}]', '{"a":1}', '5', 'null', '[["x"]]', '"str"', '[', '\xff\xfe']) {
      const res = await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body });
      assert.equal(res.status, 500, body);
      assert.match(res.body, /^(Payload expected\.|Broken JSON encoding\.)$/);
    }
    for (const payload of ['5', '{"a":1}', '[1]', '[null]', 'not json']) {
      const ws = await openSockjsWs(srv);
      ws.send({ opcode: OPCODE.TEXT, payload });
      assert.ok(await ws.closed(3000), `closed after ${payload}`);
      const close = ws.frames().find((f) => f.opcode === OPCODE.CLOSE);
      assert.equal(close && closeCode(close), 3000, payload);
    }
    assert.deepEqual(received, []);
    await assertAlive(srv);
  });

  test('invalid UTF-8 on a WebSocket closes with 1007; on xhr_send it decodes to U+FFFD', async (t) => {
    const received: string[] = [];
    const srv = await startServer(t, {}, (conn) => conn.on('data', (m: string) => received.push(m)));
    const ws = await openSockjsWs(srv);
    ws.send({ opcode: OPCODE.TEXT, payload: Buffer.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]) });
    assert.ok(await ws.closed(3000));
    const close = ws.frames().find((f) => f.opcode === OPCODE.CLOSE);
    assert.equal(close && closeCode(close), 1007);
    const s = sessionPath();
    await request(srv.port, { method: 'POST', path: `${s}/xhr` });
    await request(srv.port, { method: 'POST', path: `${s}/xhr_send`, body: Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]) });
    assert.deepEqual(received, ['\ufffd']);
  });
});

describe('advisory regressions', () => {
  test('upgrade requests to non-WebSocket URLs are answered and closed (CVE-2020-7693)', async (t) => {
    const srv = await startServer(t);
    const s = sessionPath();
    const paths = ['', '/', '/info', '/iframe.html', `/000/${s.split('/').pop()}/xhr`, '/000/x/xhr_send', '/000/x/eventsource', '/000/x/jsonp?c=a', '/nope', '/000/x/websocket/extra'];
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'OPTIONS']) {
        for (const upgrade of [
          [['Upgrade', 'websocket'], ['Connection', 'Upgrade']],
          [['Upgrade', 'WebSocket'], ['Connection', 'keep-alive, Upgrade']],
          [['Upgrade', 'h2c'], ['Connection', 'Upgrade, HTTP2-Settings']],
          [['Upgrade', 'websocket']],
        ] as const) {
          const ex = await rawExchange(srv.port, rawRequest(method, `${PREFIX}${path}`, upgrade), 3000, undefined, 100);
          const head = parseHead(ex.data);
          assert.ok(head, `${method} ${path} ${JSON.stringify(upgrade)}: no HTTP answer, got ${JSON.stringify(ex.data.toString('latin1').slice(0, 80))}`);
          assert.ok(head.status >= 200 && head.status < 600 && head.status !== 101, `${method} ${path}: ${head.status}`);
          // A complete answer on an upgrade socket is close-delimited; only a live receiver may stay open: the
          // eventsource stream, or a poll on an existing session waiting for its frame (PROTOCOL.md 5.3).
          const streaming = head.status === 200 && /\/(eventsource|xhr|jsonp)(\?|$)/.test(path);
          assert.ok(ex.closedByServer || streaming || head.headers.get('connection') !== 'close', `${method} ${path}: left open after Connection: close`);
        }
      }
    }
    // Outside the prefix: answered 404 rather than left hanging.
    const outside = await rawExchange(srv.port, rawRequest('GET', '/elsewhere', [['Upgrade', 'websocket'], ['Connection', 'Upgrade']]), 3000);
    assert.equal(parseHead(outside.data)?.status, 404);
    assert.ok(outside.closedByServer);
    await waitForNoSessions(srv.sockjs);
    await assertAlive(srv);
  });

  test('handshake headers beyond maxHeadersCount are refused, not crashed on (ws CVE-2024-37890)', async (t) => {
    const srv = await startServer(t);
    srv.server.maxHeadersCount = 50;
    const fillers: Array<[string, string]> = Array.from({ length: 60 }, (_, i) => [`X-F${i}`, 'a']);
    // Upgrade/Connection come first so the request reaches the upgrade path; the key and version fall past the limit.
    const text =
      `GET ${sessionPath()}/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      fillers.map(([n, v]) => `${n}: ${v}\r\n`).join('') +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const ex = await rawExchange(srv.port, text, 3000);
    assert.equal(parseHead(ex.data)?.status, 400, ex.data.toString('latin1').slice(0, 100));
    srv.server.maxHeadersCount = 2000;
    const many = Array.from({ length: 2100 }, (_, i): [string, string] => [`h${i}`, '']);
    const ex2 = await rawExchange(srv.port, upgradeRequest(`${sessionPath()}/websocket`, many), 3000, undefined, 50);
    const status = parseHead(ex2.data)?.status;
    assert.ok(status === 101 || status === 400 || status === 431, `status ${status}`);
    await assertAlive(srv);
  });

  test('pathological Sec-WebSocket-Protocol / Sec-WebSocket-Extensions headers', async (t) => {
    const srv = await startServer(t);
    const values = [
      ',',
      ',,,,,,,,',
      'a,a',
      ' '.repeat(8000),
      'a,'.repeat(4000) + 'a',
      'chat; \u0000',
      '"quoted"',
      'x'.repeat(12_000),
    ];
    for (const header of ['Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions']) {
      for (const value of [...values, 'permessage-deflate; '.repeat(500), 'permessage-deflate; client_max_window_bits=99999999999']) {
        for (const path of [`${sessionPath()}/websocket`, `${PREFIX}/websocket`]) {
          const ex = await rawExchange(srv.port, upgradeRequest(path, [[header, value]]), 3000, undefined, 20);
          const head = parseHead(ex.data);
          assert.ok(head, `${header}: ${value.slice(0, 30)}: no answer`);
          assert.ok([101, 400, 431].includes(head.status), `${header}: ${value.slice(0, 30)}: ${head.status}`);
          // No extension is ever negotiated (compression bombs stay out).
          assert.equal(head.headers.get('sec-websocket-extensions'), undefined);
        }
      }
    }
    await waitForNoSessions(srv.sockjs);
    await assertAlive(srv);
  });

  test('fragment flood: a message in thousands of tiny fragments is cut off', async (t) => {
    const srv = await startServer(t);
    const ws = await openSockjsWs(srv);
    const frames: Buffer[] = [encodeFrame({ opcode: OPCODE.TEXT, payload: '["', fin: false })];
    for (let i = 0; i < 5000; i++) frames.push(encodeFrame({ opcode: OPCODE.CONT, payload: 'x', fin: false }));
    ws.send(Buffer.concat(frames));
    assert.ok(await ws.closed(5000), 'the server closed the flooding connection');
    const close = ws.frames().find((f) => f.opcode === OPCODE.CLOSE);
    assert.equal(close && closeCode(close), 1008);
    await waitForNoSessions(srv.sockjs);
    await assertAlive(srv);
  });

  test('ping flood from a client that never reads pongs is cut off with a bounded backlog', async (t) => {
    const srv = await startServer(t);
    const ws = await openSockjsWs(srv);
    ws.socket.pause();
    const ping = encodeFrame({ opcode: OPCODE.PING, payload: Buffer.alloc(125, 1) });
    let maxBacklog = 0;
    // 100k pings = 12.5 MB of pongs: far beyond what loopback buffers absorb, so pongs must pile up or be refused.
    for (let i = 0; i < 100_000 && !ws.socket.destroyed; i++) {
      if (!ws.socket.write(ping)) await new Promise((r) => setTimeout(r, 1));
      if (i % 500 === 0) for (const s of srv.serverSockets) maxBacklog = Math.max(maxBacklog, s.writableLength);
    }
    ws.socket.resume();
    assert.ok(await ws.closed(5000), 'the server terminated the flood');
    assert.ok(maxBacklog < 256 * 1024, `server socket held ${maxBacklog} bytes of pongs`);
    await waitForNoSessions(srv.sockjs);
    await assertAlive(srv);
  });

  test('malformed frames close the connection cleanly', async (t) => {
    const srv = await startServer(t);
    const cases: Array<[string, Buffer]> = [
      ['unmasked', encodeFrame({ opcode: OPCODE.TEXT, payload: '["a"]', mask: false })],
      ['rsv bits', encodeFrame({ opcode: OPCODE.TEXT, payload: '["a"]', rsv: 4 })],
      ['opcode 3', encodeFrame({ opcode: 3, payload: 'x' })],
      ['opcode 0xB', encodeFrame({ opcode: 0xb, payload: 'x' })],
      ['continuation first', encodeFrame({ opcode: OPCODE.CONT, payload: 'x' })],
      ['fragmented ping', encodeFrame({ opcode: OPCODE.PING, payload: 'x', fin: false })],
      ['long ping', encodeFrame({ opcode: OPCODE.PING, payload: Buffer.alloc(126) })],
      ['bad close code', encodeFrame({ opcode: OPCODE.CLOSE, payload: Buffer.from([0x03, 0xe7]) })],
      ['1-byte close', encodeFrame({ opcode: OPCODE.CLOSE, payload: Buffer.from([0x03]) })],
      ['2^63 length', Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])],
      ['text inside fragments', Buffer.concat([encodeFrame({ opcode: OPCODE.TEXT, payload: '["', fin: false }), encodeFrame({ opcode: OPCODE.TEXT, payload: 'a"]' })])],
    ];
    for (const [name, bytes] of cases) {
      const ws = await openSockjsWs(srv);
      ws.send(bytes);
      assert.ok(await ws.closed(3000), `${name}: connection left open`);
    }
    await waitForNoSessions(srv.sockjs);
    await assertAlive(srv);
  });

  test('paths that made path-to-regexp backtrack are answered promptly', async (t) => {
    const srv = await startServer(t);
    const paths = [
      `${PREFIX}/iframe${'-'.repeat(8000)}.htm`,
      `${PREFIX}/iframe${'.'.repeat(8000)}x.html`,
      `${PREFIX}/${'a/'.repeat(4000)}xhr`,
      `${PREFIX}/a/${'-a'.repeat(4000)}/xhr`,
      `${PREFIX}/${'/'.repeat(8000)}`,
      `${PREFIX}/a/b/${'%2F'.repeat(3000)}`,
      `${PREFIX}/iframe${'a.'.repeat(4000)}html`,
    ];
    for (const path of paths) {
      const res = await request(srv.port, { path, timeoutMs: 3000 });
      assert.ok([200, 404, 405].includes(res.status), `${path.slice(0, 40)}…: ${res.status}`);
    }
    await assertAlive(srv);
  });
});
