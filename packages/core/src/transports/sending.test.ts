import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '../index.js';
import { listening } from '../test-support/loopback.js';

// xhr_send reads its body from the request's events and delivers from the 'end' event, where no
// caller is left to catch what the application's 'data' listener throws.

async function post(port: number, path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/echo/000/${path}`, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
  return { status: res.status, text: await res.text() };
}

test('a data listener that throws during xhr_send gets a logged 500, and the process and session go on', async (t) => {
  const logged: string[] = [];
  const sockjs = createServer({ prefix: '/echo', log: (severity, line) => severity === 'error' && logged.push(line) });
  const received: string[] = [];
  sockjs.on('connection', (conn) => {
    conn.on('data', (message) => {
      if (message === 'boom') throw new Error('listener failed');
      received.push(message);
    });
  });
  const { server, port } = await listening(t, sockjs);
  sockjs.attach(server);

  assert.deepEqual(await post(port, 's1/xhr', ''), { status: 200, text: 'o\n' });
  const failed = await post(port, 's1/xhr_send', '["boom"]');
  assert.equal(failed.status, 500);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /xhr_send: Error: listener failed/);

  assert.equal((await post(port, 's1/xhr_send', '["after"]')).status, 204);
  assert.deepEqual(received, ['after']);
});

test('a body over maxMessageSize is refused with 413 as it arrives, and nothing is delivered', async (t) => {
  const sockjs = createServer({ prefix: '/echo', maxMessageSize: 64 });
  const received: string[] = [];
  sockjs.on('connection', (conn) => conn.on('data', (message) => received.push(message)));
  const { server, port } = await listening(t, sockjs);
  sockjs.attach(server);

  assert.equal((await post(port, 's2/xhr', '')).status, 200);
  // A streamed body has no Content-Length, so the limit is enforced on the chunks themselves.
  const chunks = [JSON.stringify(['x'.repeat(40)]).slice(0, 30), JSON.stringify(['x'.repeat(40)]).slice(30) + 'x'.repeat(40)];
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
  const res = await fetch(`http://127.0.0.1:${port}/echo/000/s2/xhr_send`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.equal(res.status, 413);
  assert.equal(await res.text(), 'Payload too large.');
  assert.deepEqual(received, []);
});
