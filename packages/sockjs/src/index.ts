/**
 * `sockjs` 0.3 as its users typed it (`@types/sockjs` 0.3.36): the runtime is
 * @sockjs-server/core's; only the types are sockjs-node's, looser than core's
 * own where sockjs-node's were (`remoteAddress: string`, string close codes,
 * any event name). New code should import @sockjs-server/core instead.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer as coreCreateServer, type SockJSServer, type SockJSServerOptions } from '@sockjs-server/core';

/** Names whose sockjs-node types differ from core's. */
type Retyped = 'sockjs_url' | 'prefix' | 'response_limit' | 'websocket' | 'jsessionid' | 'log' | 'heartbeat_delay' | 'disconnect_delay';

/** sockjs-node's options, and every option of core besides (camelCase names included). */
export interface ServerOptions extends Omit<SockJSServerOptions, Retyped> {
  sockjs_url?: string | undefined;
  prefix?: string | undefined;
  response_limit?: number | undefined;
  websocket?: boolean | undefined;
  /** `true`/`false` or `function (req, res)`; another value counts for its truthiness (with a deprecation warning). */
  jsessionid?: unknown;
  /** Severities are `debug`, `info` and `error`; sockjs-node typed them as any string. */
  log?(severity: string, message: string): void;
  heartbeat_delay?: number | undefined;
  disconnect_delay?: number | undefined;
}

// sockjs-node typed listeners of other events as `Function`; keeping it is the point of this package.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyListener = Function;

export interface Server extends NodeJS.EventEmitter, Pick<SockJSServer, 'options' | 'stats' | 'broadcast'> {
  installHandlers(server: HttpServer, options?: ServerOptions): this;
  attach(server: HttpServer): this;
  detach(server?: HttpServer): this;
  handleRequest(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
  on(event: 'connection', listener: (conn: Connection) => void): this;
  on(event: string, listener: AnyListener): this;
}

export interface Connection extends NodeJS.ReadWriteStream {
  remoteAddress: string;
  remotePort: number;
  address: { [key: string]: { address: string; port: number } };
  headers: { [key: string]: string };
  url: string;
  pathname: string;
  prefix: string;
  protocol: string;
  readyState: number;
  id: string;
  /** What core's `authorize` hook attached. */
  data?: unknown;
  close(code?: string | number, reason?: string): boolean;
  destroy(): void;
  on(event: 'data', listener: (message: string) => void): this;
  on(event: 'close' | 'end', listener: () => void): this;
  on(event: string, listener: AnyListener): this;
}

export function createServer(options?: ServerOptions): Server {
  return coreCreateServer(options as SockJSServerOptions) as unknown as Server;
}

export function listen(httpServer: HttpServer, options?: ServerOptions): Server {
  return createServer(options).attach(httpServer);
}

// `import sockjs from 'sockjs'` works with the CommonJS original.
export default { createServer, listen };
