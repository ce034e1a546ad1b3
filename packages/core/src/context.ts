import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** One request being handled under a prefix. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Route parameters: `server`, `session`, `suffix`, as they appear in the path. */
  readonly params: Partial<Record<string, string>>;
  /** Raw query string (without `?`). */
  readonly query: string;
  /**
   * Headers every answer to this request carries, as a flat name/value list
   * (the session step's no-cache and cookie, then CORS): answers go out with
   * one `writeHead(status, list)`, which builds no per-response header map
   * for Node to keep while a streaming response is open.
   */
  readonly headers: string[];
  /** Present when the request came through the HTTP server's `upgrade` event. */
  readonly upgrade?: { readonly socket: Duplex; readonly head: Buffer };
}
