import { test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { flushHeadersThisTurn, forgetHeaderFlush, releaseSentHeader } from './header-flush.js';

type Internals = ServerResponse & { _header?: unknown; _headerSent?: unknown };

/** A loopback server whose one response `handle` drives; resolves to what the client received. */
async function exchange(handle: (res: ServerResponse) => Promise<void>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const server = http.createServer((_req, res) => void handle(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

test('a streaming response gives up its sent header block, stays "headers sent", and streams on', async () => {
  let sentBlock = '';
  let released: unknown;
  const got = await exchange(async (res) => {
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=UTF-8', 'X-Test': 'kept' });
    res.write('o\n');
    sentBlock = String((res as Internals)._header);
    releaseSentHeader(res);
    released = (res as Internals)._header;
    assert.equal(res.headersSent, true);
    assert.throws(() => res.setHeader('X-Late', '1'), { code: 'ERR_HTTP_HEADERS_SENT' });
    await tick();
    res.write('a["x"]\n');
    res.end();
  });
  assert.ok(sentBlock.includes('X-Test: kept'), 'the block really was the response head');
  assert.notEqual(released, sentBlock, 'the per-response block is released');
  assert.equal(typeof released, 'string');
  assert.equal(got.status, 200);
  assert.equal(got.headers['x-test'], 'kept');
  assert.equal(got.body, 'o\na["x"]\n');
});

test('a waiting response releases its header block only once it was flushed, then ends normally', async () => {
  const seen: unknown[] = [];
  const got = await exchange(async (res) => {
    res.writeHead(200, { 'X-Test': 'waiting' });
    releaseSentHeader(res);
    seen.push((res as Internals)._header);
    flushHeadersThisTurn(res);
    await tick();
    await tick();
    seen.push((res as Internals)._header);
    res.end('a["late"]\n');
  });
  assert.ok(String(seen[0]).includes('X-Test: waiting'), 'not yet sent: the block is kept');
  assert.ok(!String(seen[1]).includes('X-Test'), 'sent this turn: the block is released');
  assert.equal(got.headers['x-test'], 'waiting');
  assert.equal(got.body, 'a["late"]\n');
});

test('a response forgotten before the flush is no longer held for it: its headers go out only with its body', async () => {
  const sentAtFlush: unknown[] = [];
  const got = await exchange(async (res) => {
    res.writeHead(200, { 'X-Test': 'forgotten' });
    flushHeadersThisTurn(res);
    forgetHeaderFlush(res);
    await tick();
    await tick();
    sentAtFlush.push((res as Internals)._headerSent);
    res.end('a["answer"]\n');
  });
  assert.deepEqual(sentAtFlush, [false], 'the flush after the turn did not touch it');
  assert.equal(got.headers['x-test'], 'forgotten');
  assert.equal(got.body, 'a["answer"]\n');
});
