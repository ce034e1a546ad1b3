import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connection } from './connection.js';
import { Endpoint } from './endpoint.js';
import { SockJSError, invalidOption } from './errors.js';
import { normalizeOptions, resolveOptions, type ResolvedOptions, type SockJSServerOptions } from './options.js';
import { isUnderPrefix, splitUrl } from './router.js';
import { sumStats, type ServiceStats, type SockJSServerStats } from './stats.js';
import { VERSION } from './version.js';

export interface SockJSServerEvents {
  /** A new session is open (its `o` frame was written) or a raw WebSocket completed its handshake. */
  connection: [connection: Connection];
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The listeners SockJS took over from one `http.Server`, to give back on `detach`. */
interface Attachment {
  readonly endpoint: Endpoint;
  readonly onRequest: RequestListener;
  readonly onUpgrade: UpgradeListener;
  readonly previousRequest: RequestListener[];
  readonly previousUpgrade: UpgradeListener[];
}

/** Options of `attachUpgrade(server, options)`. */
export interface AttachUpgradeOptions {
  /**
   * The path a framework mounted the service under (`app.use('/rt', …)`).
   * Routers strip it from HTTP requests, but upgrades bypass routers and
   * still carry it, so upgrades under it are matched (and seen) without it.
   * Default `''`; must be `''` or start with `/` (a trailing `/` is dropped),
   * otherwise throws `SOCKJS_ERR_INVALID_OPTION`.
   */
  readonly mountPath?: string;
}

/** Node-style `next`: called for requests outside every prefix. */
export type NextFunction = (error?: unknown) => void;

/**
 * A SockJS server: one or more prefixed services that all emit `connection`
 * here. Mount it with `attach(httpServer)`, or from any framework through
 * `handleRequest(req, res, next)` and `handleUpgrade(req, socket, head)`.
 *
 * @example
 * const sockjs = new SockJSServer({ prefix: '/echo' });
 * sockjs.on('connection', (conn) => conn.on('data', (m) => conn.write(m)));
 * sockjs.attach(http.createServer().listen(8080));
 */
export class SockJSServer extends EventEmitter<SockJSServerEvents> {
  /** Resolved, frozen options of the service given to the constructor. */
  readonly options: ResolvedOptions;
  readonly #input: SockJSServerOptions;
  /** The service of the constructor's options. */
  readonly #primary: Endpoint;
  /** Services that take requests, in the order they were installed. */
  readonly #endpoints: Endpoint[] = [];
  readonly #attachments = new Map<HttpServer, Attachment[]>();
  readonly #upgradeListeners = new Map<HttpServer, { readonly listener: UpgradeListener; mountPath: string }>();
  #closing: Promise<void> | undefined;

  constructor(options: SockJSServerOptions = {}) {
    super();
    this.#input = normalizeOptions(options);
    this.options = resolveOptions(this.#input);
    this.#primary = this.#createEndpoint(this.options);
    this.#endpoints.push(this.#primary);
  }

  /**
   * A snapshot of what this server holds and has done: open sessions by
   * transport, sessions opened and closed, messages and bytes in and out,
   * refusals by reason, summed over its services and by prefix, plus the
   * cluster's counters when clustered. Counting costs the sessions nothing;
   * the snapshot walks the open sessions once, so read it per scrape or per
   * second, not per message.
   *
   * @example
   * const { sessions, messages } = sockjs.stats();
   * console.log(sessions.byTransport.websocket, messages.in);
   */
  stats(): SockJSServerStats {
    const byPrefix: Record<string, ServiceStats> = {};
    for (const endpoint of this.#endpoints) byPrefix[endpoint.options.prefix] = endpoint.stats();
    const total = sumStats(Object.values(byPrefix));
    const cluster = this.options.cluster;
    return cluster === undefined ? { ...total, byPrefix } : { ...total, byPrefix, cluster: cluster.stats };
  }

  /**
   * Writes `message` to every open connection of this server's services. With
   * a `cluster`, connections on every other node get it too: the message is
   * published once, whatever the number of recipients.
   */
  broadcast(message: string): void {
    for (const endpoint of this.#endpoints) endpoint.broadcast(message);
  }

  /** Writes `message` to every open member of `room`, on every node. */
  broadcastTo(room: string, message: string): void {
    for (const endpoint of this.#endpoints) endpoint.broadcast(message, room);
  }

  /** Writes `message` to the connection with this `conn.id`, on whichever node it is. */
  sendTo(connectionId: string, message: string): void {
    for (const endpoint of this.#endpoints) endpoint.sendTo(connectionId, message);
  }

  /** Adds `connection` to `room` (on its own node; it leaves every room when it closes). */
  join(connection: Connection, room: string): this {
    this.#endpointOf(connection).rooms.join(connection, room);
    return this;
  }

  leave(connection: Connection, room: string): this {
    this.#endpointOf(connection).rooms.leave(connection, room);
    return this;
  }

  /**
   * Handles `req` if its path is under one of this server's prefixes and
   * returns true; otherwise calls `next()` (if given) and returns false.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse, next?: NextFunction): boolean {
    const url = splitUrl(req.url ?? '/');
    const endpoint = this.#endpointFor(url.path);
    if (endpoint === undefined) {
      next?.();
      return false;
    }
    endpoint.handleRequest(req, res, url);
    return true;
  }

  /**
   * Handles an HTTP `upgrade` under one of this server's prefixes and returns
   * true; returns false, leaving the socket untouched, for any other path.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = splitUrl(req.url ?? '/');
    const endpoint = this.#endpointFor(url.path);
    if (endpoint === undefined) return false;
    endpoint.handleUpgrade(req, socket, head, url);
    return true;
  }

  /**
   * Installs SockJS on a Node HTTP server: takes over its `request` and
   * `upgrade` listeners and calls them, in order, for requests outside the
   * prefix. Register the application's own listeners before attaching.
   */
  attach(server: HttpServer): this {
    if (!this.#endpoints.includes(this.#primary)) this.#endpoints.unshift(this.#primary);
    this.#install(server, this.#primary);
    return this;
  }

  /**
   * Listens for WebSocket upgrades on `server` without touching its `request`
   * listeners: for frameworks, whose middleware never sees upgrades. Other
   * upgrade listeners keep working; an upgrade that neither this nor any other
   * listener claims is answered 404 instead of being left open, also when
   * several services each attached their own listener. Calling it again for
   * the same server only updates `mountPath` (when given).
   */
  attachUpgrade(server: HttpServer, options: AttachUpgradeOptions = {}): this {
    const mountPath = resolveMountPath(options.mountPath);
    const existing = this.#upgradeListeners.get(server);
    if (existing) {
      if (mountPath !== undefined) existing.mountPath = mountPath;
      return this;
    }
    if (!server || typeof server.on !== 'function' || typeof server.listeners !== 'function') {
      throw new SockJSError('SOCKJS_ERR_NOT_HTTP_SERVER', 'attachUpgrade() expects a Node http.Server');
    }
    const claims = (req: IncomingMessage) => {
      const url = urlBelowMount(req.url ?? '/', attachment.mountPath);
      return url !== undefined && this.#endpointFor(splitUrl(url).path) !== undefined;
    };
    const listener: BrandedUpgradeListener = Object.assign(
      (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (claims(req)) {
          // The router strips the mount path from HTTP requests; do the same so routes and conn.url agree.
          req.url = urlBelowMount(req.url ?? '/', attachment.mountPath);
          this.handleUpgrade(req, socket, head);
          return;
        }
        // Only the last listener can tell that nobody claimed the upgrade.
        const all = server.listeners('upgrade');
        if (all.at(-1) === listener && all.every((l) => isUnclaimingSockJSListener(l, req))) rejectUpgrade(socket);
      },
      { [kUpgradeClaims]: claims },
    );
    server.on('upgrade', listener);
    const attachment = { listener, mountPath: mountPath ?? '' };
    this.#upgradeListeners.set(server, attachment);
    return this;
  }

  /** Gives `server` (or every attached server) its previous listeners back. */
  detach(server?: HttpServer): this {
    const servers = server ? [server] : [...new Set([...this.#attachments.keys(), ...this.#upgradeListeners.keys()])];
    for (const s of servers) {
      for (const a of (this.#attachments.get(s) ?? []).reverse()) {
        s.removeListener('request', a.onRequest);
        s.removeListener('upgrade', a.onUpgrade);
        for (const l of a.previousRequest) if (!s.listeners('request').includes(l)) s.on('request', l);
        for (const l of a.previousUpgrade) if (!s.listeners('upgrade').includes(l)) s.on('upgrade', l);
      }
      this.#attachments.delete(s);
      const upgrade = this.#upgradeListeners.get(s);
      if (upgrade) s.removeListener('upgrade', upgrade.listener);
      this.#upgradeListeners.delete(s);
    }
    return this;
  }

  /**
   * sockjs-node 0.3 API: attach to `server`, optionally as another service with
   * `options` merged over the constructor's (a different `prefix`, say). Every
   * installed service emits `connection` on this server.
   */
  installHandlers(server: HttpServer, options?: SockJSServerOptions): this {
    if (options === undefined || Object.keys(options).length === 0) return this.attach(server);
    const endpoint = this.#createEndpoint(resolveOptions({ ...this.#input, ...normalizeOptions(options) }));
    // sockjs-node's createServer() served nothing until installed. A
    // prefix-less primary never attached is such a template: left routable,
    // it would claim every path ahead of this service, and `next()` too.
    const primaryAt = this.#endpoints.indexOf(this.#primary);
    if (primaryAt !== -1 && this.#primary.options.prefix === '' && !this.#isAttached(this.#primary)) this.#endpoints.splice(primaryAt, 1);
    this.#endpoints.push(endpoint);
    this.#install(server, endpoint);
    return this;
  }

  /**
   * Ends every session with a close frame, frees every timer, and resolves
   * when done. It stays attached, so requests under the prefix that still
   * arrive get 503 rather than hanging on a server with no other listener;
   * call `detach()` as well to hand the paths back to the application.
   */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const endpoint of new Set([this.#primary, ...this.#endpoints])) endpoint.close();
      setImmediate(resolve);
    });
    return this.#closing;
  }

  #createEndpoint(options: ResolvedOptions): Endpoint {
    const endpoint = new Endpoint(options, (connection) => this.emit('connection', connection));
    options.log('debug', `SockJS v${VERSION} bound to ${JSON.stringify(options.prefix)}`);
    return endpoint;
  }

  #isAttached(endpoint: Endpoint): boolean {
    for (const attachments of this.#attachments.values()) if (attachments.some((a) => a.endpoint === endpoint)) return true;
    return false;
  }

  #endpointOf(connection: Connection): Endpoint {
    const endpoint = this.#endpoints.find((e) => e.options.prefix === connection.prefix);
    if (endpoint === undefined) throw new SockJSError('SOCKJS_ERR_FOREIGN_CONNECTION', 'the connection does not belong to this server');
    return endpoint;
  }

  #endpointFor(path: string): Endpoint | undefined {
    for (const endpoint of this.#endpoints) if (endpoint.claims(path)) return endpoint;
    return undefined;
  }

  #install(server: HttpServer, endpoint: Endpoint): void {
    if (!server || typeof server.listeners !== 'function' || typeof server.on !== 'function') {
      throw new SockJSError('SOCKJS_ERR_NOT_HTTP_SERVER', 'attach() expects a Node http.Server (or https/http2 compatible server)');
    }
    const existing = this.#attachments.get(server) ?? [];
    if (existing.some((a) => a.endpoint === endpoint)) {
      throw new SockJSError('SOCKJS_ERR_ALREADY_ATTACHED', `the service at ${JSON.stringify(endpoint.options.prefix)} is already attached to this server`);
    }
    const previousRequest = server.listeners('request') as RequestListener[];
    const previousUpgrade = server.listeners('upgrade') as UpgradeListener[];
    const onRequest: RequestListener = (req, res) => {
      const url = splitUrl(req.url ?? '/');
      if (endpoint.claims(url.path)) {
        endpoint.handleRequest(req, res, url);
        return;
      }
      // Indexed: this runs for every request of every service mounted before this one.
      for (let i = 0; i < previousRequest.length; i++) previousRequest[i]!.call(server, req, res);
      if (previousRequest.length === 0 && server.listenerCount('request') === 1) {
        res.statusCode = 404;
        res.end();
      }
    };
    const onUpgrade: UpgradeListener = (req, socket, head) => {
      const url = splitUrl(req.url ?? '/');
      if (endpoint.claims(url.path)) {
        endpoint.handleUpgrade(req, socket, head, url);
        return;
      }
      for (let i = 0; i < previousUpgrade.length; i++) previousUpgrade[i]!.call(server, req, socket, head);
      // Nobody else listens for upgrades: answer rather than leave the socket hanging.
      if (previousUpgrade.length === 0 && server.listenerCount('upgrade') === 1) rejectUpgrade(socket);
    };
    server.removeAllListeners('request');
    server.removeAllListeners('upgrade');
    server.on('request', onRequest);
    server.on('upgrade', onUpgrade);
    existing.push({ endpoint, onRequest, onUpgrade, previousRequest, previousUpgrade });
    this.#attachments.set(server, existing);
  }
}

const kUpgradeClaims = Symbol.for('sockjs-server.upgrade-claims');

/** An `attachUpgrade` listener, branded so that sibling services (even from another copy of core) can ask whether it claims a request. */
type BrandedUpgradeListener = UpgradeListener & { readonly [kUpgradeClaims]: (req: IncomingMessage) => boolean };

function isUnclaimingSockJSListener(listener: unknown, req: IncomingMessage): boolean {
  const claims = (listener as Partial<BrandedUpgradeListener>)[kUpgradeClaims];
  return typeof claims === 'function' && !claims(req);
}

function resolveMountPath(mountPath: unknown): string | undefined {
  if (mountPath === undefined) return undefined;
  if (typeof mountPath !== 'string' || (mountPath !== '' && !mountPath.startsWith('/'))) {
    throw invalidOption(`mountPath must be '' or a path starting with '/', got ${JSON.stringify(mountPath)}`);
  }
  return mountPath.endsWith('/') ? mountPath.slice(0, -1) : mountPath;
}

/** `url` as a router mounted at `mountPath` passes it on (`/rt/echo?x` → `/echo?x`), or undefined when outside the mount. */
function urlBelowMount(url: string, mountPath: string): string | undefined {
  if (mountPath === '') return url;
  if (!isUnderPrefix(splitUrl(url).path, mountPath)) return undefined;
  const rest = url.slice(mountPath.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function rejectUpgrade(socket: Duplex): void {
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

