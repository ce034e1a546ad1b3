import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RequestContext } from './context.js';

/**
 * A response written straight onto the socket of a request that arrived
 * through the `upgrade` event but is not answered with a WebSocket handshake
 * (404, 405, 400, or any HTTP route reached with upgrade headers, PROTOCOL.md
 * 1.5). It always closes the connection afterwards: Node has already taken the
 * socket away from its HTTP parser.
 */
export function responseOnUpgradeSocket(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.sendDate = false;
  // Closing the socket delimits the body, as in sockjs-node's raw answers: no Content-Length, no chunking.
  res.useChunkedEncodingByDefault = false;
  // Set first so it leads the header block, as sockjs-node writes it (PROTOCOL.md 1.5).
  res.setHeader('Connection', 'close');
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  return res;
}

const NO_PARAMS: Partial<Record<string, string>> = Object.freeze({});

/**
 * The context of a request that came through the `upgrade` event. Its
 * response is made on first read, because a WebSocket handshake must find the
 * socket untouched. A class, so the getter sits on its prototype: an object
 * literal with a getter (and the closure behind it) costs every handshake a
 * slow property definition and two allocations.
 */
export class UpgradeContext implements RequestContext {
  /** Set once the route is known. */
  params: Partial<Record<string, string>> = NO_PARAMS;
  readonly headers: string[] = [];
  readonly upgrade: { readonly socket: Duplex; readonly head: Buffer };
  #res: ServerResponse | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    readonly query: string,
  ) {
    this.upgrade = { socket, head };
  }

  get res(): ServerResponse {
    return (this.#res ??= responseOnUpgradeSocket(this.req, this.upgrade.socket));
  }
}
