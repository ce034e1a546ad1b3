import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type Server as WebSocketServerOf } from 'ws';
import { broadcast } from './broadcast.js';
import type { ClusterMember, ServiceLink } from './cluster/service-link.js';
import type { RelaySink } from './cluster/relay-sink.js';
import type { Fanout, ReceiveForward, SendForward } from './cluster/wire.js';
import type { Connection, ReceivingRequest } from './connection.js';
import { NO_CACHE, type TransportName } from './constants.js';
import type { RequestContext } from './context.js';
import { sendMethodNotAllowed, sendNotFound, sendText } from './http-response.js';
import { applyJsessionid } from './jsessionid.js';
import { NO_LOG, type ResolvedOptions } from './options.js';
import { compileOriginPolicy, frameAncestors, type OriginCheck } from './origin-policy.js';
import { Router, isUnderPrefix, splitUrl, type RouteDefinition, type RouteResult, type SplitUrl } from './router.js';
import type { Service } from './service.js';
import { SessionRegistry } from './session-registry.js';
import type { ServiceStats } from './stats.js';
import { createIframeResponder, createInfoResponder, sendGreeting, sendPreflight } from './static-pages.js';
import { eventSource } from './transports/eventsource.js';
import { htmlFile } from './transports/htmlfile.js';
import { attachReceiver, receive, type ReceivingTransport } from './transports/http-receiver.js';
import { jsonpPolling, jsonpSend } from './transports/jsonp.js';
import { OwnedWebSocket } from './transports/owned-websocket.js';
import { rawWebSocket } from './transports/raw-websocket.js';
import { webSocket } from './transports/websocket.js';
import { xhrPolling } from './transports/xhr-polling.js';
import { xhrSend } from './transports/xhr-send.js';
import { xhrStreaming } from './transports/xhr-streaming.js';
import { UpgradeContext } from './upgrade-response.js';
import { Rooms } from './rooms.js';

/** The receiving transports by name, for requests another node of a cluster forwards. */
const RECEIVING_TRANSPORTS: ReadonlyMap<TransportName, ReceivingTransport> = new Map(
  [eventSource, htmlFile, jsonpPolling, xhrPolling, xhrStreaming].map((t) => [t.name, t]),
);

interface Route {
  /**
   * `session` routes get no-cache headers and the JSESSIONID step first;
   * `preflight` routes the JSESSIONID step only (they are cached for a year);
   * `websocket` routes take over upgrade sockets.
   */
  readonly kind: 'static' | 'session' | 'preflight' | 'websocket';
  readonly run: (service: Service, ctx: RequestContext) => void;
}

const session = (run: Route['run']): Route => ({ kind: 'session', run });
const receiving = (transport: ReceivingTransport): Route => session((e, ctx) => receive(e, ctx, transport));
const preflight = (methods: string): Route => ({
  kind: 'preflight',
  run: (e, ctx) => sendPreflight(e.options, ctx, methods),
});

/** The route table of PROTOCOL.md 1.2 in sockjs-node 0.4 order, without the routes of disabled transports. */
function routesFor(options: ResolvedOptions, info: Route, iframe: Route): RouteDefinition<Route>[] {
  const on = (name: TransportName) => options.transports.has(name);
  const sendsOverXhr = on('xhr-polling') || on('xhr-streaming') || on('eventsource') || on('htmlfile');
  const S = '/:server/:session';
  const routes: Array<RouteDefinition<Route> | false> = [
    { method: 'GET', path: '', handler: { kind: 'static', run: (_e, { res }) => sendGreeting(res) } },
    { method: 'OPTIONS', path: '/info', handler: preflight('OPTIONS, GET') },
    { method: 'GET', path: '/info', handler: info },
    !options.disableCors && { method: 'GET', path: '/iframe{:suffix}.html', handler: iframe },
    on('websocket-raw') && { method: 'GET', path: '/websocket', handler: { kind: 'websocket', run: rawWebSocket } },
    on('eventsource') && { method: 'GET', path: `${S}/eventsource`, handler: receiving(eventSource) },
    on('htmlfile') && { method: 'GET', path: `${S}/htmlfile`, handler: receiving(htmlFile) },
    on('jsonp-polling') && { method: 'GET', path: `${S}/jsonp`, handler: receiving(jsonpPolling) },
    on('jsonp-polling') && { method: 'POST', path: `${S}/jsonp_send`, handler: session(jsonpSend) },
    on('websocket') && { method: 'GET', path: `${S}/websocket`, handler: { kind: 'websocket', run: webSocket } },
    on('xhr-polling') && { method: 'POST', path: `${S}/xhr`, handler: receiving(xhrPolling) },
    on('xhr-polling') && { method: 'OPTIONS', path: `${S}/xhr`, handler: preflight('OPTIONS, POST') },
    sendsOverXhr && { method: 'POST', path: `${S}/xhr_send`, handler: session(xhrSend) },
    sendsOverXhr && { method: 'OPTIONS', path: `${S}/xhr_send`, handler: preflight('OPTIONS, POST') },
    on('xhr-streaming') && { method: 'POST', path: `${S}/xhr_streaming`, handler: receiving(xhrStreaming) },
    on('xhr-streaming') && { method: 'OPTIONS', path: `${S}/xhr_streaming`, handler: preflight('OPTIONS, POST') },
  ];
  return routes.filter((r): r is RouteDefinition<Route> => r !== false);
}

/** The response to answer on: a request's own, or one made on demand for an upgrade socket. */
type Responder = ServerResponse | UpgradeContext;
const responseOf = (responder: Responder): ServerResponse => (responder instanceof UpgradeContext ? responder.res : responder);

function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * `ws` limits spelled out rather than inherited, so a `ws` upgrade cannot
 * loosen them. sockjs-client never fragments, and answers pings one at a time.
 */
const WS_LIMITS = {
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  skipUTF8Validation: false,
  autoPong: true,
  maxFragments: 1024,
  maxBufferedChunks: 64 * 1024,
  maxPendingAutoPongs: 16,
  closeTimeout: 10_000,
} as const;

/**
 * One SockJS service under one prefix: its routes, its own session registry
 * (never shared with other prefixes) and its WebSocket acceptor.
 */
export class Endpoint implements Service, ClusterMember {
  readonly sessions: SessionRegistry;
  readonly cluster: ServiceLink | undefined;
  readonly rooms = new Rooms();
  readonly #router: Router<Route>;
  readonly #originAllowed: OriginCheck | undefined;
  #webSocketServer: WebSocketServerOf<typeof OwnedWebSocket> | undefined;
  #closed = false;

  constructor(
    readonly options: ResolvedOptions,
    announce: (connection: Connection) => void,
  ) {
    const link = options.cluster?.link(this);
    this.cluster = link;
    this.sessions = new SessionRegistry(options, announce, link && ((id) => link.released(id)));
    this.#originAllowed = compileOriginPolicy(options.allowedOrigins);
    const info = createInfoResponder(options);
    const iframe = createIframeResponder(options, frameAncestors(options.allowedOrigins));
    this.#router = new Router(
      routesFor(
        options,
        { kind: 'static', run: (_e, { req, res }) => info(req, res) },
        { kind: 'static', run: (_e, { req, res }) => iframe(req, res) },
      ),
    );
  }

  stats(): ServiceStats {
    return this.sessions.stats();
  }

  /** `ws` in noServer mode is created on the first handshake, so HTTP-only services never allocate it. */
  acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, onOpen: (ws: OwnedWebSocket) => void): void {
    this.#webSocketServer ??= new WebSocketServer<typeof OwnedWebSocket>({ ...WS_LIMITS, WebSocket: OwnedWebSocket, maxPayload: this.options.maxMessageSize });
    // `ws` completes the handshake synchronously and `onOpen` sends the `o` frame at once: corked,
    // the 101 response and that frame leave in one write instead of two.
    socket.cork();
    try {
      this.#webSocketServer.handleUpgrade(req, socket, head, (ws) => {
        // `ws` now owns the socket and its errors; the guard would only keep a second listener (and an array) per session.
        socket.off('error', destroySocket);
        onOpen(ws);
      });
    } finally {
      socket.uncork();
    }
  }

  // --- messages to many ------------------------------------------------------

  /** Writes `message` to every open connection of this service (or of `room`), here and on every other node. */
  broadcast(message: string, room?: string): void {
    broadcast(room === undefined ? this.sessions.connections() : this.rooms.members(room), message);
    this.cluster?.fanout(room === undefined ? { m: message } : { m: message, room });
  }

  /** Writes `message` to the connection with this `conn.id`, wherever it is; false if it is on no node this one knows of. */
  sendTo(connectionId: string, message: string): void {
    const local = this.sessions.connection(connectionId);
    if (local) local.write(message);
    else this.cluster?.fanout({ m: message, to: connectionId });
  }

  // --- the cluster's way in ---------------------------------------------------

  serveRemote(forward: ReceiveForward, sink: RelaySink): 'ok' | 'missing' | 'refused' {
    const transport = RECEIVING_TRANSPORTS.get(forward.tr);
    if (transport === undefined || this.#closed || !this.options.transports.has(forward.tr)) return 'missing';
    const envelope = transport.envelope(forward.q);
    if (typeof envelope === 'string') return 'missing';
    const session = this.sessions.lookupFrom(forward.id, forward.peer.remoteAddress);
    if (session === null) return 'refused';
    if (session === undefined) return 'missing';
    attachReceiver(this, session, transport, envelope, sink, forwardedRequest(forward));
    sink.open();
    return 'ok';
  }

  deliverRemote(forward: SendForward, answer: (accepted: boolean) => void): void {
    const session = this.sessions.lookupFrom(forward.id, forward.remoteAddress);
    if (!session) return answer(false);
    if (session.deliver(forward.m)) answer(true);
    else session.holdSender(() => answer(true));
  }

  deliverFanout(fanout: Fanout): void {
    if (fanout.to !== undefined) this.sessions.connection(fanout.to)?.write(fanout.m);
    else broadcast(fanout.room === undefined ? this.sessions.connections() : this.rooms.members(fanout.room), fanout.m);
  }

  // --- dispatch ----------------------------------------------------------

  /** True when `path` (a request path without its query) belongs to this service. */
  claims(path: string): boolean {
    return isUnderPrefix(path, this.options.prefix);
  }

  /** Handles a request whose path is under this prefix; `url` is `req.url` already split, when the caller has it. */
  handleRequest(req: IncomingMessage, res: ServerResponse, url: SplitUrl = splitUrl(req.url ?? '/')): void {
    if (this.options.log !== NO_LOG) this.#logResponse(req, res);
    const found = this.#route(req, url.path, res);
    if (found) this.#run({ req, res, params: found.params, query: url.query, headers: [] }, found.handler);
  }

  /** Handles an `upgrade` request whose path is under this prefix: a WebSocket handshake, or an HTTP answer on the raw socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: SplitUrl = splitUrl(req.url ?? '/')): void {
    if (socket.listenerCount('error') === 0) socket.on('error', destroySocket);
    if (this.options.log !== NO_LOG) this.options.log('info', `${req.method} ${req.url} 0ms (upgrade)`);
    const ctx = new UpgradeContext(req, socket, head, url.query);
    const found = this.#route(req, url.path, ctx);
    if (!found) return;
    ctx.params = found.params;
    this.#run(ctx, found.handler);
  }

  /** Answers what is refused before any route runs (closed, origin, unknown path, wrong method); otherwise the route. */
  #route(req: IncomingMessage, path: string, response: Responder): Extract<RouteResult<Route>, { kind: 'found' }> | undefined {
    if (this.#closed) {
      sendText(responseOf(response), 503, 'SockJS server is closed');
      return undefined;
    }
    if (this.#originAllowed) {
      let allowed: boolean;
      try {
        allowed = this.#originAllowed(req);
      } catch (error) {
        this.#internalError(req, responseOf(response), error);
        return undefined;
      }
      if (!allowed) {
        this.sessions.counters.refuse('origin', 403, req);
        sendText(responseOf(response), 403, 'Origin not allowed');
        return undefined;
      }
    }
    const found = this.#router.route(req.method ?? 'GET', path.slice(this.options.prefix.length));
    if (found.kind === 'method-not-allowed') {
      sendMethodNotAllowed(responseOf(response), found.allow);
      return undefined;
    }
    if (found.kind === 'not-found' || (found.params.session?.length ?? 0) > this.options.maxSessionIdLength) {
      sendNotFound(responseOf(response));
      return undefined;
    }
    return found;
  }

  #run(ctx: RequestContext, route: Route): void {
    try {
      if (route.kind === 'session') ctx.headers.push('Cache-Control', NO_CACHE);
      if (route.kind === 'session' || route.kind === 'preflight') applyJsessionid(this.options, ctx);
      route.run(this, ctx);
    } catch (error) {
      this.#internalError(ctx.req, ctx.res, error);
    }
  }

  failRequest(ctx: RequestContext, error: unknown): void {
    this.#internalError(ctx.req, ctx.res, error);
  }

  #internalError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    this.options.log('error', `${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
    else res.destroy();
  }

  #logResponse(req: IncomingMessage, res: ServerResponse): void {
    const started = Date.now();
    const { log } = this.options;
    let finished = false;
    const line = (status: string) => log('info', `${req.method} ${req.url} ${Date.now() - started}ms ${status}`);
    res.once('finish', () => {
      finished = true;
      line(String(res.statusCode));
    });
    res.once('close', () => finished || line('(unfinished)'));
  }

  /** Ends every session with a close frame and frees its timer; later requests get 503. */
  close(): void {
    this.#closed = true;
    this.sessions.closeAll();
    this.#webSocketServer?.close();
    this.options.cluster?.unlink(this);
  }
}

/** What the session's connection shows of a request that reached another node. */
function forwardedRequest(forward: ReceiveForward): ReceivingRequest {
  const { peer } = forward;
  return {
    url: forward.u,
    headers: forward.h,
    socket: {
      remoteAddress: peer.remoteAddress,
      remotePort: peer.remotePort,
      address: () => (peer.localPort === undefined ? {} : { address: peer.localAddress ?? '', port: peer.localPort, family: peer.family ?? '' }),
    },
  };
}
