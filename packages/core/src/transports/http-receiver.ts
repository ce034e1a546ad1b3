import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TransportName } from '../constants.js';
import type { RequestContext } from '../context.js';
import { addEventSourceCors, addXhrCors } from '../cors.js';
import { sendNotFound, sendText } from '../http-response.js';
import type { Service } from '../service.js';
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
    // on(), not once(): once() wraps the listener in a state object and a bound function per response; #onClose guards itself.
    res.on('close', this.#onClose);
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
      this.res.once('drain', (this.#onDrain ??= () => this.#drained()));
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

  /** Created only for responses that ever pass the high-water mark. */
  #onDrain: (() => void) | undefined;

  #drained(): void {
    this.#congested = false;
    this.session.receiverDrained();
  }
}

/**
 * Answers a receiving request: an existing session is served at once; a new
 * one must pass the session cap and the `authorize` hook before headers go out.
 */
export function receive(service: Service, ctx: RequestContext, transport: ReceivingTransport): void {
  const { req, res } = ctx;
  const envelope = transport.envelope(ctx);
  if (typeof envelope === 'string') {
    sendText(res, 500, envelope, ctx.headers);
    return;
  }
  const id = ctx.params.session!;
  const existing = service.sessions.lookup(id, req);
  if (existing === null) return sendNotFound(res, ctx.headers);
  if (existing) return serve(service, ctx, transport, envelope, existing);
  if (!service.sessions.hasRoom()) return sendText(res, 503, 'Too many sessions', ctx.headers);
  if (service.options.authorize === undefined) return serve(service, ctx, transport, envelope, service.sessions.create(id, req));

  void authorizeSession(service.options, req, ctx.query, transport.name).then((outcome) => {
    // The client may have given up while the hook ran: then nothing is created.
    if (res.destroyed || req.socket.destroyed) return;
    if (!outcome.accepted) return sendText(res, outcome.status, outcome.message, ctx.headers);
    const raced = service.sessions.lookup(id, req);
    if (raced === null) return sendNotFound(res, ctx.headers);
    if (raced) return serve(service, ctx, transport, envelope, raced);
    if (!service.sessions.hasRoom()) return sendText(res, 503, 'Too many sessions', ctx.headers);
    const created = service.sessions.create(id, req);
    created.connection.data = outcome.data;
    serve(service, ctx, transport, envelope, created);
  });
}

function serve(service: Service, ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope, session: Session): void {
  const { req, res, headers } = ctx;
  const { options } = service;
  if (!options.disableCors) {
    if (transport.cors === 'xhr') addXhrCors(req, headers);
    else if (transport.cors === 'eventsource') addEventSourceCors(req, headers);
  }
  headers.push('Content-Type', transport.contentType);
  if (transport.headers) for (const [name, value] of Object.entries(transport.headers)) headers.push(name, value);
  // Frames are chunked (or close-delimited) as they come, never Content-Length, even if a framework set one.
  if (res.hasHeader('Content-Length')) res.removeHeader('Content-Length');
  res.writeHead(200, headers);
  // Node skips both system calls when a keep-alive connection already has these settings.
  const socket = req.socket as Socket;
  socket.setKeepAlive?.(true, TCP_KEEPALIVE_MS);
  socket.setNoDelay?.(true);
  if (envelope.prelude !== undefined) res.write(envelope.prelude);

  const limit = transport.streaming ? options.responseLimit : 1;
  const receiver = new HttpReceiver(transport.name, session, res, envelope.wrap, limit);
  session.attach(receiver, () => session.connection.refresh(req, transport.name, options.exposedHeaders));
  // A poll that has to wait still gets its status and headers now (PROTOCOL.md 5); one answered at once went out in one write.
  // (headersSent is no guide here: it turns true at writeHead(), before anything is sent.)
  if (envelope.prelude === undefined && !res.writableEnded) res.flushHeaders();
  if (!res.writableEnded) flattenSentHeader(res);
}

/**
 * Node keeps the header block it sent (`_header`) for the life of the
 * response, as the string it concatenated line by line: a tree of about ten
 * pieces. Reading one character makes V8 flatten it in place, and the GC then
 * keeps one flat string: about 500 bytes less per open streaming or waiting
 * response (measured with 2000 idle xhr-streaming sessions).
 */
function flattenSentHeader(res: ServerResponse): void {
  const sent: unknown = (res as ServerResponse & { _header?: unknown })._header;
  if (typeof sent === 'string') sent.charCodeAt(0);
}
