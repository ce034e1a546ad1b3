import type { Socket } from 'node:net';
import type { TransportName } from '../constants.js';
import type { ReceivingRequest } from '../connection.js';
import type { RequestContext } from '../context.js';
import { addEventSourceCors, addXhrCors } from '../cors.js';
import { sendNotFound, sendText } from '../http-response.js';
import type { Service } from '../service.js';
import type { Receiver, Session } from '../session.js';
import { authorizeSession } from '../authorize.js';
import { flushHeadersThisTurn, forgetHeaderFlush, releaseSentHeader } from './header-flush.js';

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
  /** The envelope for a request with this query string, or the text of a 500 answer (e.g. a bad callback). */
  envelope(query: string): Envelope | string;
}

/**
 * Where an HTTP receiver writes: the request's own response, or, when the
 * request reached another node of a cluster, a relay to that node. The
 * subset of `ServerResponse` a receiver uses.
 */
export interface ResponseSink {
  readonly writableLength: number;
  write(chunk: string): boolean;
  end(chunk?: string): void;
  destroy(): void;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

const TCP_KEEPALIVE_MS = 5_000;

const kReceiver = Symbol('sockjs.receiver');
/** The response's receiver, reached from `this` so no response needs a closure of its own (idle memory). */
type OwnedSink = ResponseSink & { [kReceiver]?: HttpReceiver };

function onResponseClose(this: OwnedSink): void {
  this[kReceiver]?.aborted();
}

/** Frames written to one HTTP response, each as its own chunk, until the response limit or an abort. */
class HttpReceiver implements Receiver {
  #written = 0;
  #done = false;
  #congested = false;

  constructor(
    readonly transport: TransportName,
    private readonly session: Session,
    private readonly res: OwnedSink,
    private readonly wrap: (frame: string) => string,
    private readonly limit: number,
  ) {
    res[kReceiver] = this;
    // on(), not once(): once() wraps the listener in a state object and a bound function per response; aborted() guards itself.
    res.on('close', onResponseClose);
  }

  get congested(): boolean {
    return this.#congested;
  }

  destroy(): void {
    this.#done = true;
    forgetHeaderFlush(this.res);
    this.res.off('close', onResponseClose);
    this.res.destroy();
  }

  sendFrame(frame: string): number {
    if (this.#done) return 0;
    const data = this.wrap(frame);
    const bytes = Buffer.byteLength(data);
    this.session.host.counters.bytesOut += bytes;
    // The limit is checked after the write (>=), as the suite expects; polling receivers (limit 1) end with their first frame.
    if (this.limit === 1 || (this.#written += bytes) >= this.limit) {
      this.finish(data);
      return 0;
    }
    if (!this.res.write(data) && !this.#congested) {
      this.#congested = true;
      this.res.once('drain', (this.#onDrain ??= () => this.drained()));
    }
    return this.res.writableLength;
  }

  end(): void {
    if (!this.#done) this.finish(undefined);
  }

  /** The last frame and the end of the response leave in one write. */
  private finish(lastFrame: string | undefined): void {
    this.#done = true;
    forgetHeaderFlush(this.res);
    this.res.off('close', onResponseClose);
    this.res.end(lastFrame);
    this.session.detach(this, true);
  }

  /** The response closed before it ended: the client went away. */
  aborted(): void {
    if (this.#done) return;
    this.#done = true;
    forgetHeaderFlush(this.res);
    this.session.detach(this, false);
  }

  /** Created only for responses that ever pass the high-water mark. */
  #onDrain: (() => void) | undefined;

  private drained(): void {
    this.#congested = false;
    this.session.receiverDrained();
  }
}

/**
 * Answers a receiving request: an existing session is served at once; a new
 * one must pass the session cap and the `authorize` hook before headers go
 * out. In a cluster, an id this node does not hold is first located: it may
 * be another node's session.
 */
export function receive(service: Service, ctx: RequestContext, transport: ReceivingTransport): void {
  const envelope = transport.envelope(ctx.query);
  if (typeof envelope === 'string') {
    service.sessions.counters.refuse('badRequest', 500, ctx.req);
    sendText(ctx.res, 500, envelope, ctx.headers);
    return;
  }
  if (service.cluster && service.sessions.lookup(ctx.params.session!, ctx.req) === undefined) {
    return service.cluster.receive(ctx, transport, envelope);
  }
  receiveHere(service, ctx, transport, envelope);
}

/** Serves the session if this node holds it, else creates it; `abandoned` as for `receiveNew`. */
export function receiveHere(service: Service, ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope, abandoned?: () => void): void {
  const existing = service.sessions.lookup(ctx.params.session!, ctx.req);
  if (existing === null) return sendNotFound(ctx.res, ctx.headers);
  if (existing) return serve(service, ctx, transport, envelope, existing);
  receiveNew(service, ctx, transport, envelope, abandoned);
}

/**
 * Creates the session a receiving request names, if the cap and the hook
 * allow; `abandoned` is called when no session is created for it.
 */
export function receiveNew(service: Service, ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope, abandoned?: () => void): void {
  const { req, res } = ctx;
  const id = ctx.params.session!;
  const refuse = (reason: 'limit' | 'auth', status: number, message: string) => {
    abandoned?.();
    service.sessions.counters.refuse(reason, status, req);
    sendText(res, status, message, ctx.headers);
  };
  if (!service.sessions.hasRoom()) return refuse('limit', 503, 'Too many sessions');
  if (service.options.authorize === undefined) return serve(service, ctx, transport, envelope, service.sessions.create(id, req));

  void authorizeSession(service.options, req, ctx.query, transport.name).then((outcome) => {
    // The client may have given up while the hook ran: then nothing is created.
    if (res.destroyed || req.socket.destroyed) return abandoned?.();
    if (!outcome.accepted) return refuse('auth', outcome.status, outcome.message);
    const raced = service.sessions.lookup(id, req);
    if (raced === null) return sendNotFound(res, ctx.headers);
    if (raced) return serve(service, ctx, transport, envelope, raced);
    if (!service.sessions.hasRoom()) return refuse('limit', 503, 'Too many sessions');
    const created = service.sessions.create(id, req);
    created.connection.keepAuthorizedData(outcome.data);
    serve(service, ctx, transport, envelope, created);
  });
}

function serve(service: Service, ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope, session: Session): void {
  const { req, res } = ctx;
  writeReceiverHead(service, ctx, transport, envelope);
  attachReceiver(service, session, transport, envelope, res, req);
  // A poll that has to wait still gets its status and headers this turn (PROTOCOL.md 5); one answered at once went out in one write.
  // (headersSent is no guide here: it turns true at writeHead(), before anything is sent.)
  if (envelope.prelude === undefined && !res.writableEnded) flushHeadersThisTurn(res);
  if (!res.writableEnded) releaseSentHeader(res);
}

/** Status, headers and prelude of a receiving response, the same wherever the session lives. */
export function writeReceiverHead(service: Service, ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope): void {
  const { req, res, headers } = ctx;
  if (!service.options.disableCors) {
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
}

/** Makes `sink` the session's receiver; frames then flow into it until the response limit, an end or an abort. */
export function attachReceiver(
  service: Service,
  session: Session,
  transport: ReceivingTransport,
  envelope: Envelope,
  sink: ResponseSink,
  request: ReceivingRequest,
): void {
  const { options } = service;
  const limit = transport.streaming ? options.responseLimit : 1;
  const receiver = new HttpReceiver(transport.name, session, sink, envelope.wrap, limit);
  session.attach(receiver, () => session.connection.refresh(request, transport.name, options.exposedHeaders));
}

