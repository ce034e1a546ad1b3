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
  /** Present when the request came through the HTTP server's `upgrade` event. */
  readonly upgrade?: { readonly socket: Duplex; readonly head: Buffer };
}
