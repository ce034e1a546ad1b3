import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import WebSocket from 'ws';
import { SockJSServer } from './server.js';
import { broadcast } from './broadcast.js';
import type { Connection } from './connection.js';
import { ReadyState } from './constants.js';
import { listening } from './test-support/loopback.js';

test('broadcast writes one message to every open connection, over WebSocket and HTTP alike, and skips closed ones', { timeout: 10_000 }, async (t) => {
  const sockjs = new SockJSServer({ prefix: '/room' });
  const members: Connection[] = [];
  sockjs.on('connection', (conn) => members.push(conn));
  const { server, port } = await listening(t, sockjs);
  sockjs.attach(server);

  const framesOf = (ws: WebSocket) => {
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(data.toString()));
    return frames;
  };
  const sockets = [0, 1, 2].map((i) => new WebSocket(`ws://127.0.0.1:${port}/room/000/ws${i}/websocket`));
  const wsFrames = sockets.map(framesOf);
  await Promise.all(sockets.map((ws) => once(ws, 'message')));

  let streamed = '';
  const stream = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/room/000/http1/xhr_streaming' });
  stream.end();
  const [response] = (await once(stream, 'response')) as [http.IncomingMessage];
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (streamed += chunk));
  t.after(() => stream.destroy());

  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  while (members.length < 4) await nextTurn();
  // One client leaves; its connection stays in the list the application passes, as it may in a real app.
  sockets[2]!.close();
  await once(sockets[2]!, 'close');
  while (!members.some((m) => m.readyState === ReadyState.CLOSED)) await nextTurn();
  const closedFrames = wsFrames[2]!;

  // U+2028 must leave escaped (PROTOCOL.md 3.2): the shared frame is the protocol's quoting, not a shortcut.
  const message = 'to all\u2028"quoted"';
  assert.equal(broadcast(members, message), 3);
  const expected = 'a["to all\\u2028\\"quoted\\""]';
  for (const [i, frames] of [wsFrames[0]!, wsFrames[1]!].entries()) {
    while (frames.length < 2) await once(sockets[i]!, 'message');
    assert.deepEqual(frames, ['o', expected]);
  }
  while (!streamed.includes(expected)) await once(response, 'data');
  assert.ok(streamed.endsWith(`o\n${expected}\n`), JSON.stringify(streamed.slice(-80)));
  assert.ok(!closedFrames.includes(expected), 'a closed connection gets nothing');
  assert.equal(broadcast([], message), 0);
  for (const ws of sockets) ws.terminate();
});
