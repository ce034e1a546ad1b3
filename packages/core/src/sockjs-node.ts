import type { Server as HttpServer } from 'node:http';
import { enableLegacySessions } from './compat/legacy.js';
import type { SockJSServerOptions } from './options.js';
import { SockJSServer } from './server.js';

/**
 * sockjs-node's `createServer(options)`: the same options (snake_case names
 * included), the same `connection` event, `installHandlers`, `attach`/`detach`.
 * Options may be omitted. Connections of any server then also carry the
 * legacy `conn._session` (compat/legacy.ts) that sockjs-node code reaches for.
 */
export function createServer(options?: SockJSServerOptions): SockJSServer {
  enableLegacySessions();
  return new SockJSServer(options);
}

/** sockjs-node's `listen(httpServer, options)`: create a server and attach it in one call. */
export function listen(httpServer: HttpServer, options?: SockJSServerOptions): SockJSServer {
  return createServer(options).attach(httpServer);
}
