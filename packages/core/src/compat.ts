import type { Server as HttpServer } from 'node:http';
import type { SockJSServerOptions } from './options.js';
import { SockJSServer } from './server.js';

/**
 * sockjs-node's `createServer(options)`: the same options (snake_case names
 * included), the same `connection` event, `installHandlers`, `attach`/`detach`.
 * Options may be omitted.
 */
export function createServer(options?: SockJSServerOptions): SockJSServer {
  return new SockJSServer(options);
}

/** sockjs-node's `listen(httpServer, options)`: create a server and attach it in one call. */
export function listen(httpServer: HttpServer, options?: SockJSServerOptions): SockJSServer {
  return new SockJSServer(options).attach(httpServer);
}
