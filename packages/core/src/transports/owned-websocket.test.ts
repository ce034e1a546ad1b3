import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { OwnedWebSocket, type SocketOwner } from './owned-websocket.js';

/** A server whose sockets are OwnedWebSockets; `onOpen` gets each one as its handshake completes. */
async function serve(t: { after(fn: () => unknown): void }, onOpen: (ws: OwnedWebSocket) => void): Promise<string> {
  const wss = new WebSocketServer<typeof OwnedWebSocket>({ noServer: true, clientTracking: false, WebSocket: OwnedWebSocket });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, onOpen));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

class RecordingOwner implements SocketOwner {
  readonly heard: string[] = [];
  readonly closed: Promise<void>;
  #closed!: () => void;
  constructor() {
    this.closed = new Promise((resolve) => (this.#closed = resolve));
  }
  onSocketMessage(data: Buffer): void {
    this.heard.push(`message ${data.toString('utf8')}`);
  }
  onSocketClose(): void {
    this.heard.push('close');
    this.#closed();
  }
  onSocketPong(): void {
    this.heard.push('pong');
  }
  onSocketError(error: Error & { code?: string }): void {
    this.heard.push(`error ${error.code}`);
  }
}

test('an adopted socket hands its messages, pongs and close to its owner, in order', async (t) => {
  const owner = new RecordingOwner();
  const url = await serve(t, (ws) => {
    ws.adopt(owner);
    ws.ping();
  });
  const client = new WebSocket(url);
  // The ping can arrive in the same read as the handshake: listen before `open`.
  const pinged = once(client, 'ping');
  await once(client, 'open');
  // The client answers the ping as it reads it, so its pong is on the wire before these.
  await pinged;
  client.send('one');
  client.send('two');
  client.close(1000);
  await owner.closed;
  assert.deepEqual(owner.heard, ['pong', 'message one', 'message two', 'close']);
});

// With no `error` listener an EventEmitter would throw here: the owner is the only handler there is.
test('what ws refuses reaches the owner as an error, then a close', async (t) => {
  const owner = new RecordingOwner();
  const url = await serve(t, (ws) => ws.adopt(owner));
  const client = new WebSocket(url);
  await once(client, 'open');
  // A text frame that is not UTF-8: ws fails the connection with 1007.
  client.send(Buffer.from([0xc3, 0x28]), { binary: false });
  const [code] = (await once(client, 'close')) as [number];
  await owner.closed;
  assert.equal(code, 1007);
  assert.deepEqual(owner.heard, ['error WS_ERR_INVALID_UTF8', 'close']);
});

test('a socket nobody adopted emits to its listeners like any WebSocket', async (t) => {
  const heard: string[] = [];
  let serverSide: OwnedWebSocket | undefined;
  const url = await serve(t, (ws) => {
    serverSide = ws;
    ws.on('message', (data: Buffer) => heard.push(data.toString('utf8')));
  });
  const client = new WebSocket(url);
  await once(client, 'open');
  client.send('plain');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(heard, ['plain']);
  assert.equal(serverSide?.listenerCount('message'), 1);
  client.close();
  await once(client, 'close');
});
