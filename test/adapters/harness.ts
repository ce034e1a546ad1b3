// Shared glue for the adapter tests: load each framework major by its npm
// alias, serve on an ephemeral port with cleanup, and speak just enough
// SockJS (WebSocket echo, xhr_send, jsonp_send, xhr_streaming) to prove a
// mount works.
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/** Framework majors under test: the unversioned package is the current major, the others are npm aliases. */
export const EXPRESS_VERSIONS = { express4: 'express4', express5: 'express' } as const;
export const KOA_VERSIONS = { koa2: 'koa2', koa3: 'koa' } as const;
export const FASTIFY_VERSIONS = { fastify4: 'fastify4', fastify5: 'fastify' } as const;

/** Imports a framework by package name, typed as its current major (the older majors share the API used here). */
export async function load<T>(name: string): Promise<T> {
  return ((await import(name)) as { default: T }).default;
}

/** Listens on 127.0.0.1:0; after the test, closes the server and destroys every socket it accepted, upgraded ones included. */
export async function serve(t: TestContext, server: http.Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  });
  return (server.address() as AddressInfo).port;
}

export const sessionPath = (prefix: string) => `${prefix}/000/${randomUUID()}`;

/** Opens a raw WebSocket (`ws` client); rejects on any non-101 answer or after 3 s, never hangs. */
export async function openWebSocket(t: TestContext, url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  t.after(() => ws.terminate());
  const timer = setTimeout(() => ws.emit('error', new Error(`no handshake answer from ${url}`)), 3000);
  try {
    await Promise.race([
      once(ws, 'open'),
      once(ws, 'unexpected-response').then(([, res]) => {
        throw new Error(`handshake answered ${(res as http.IncomingMessage).statusCode}`);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return ws;
}

/** Sends `text` on a raw WebSocket of an echo service and resolves with the answer. */
export async function echoOnce(ws: WebSocket, text: string): Promise<string> {
  ws.send(text);
  const [data] = (await once(ws, 'message')) as [Buffer];
  return data.toString();
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP request with a 3 s limit, so that a hanging answer fails the test instead of stalling it. */
export function request(port: number, method: string, path: string, body = '', headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, connection: 'close' }, timeout: 3000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} got no answer within 3 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Opens an xhr_streaming session (whose opening frame creates it), sends
 * `payload` with the given content type through `sendPath` ('xhr_send' or
 * 'jsonp_send') and resolves with the next frame on the stream.
 */
export async function sendAndReceive(port: number, prefix: string, sendPath: 'xhr_send' | 'jsonp_send', body: string, contentType: string): Promise<{ send: Reply; frame: string }> {
  const path = sessionPath(prefix);
  const stream = await openStream(port, `${path}/xhr_streaming`);
  try {
    assertFrame(await stream.next(), 'o');
    const send = await request(port, 'POST', `${path}/${sendPath}`, body, { 'content-type': contentType });
    const frame = send.status < 300 ? await stream.next() : '';
    return { send, frame };
  } finally {
    stream.close();
  }
}

/** [transport, body, content type, the frame the echo must answer] */
export type DeliveryCase = readonly [transport: 'xhr_send' | 'jsonp_send', body: string, contentType: string, frame: string];

/** Sends each case to an echo service at `prefix` and checks that it was accepted and echoed. */
export async function assertDelivered(port: number, prefix: string, cases: readonly DeliveryCase[]): Promise<void> {
  for (const [transport, body, type, frame] of cases) {
    const result = await sendAndReceive(port, prefix, transport, body, type);
    if (result.send.status >= 300) throw new Error(`${transport} ${type}: ${result.send.status} ${result.send.body}`);
    if (result.frame !== frame) throw new Error(`${transport} ${type}: echoed ${JSON.stringify(result.frame)}, expected ${JSON.stringify(frame)}`);
  }
}

function assertFrame(frame: string, expected: string): void {
  if (frame !== expected) throw new Error(`expected frame ${JSON.stringify(expected)}, got ${JSON.stringify(frame)}`);
}

export interface Stream {
  readonly headers: http.IncomingHttpHeaders;
  /** The next SockJS frame, without the 2 KiB `h` prelude; rejects after 2 s. */
  next(): Promise<string>;
  close(): void;
}

/** POSTs to a streaming transport and reads it frame by frame. */
export async function openStream(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<Stream> {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers });
  req.end();
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  const frames: string[] = [];
  let buffered = '';
  let wake: (() => void) | undefined;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const frame = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!/^h{2048}$/.test(frame)) frames.push(frame);
    }
    wake?.();
  });
  return {
    headers: res.headers,
    async next() {
      const deadline = Date.now() + 10_000;
      while (frames.length === 0) {
        if (Date.now() > deadline || res.readableEnded) throw new Error(`no frame on ${path} (status ${res.statusCode})`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return frames.shift()!;
    },
    close: () => req.destroy(),
  };
}
