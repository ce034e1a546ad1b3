// Helpers for test/security: an in-process SockJS server on an ephemeral
// loopback port with short delays, a node:http request helper, a raw-bytes
// exchange over node:net, and polling waits with hard bounds.
import http from 'node:http';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { createServer, type Connection, type SockJSServer, type SockJSServerOptions } from '@sockjs-server/core';

export const PREFIX = '/echo';

/**
 * Short delays so sessions die quickly; every test overrides what it needs.
 * A polling session lives only `disconnect_delay` between polls, and a test
 * that sends a few requests in a row must finish them within it: 200 ms was
 * overrun on a loaded machine (p99 of 220-270 ms for poll, send, poll with
 * the CPU oversubscribed four times), so 1 s.
 */
export const FAST_OPTIONS: SockJSServerOptions = {
  prefix: PREFIX,
  disconnect_delay: 1000,
  heartbeat_delay: 500,
};

export interface SecurityServer {
  readonly sockjs: SockJSServer;
  readonly server: http.Server;
  readonly port: number;
  /** Every connection the application saw, in order. */
  readonly connections: Connection[];
  /** Server-side sockets accepted by the HTTP server (also the sockets upgraded to WebSockets). */
  readonly serverSockets: Set<net.Socket>;
  /** Connections that emitted `close`, counted per connection. */
  readonly closeCounts: Map<Connection, number>;
  /** `close()` on the SockJS server, the HTTP server, and every accepted socket. */
  stop(): Promise<void>;
}

export type ConnectionHandler = (conn: Connection) => void;

/**
 * Echo application with two commands the tests use to drive a clean,
 * server-initiated close: the message `close` closes with 3000 "Go away!".
 */
export const echoHandler: ConnectionHandler = (conn) => {
  conn.on('data', (message: string) => {
    if (message === 'close') conn.close(3000, 'Go away!');
    else conn.write(message);
  });
};

export async function startServer(
  t: TestContext | undefined,
  options: SockJSServerOptions = {},
  onConnection: ConnectionHandler = echoHandler,
): Promise<SecurityServer> {
  const sockjs = createServer({ ...FAST_OPTIONS, ...options });
  const connections: Connection[] = [];
  const closeCounts = new Map<Connection, number>();
  sockjs.on('connection', (conn) => {
    connections.push(conn);
    closeCounts.set(conn, 0);
    conn.on('close', () => closeCounts.set(conn, (closeCounts.get(conn) ?? 0) + 1));
    onConnection(conn);
  });
  const server = http.createServer();
  const serverSockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    serverSockets.add(socket);
    socket.once('close', () => serverSockets.delete(socket));
  });
  sockjs.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sockjs.close();
    for (const socket of serverSockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t?.after(stop);
  return { sockjs, server, port, connections, serverSockets, closeCounts, stop };
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestSpec {
  readonly method?: string;
  readonly path: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string | Buffer;
  /** Source address, e.g. `127.0.0.2` to appear as another client. */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

/** One request on its own connection (no agent); the whole body is read. */
export function request(port: number, spec: RequestSpec): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: spec.headers,
        agent: false,
        ...(spec.localAddress ? { localAddress: spec.localAddress } : {}),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(spec.timeoutMs ?? 5000, () => req.destroy(new Error(`request ${spec.method ?? 'GET'} ${spec.path} timed out`)));
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** The status and headers of a response, without waiting for its body (streaming receivers never end on their own). */
export async function requestHead(port: number, spec: RequestSpec): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const stream = await openStream(port, spec);
  stream.close();
  return { status: stream.status, headers: stream.headers };
}

/** A receiving request whose response stays open: resolves at the first body bytes; `close()` aborts it. */
export interface OpenStream {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Body text received so far. */
  text(): string;
  /** Resolves once the body contains `needle` (or once `done` holds for the body, when given). */
  waitFor(needle: string, timeoutMs?: number, done?: (text: string) => boolean): Promise<void>;
  /** Resolves when the server ended the response. */
  readonly ended: Promise<void>;
  readonly res: http.IncomingMessage;
  close(): void;
}

export function openStream(port: number, spec: RequestSpec): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: spec.method ?? 'GET', path: spec.path, headers: spec.headers, agent: false },
      (res) => {
        let body = '';
        let wake: (() => void) | null = null;
        const ended = new Promise<void>((done) => {
          res.on('end', done);
          res.on('close', done);
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          wake?.();
        });
        res.on('error', () => {});
        const waitFor = async (needle: string, timeoutMs = 3000, done: (text: string) => boolean = (text) => text.includes(needle)) => {
          const deadline = Date.now() + timeoutMs;
          while (!done(body)) {
            if (res.complete || res.destroyed) throw new Error(`stream ended without ${JSON.stringify(needle)}; got ${JSON.stringify(body.slice(-200))}`);
            const remaining = deadline - Date.now();
            if (remaining <= 0) throw new Error(`timed out waiting for ${JSON.stringify(needle)}; got ${JSON.stringify(body.slice(-200))}`);
            await new Promise<void>((r) => {
              const timer = setTimeout(r, Math.min(remaining, 50));
              wake = () => {
                clearTimeout(timer);
                r();
              };
            });
            wake = null;
          }
        };
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: () => body, waitFor, ended, res, close: () => req.destroy() });
      },
    );
    req.on('error', (e) => reject(e));
    req.end(spec.body);
  });
}

/** Polls `check` every 20 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await delay(20);
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until the SockJS server reports no session and no timer. */
export async function waitForNoSessions(sockjs: SockJSServer, timeoutMs = 6000): Promise<void> {
  await waitUntil(
    () => {
      const s = sockjs.stats().registry;
      return s.httpSessions === 0 && s.webSocketSessions === 0 && s.timers === 0;
    },
    timeoutMs,
    () => `stats to reach zero, still ${JSON.stringify(sockjs.stats().registry)}`,
  );
}

/** Waits until the HTTP server has no open socket. */
export async function waitForNoSockets(server: http.Server, timeoutMs = 3000): Promise<void> {
  let count = -1;
  await waitUntil(
    () => {
      server.getConnections((_e, n) => (count = n));
      return count === 0;
    },
    timeoutMs,
    () => `server.getConnections() to reach 0, still ${count}`,
  );
}

export interface RawExchange {
  readonly data: Buffer;
  /** True when the server closed the connection (FIN or reset) before the timeout. */
  readonly closedByServer: boolean;
  /** Bytes the client managed to hand to the socket before it was closed. */
  readonly written: number;
}

/**
 * Writes `bytes` on a fresh TCP connection and collects everything the server
 * sends until it closes or `waitMs` passes (then the client closes).
 */
export function rawExchange(port: number, bytes: Buffer | string, waitMs = 2000, localAddress?: string, afterHeadMs?: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts), closedByServer, written: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length });
    };
    let timer = setTimeout(() => finish(false), waitMs);
    let sawHead = false;
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      // With `afterHeadMs`, a response that stays open (keep-alive, a stream) is given only that long after its head.
      if (afterHeadMs !== undefined && !sawHead && Buffer.concat(parts).includes('\r\n\r\n')) {
        sawHead = true;
        clearTimeout(timer);
        timer = setTimeout(() => finish(false), afterHeadMs);
      }
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(bytes);
  });
}

export interface ParsedHead {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Buffer;
}

/** Parses the status line and header block at the start of `data`; undefined if it is not an HTTP response head. */
export function parseHead(data: Buffer): ParsedHead | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(m[1]), headers, body: data.subarray(end + 4) };
}

/** Serialises a request for `rawExchange`; `Host` first, headers verbatim. */
export function rawRequest(method: string, path: string, headers: ReadonlyArray<readonly [string, string]> = [], body = ''): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` + headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n' + body;
}

let sessionCounter = 0;
/** A fresh session path `/echo/000/<id>` with an id unique in this process. */
export function sessionPath(id = `s${process.pid}x${++sessionCounter}`): string {
  return `${PREFIX}/000/${id}`;
}
