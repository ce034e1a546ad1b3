import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TransportName } from '../constants.js';
import type { RequestContext } from '../context.js';
import { applyEventSourceCors, applyXhrCors } from '../cors.js';
import { sendNotFound, sendText } from '../http-response.js';
import type { Endpoint } from '../endpoint.js';
import type { Receiver, Session } from '../session.js';
import { authorizeSession } from '../authorize.js';

export interface Envelope {
  /** Written once, as its own chunk, before any frame. */
  readonly prelude?: string;
  /** The bytes one frame becomes on this transport. */
  readonly wrap: (frame: string) => string;
}

/** Everything that distinguishes one HTTP receiving transport from another (PROTOCOL.md 5.3–5.8). */
export interface ReceivingTransport {
  readonly name: TransportName;
  readonly contentType: string;
  readonly cors: 'xhr' | 'eventsource' | 'none';
  /** Streaming responses carry frames up to `responseLimit` bytes; polling ones end after one frame. */
  readonly streaming: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  /** The envelope for this request, or the text of a 500 answer (e.g. a bad callback). */
  envelope(ctx: RequestContext): Envelope | string;
}

const TCP_KEEPALIVE_MS = 5_000;
/** Keep-alive connections carry many receiving requests; their socket options are set once. */
const keepAliveSockets = new WeakSet<Socket>();

/** Frames written to one HTTP response, each as its own chunk, until the response limit or an abort. */
class HttpReceiver implements Receiver {
  #written = 0;
  #done = false;
  #congested = false;

  constructor(
    readonly transport: TransportName,
    private readonly session: Session,
    private readonly res: ServerResponse,
    private readonly wrap: (frame: string) => string,
    private readonly limit: number,
  ) {
    res.once('close', this.#onClose);
  }

  get congested(): boolean {
    return this.#congested;
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  destroy(): void {
    this.#done = true;
    this.res.off('close', this.#onClose);
    this.res.destroy();
  }

  sendFrame(frame: string): void {
    if (this.#done) return;
    const data = this.wrap(frame);
    // The limit is checked after the write (>=), as the suite expects; polling receivers (limit 1) end with their first frame.
    if (this.limit === 1 || (this.#written += Buffer.byteLength(data)) >= this.limit) {
      this.#finish(data);
      return;
    }
    if (!this.res.write(data) && !this.#congested) {
      this.#congested = true;
      this.res.once('drain', this.#onDrain);
    }
  }

  end(): void {
    if (!this.#done) this.#finish(undefined);
  }

  /** The last frame and the end of the response leave in one write. */
  #finish(lastFrame: string | undefined): void {
    this.#done = true;
    this.res.off('close', this.#onClose);
    this.res.end(lastFrame);
    this.session.detach(this, true);
  }

  #onClose = (): void => {
    if (this.#done) return;
    this.#done = true;
    this.session.detach(this, false);
  };

  #onDrain = (): void => {
    this.#congested = false;
    this.session.receiverDrained();
  };
}

/**
 * Answers a receiving request: an existing session is served at once; a new
 * one must pass the session cap and the `authorize` hook before headers go out.
 */
export function receive(endpoint: Endpoint, ctx: RequestContext, transport: ReceivingTransport): void {
  const { req, res } = ctx;
  const envelope = transport.envelope(ctx);
  if (typeof envelope === 'string') {
    sendText(res, 500, envelope);
    return;
  }
  const id = ctx.params.session!;
  const existing = endpoint.lookupSession(id, req);
  if (existing === null) return sendNotFound(res);
  if (existing) return serve(endpoint, ctx, transport, envelope, existing);
  if (!endpoint.hasRoomForSession()) return sendText(res, 503, 'Too many sessions');
  if (endpoint.options.authorize === undefined) return serve(endpoint, ctx, transport, envelope, endpoint.createSession(id, req));

  void authorizeSession(endpoint.options, req, ctx.query, transport.name).then((outcome) => {
    // The client may have given up while the hook ran: then nothing is created.
    if (res.destroyed || req.socket.destroyed) return;
    if (!outcome.accepted) return sendText(res, outcome.status, outcome.message);
    const raced = endpoint.lookupSession(id, req);
    if (raced === null) return sendNotFound(res);
    if (raced) return serve(endpoint, ctx, transport, envelope, raced);
    if (!endpoint.hasRoomForSession()) return sendText(res, 503, 'Too many sessions');
    const created = endpoint.createSession(id, req);
    created.connection.data = outcome.data;
    serve(endpoint, ctx, transport, envelope, created);
  });
}

function serve(endpoint: Endpoint, ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope, session: Session): void {
  const { req, res } = ctx;
  const { options } = endpoint;
  if (!options.disableCors) {
    if (transport.cors === 'xhr') applyXhrCors(req, res);
    else if (transport.cors === 'eventsource') applyEventSourceCors(req, res);
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', transport.contentType);
  if (transport.headers) for (const [name, value] of Object.entries(transport.headers)) res.setHeader(name, value);
  const socket = req.socket as Socket;
  if (!keepAliveSockets.has(socket)) {
    keepAliveSockets.add(socket);
    socket.setKeepAlive?.(true, TCP_KEEPALIVE_MS);
    socket.setNoDelay?.(true);
  }
  if (envelope.prelude !== undefined) res.write(envelope.prelude);
  // A polling answer may go out whole with its one frame; it must stay chunked (or close-delimited), never Content-Length.
  else res.removeHeader('Content-Length');

  const limit = transport.streaming ? options.responseLimit : 1;
  const receiver = new HttpReceiver(transport.name, session, res, envelope.wrap, limit);
  session.attach(receiver, () => session.connection.refresh(req, transport.name, options.exposedHeaders));
  // A poll that has to wait still gets its status and headers now (PROTOCOL.md 5); one answered at once went out in one write.
  if (!res.headersSent && !res.writableEnded) res.flushHeaders();
}
