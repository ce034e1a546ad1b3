import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import {
  SockJSServer,
  type AttachUpgradeOptions,
  type NextFunction,
  type SockJSServerEvents,
  type SockJSServerOptions,
  type SockJSServerStats,
} from '@sockjs-server/core';

/** What every middleware adapter returns: the middleware function plus the SockJS server it serves. */
export interface SockJSMount {
  /** The SockJS server behind this middleware. */
  readonly server: SockJSServer;
  on<E extends keyof SockJSServerEvents>(event: E, listener: (...args: SockJSServerEvents[E]) => void): this;
  once<E extends keyof SockJSServerEvents>(event: E, listener: (...args: SockJSServerEvents[E]) => void): this;
  off<E extends keyof SockJSServerEvents>(event: E, listener: (...args: SockJSServerEvents[E]) => void): this;
  /**
   * Wires WebSocket upgrades on `server` now, instead of from the first HTTP
   * request. Pass `mountPath` when the middleware is mounted under a path
   * and raw WebSocket clients may connect before any HTTP request.
   */
  attach(server: HttpServer, options?: AttachUpgradeOptions): this;
  /** Ends every session, detaches from every server, resolves when done. */
  close(): Promise<void>;
  /** `server.stats()`: sessions, messages, bytes and refusals so far. */
  stats(): SockJSServerStats;
}

/** `(req, res, next)` middleware for Connect, Express and any framework that speaks it. */
export interface SockJSMiddleware extends SockJSMount {
  (req: IncomingMessage, res: ServerResponse, next: NextFunction): void;
}

interface RoutedRequest extends IncomingMessage {
  /** Set by Connect and Express: the URL before the router stripped the mount path. */
  originalUrl?: string;
}

/**
 * Connect middleware serving one SockJS service. `prefix` is relative to where
 * it is mounted: `app.use('/rt', sockjs({ prefix: '/echo' }))` serves `/rt/echo`.
 * Pass options, or a `SockJSServer` you built (its first service is served).
 *
 * @example
 * const echo = sockjs({ prefix: '/echo' });
 * echo.on('connection', (conn) => conn.on('data', (m) => conn.write(m)));
 * app.use(echo);
 * http.createServer(app).listen(8080);
 */
export function sockjs(options?: SockJSServerOptions | SockJSServer): SockJSMiddleware {
  const server = toServer(options);
  const middleware = (req: RoutedRequest, res: ServerResponse, next: NextFunction) => {
    if (!handleMounted(server, req, res, req.originalUrl)) next();
  };
  return withServer(middleware, server);
}

/** `options` as a SockJS server: adapters accept either. */
export function toServer(options: SockJSServerOptions | SockJSServer | undefined): SockJSServer {
  return options instanceof SockJSServer ? options : new SockJSServer(options);
}

/**
 * Hands `req` to SockJS when it is under the prefix, and then wires WebSocket
 * upgrades on the server that received it (`req.socket.server`): middleware
 * never sees upgrades, but every request shows where they will arrive.
 * `originalUrl` is the URL before a router stripped the mount path; the
 * difference is the mount path upgrades still carry. For adapter authors.
 */
export function handleMounted(server: SockJSServer, req: IncomingMessage, res: ServerResponse, originalUrl?: string): boolean {
  if (!server.handleRequest(req, res)) return false;
  const httpServer = (req.socket as { server?: HttpServer }).server;
  if (httpServer && typeof httpServer.on === 'function') server.attachUpgrade(httpServer, { mountPath: mountPathOf(originalUrl, req.url) });
  return true;
}

/** `/rt` for `/rt/echo/info` seen as `/echo/info` below the mount. */
function mountPathOf(originalUrl: string | undefined, url: string | undefined): string {
  const full = (originalUrl ?? '').split('?', 1)[0]!;
  const inner = (url ?? '').split('?', 1)[0]!;
  return full.length > inner.length && full.endsWith(inner) ? full.slice(0, full.length - inner.length) : '';
}

/** Gives a framework middleware the SockJSMount members, delegating to `server`. For adapter authors. */
export function withServer<F extends object>(middleware: F, server: SockJSServer): F & SockJSMount {
  type Listener = (...args: SockJSServerEvents['connection']) => void;
  const mount = Object.assign(middleware, {
    server,
    on: (event: 'connection', listener: Listener) => (server.on(event, listener), mount),
    once: (event: 'connection', listener: Listener) => (server.once(event, listener), mount),
    off: (event: 'connection', listener: Listener) => (server.off(event, listener), mount),
    attach: (httpServer: HttpServer, options?: AttachUpgradeOptions) => (server.attachUpgrade(httpServer, options), mount),
    close: () => server.close(),
    stats: () => server.stats(),
  });
  return mount;
}

export type { SockJSServerOptions, AttachUpgradeOptions, NextFunction } from '@sockjs-server/core';
export { SockJSServer } from '@sockjs-server/core';
