import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SerializeOptions } from 'cookie';
import { DEFAULT_EXPOSED_HEADERS, DEFAULT_SOCKJS_URL, TRANSPORTS, type TransportName } from './constants.js';
import type { Cluster } from './cluster/cluster.js';
import { invalidOption } from './errors.js';
import { acceptLegacyValues, isRelativeUrl } from './legacy-values.js';

export type LogSeverity = 'debug' | 'info' | 'error';

/** What `authorize` sees of the request that would create a session. */
export interface AuthorizationRequest {
  readonly req: IncomingMessage;
  readonly headers: IncomingMessage['headers'];
  readonly query: URLSearchParams;
  readonly remoteAddress: string | undefined;
  readonly transport: TransportName;
}

/**
 * `true` or `{ data }` accepts (the data becomes `conn.data`); `false` refuses
 * with 403; `{ status, message }` refuses with that status.
 */
export type AuthorizationResult =
  | boolean
  | { readonly data: unknown }
  | { readonly status: number; readonly message?: string };

/** Origins allowed to use the service: `'*'`, a list of exact origins, `*.example.com`-style patterns or RegExps, or a function. */
export type OriginPolicy = '*' | readonly (string | RegExp)[] | ((origin: string, req: IncomingMessage) => boolean);

/** Attributes of the `JSESSIONID` cookie (`jsessionid: true`). */
export type JsessionidCookieOptions = Pick<SerializeOptions, 'path' | 'domain' | 'sameSite' | 'secure' | 'httpOnly' | 'maxAge'>;

/**
 * Options of a SockJS server. Each also has the sockjs-node snake_case name
 * (`response_limit`, `heartbeat_delay`, …), accepted as an alias so existing
 * applications keep working unchanged.
 */
export interface ServerOptions {
  /**
   * Path the service is mounted under, e.g. `/echo`. Requests whose path equals
   * the prefix or starts with prefix + `/` belong to SockJS; the prefix is
   * matched literally. One trailing slash is ignored. @default ''
   */
  prefix?: string;
  /**
   * Script URL of the sockjs-client build embedded in the iframe page. It must
   * be the exact build the application's pages load. Must start with `/`,
   * `http:` or `https:`; a relative URL (which sockjs-node accepted) resolves
   * against the iframe page and logs a deprecation warning, any other scheme
   * throws. Alias `sockjs_url`.
   * @default 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js'
   */
  sockjsUrl?: string;
  /**
   * Bytes a streaming response (xhr-streaming, eventsource, htmlfile) may carry
   * before it is ended and the client opens the next one. Alias `response_limit`.
   * @default 131072
   */
  responseLimit?: number;
  /** `false` disables `/S/X/websocket` and `/websocket`; `/info` then says `"websocket":false`. @default true */
  websocket?: boolean;
  /** Transports to enable; an unknown name throws a TypeError. @default every transport */
  transports?: readonly TransportName[];
  /**
   * `true`: session responses set `JSESSIONID` (echoing the request's cookie or
   * `dummy`) for load-balancer stickiness. A function is called as `f(req, res)`
   * on those responses instead and may set any header. Another value is
   * taken for its truthiness, as sockjs-node did, with a deprecation warning.
   * @default false
   */
  jsessionid?: boolean | ((req: IncomingMessage, res: ServerResponse) => void);
  /** Receives `debug`, `info` (one line per request) and `error` messages. @default no-op */
  log?: (severity: LogSeverity, message: string) => void;
  /**
   * Milliseconds between heartbeats while a receiver is attached. Alias
   * `heartbeat_delay`. A numeric string or a fraction (sockjs-node's
   * setTimeout took them) is rounded up with a deprecation warning, as for
   * `disconnectDelay` and `responseLimit`. @default 25000
   */
  heartbeatDelay?: number;
  /**
   * Milliseconds a session without an attached receiver survives before it is
   * destroyed. Alias `disconnect_delay`. @default 5000
   */
  disconnectDelay?: number;
  /** Omit CORS headers (xhr rules), the iframe route and the `origins` field of `/info`. Alias `disable_cors`. @default false */
  disableCors?: boolean;
  /** Reported to clients as `base_url` in `/info`; a function is called per request. Alias `base_url`. */
  baseUrl?: string | ((req: IncomingMessage) => string);
  /**
   * WebSocket heartbeats as protocol pings with a pong deadline (`'ping'`), or
   * as SockJS `h` frames (`'frame'`). Hixie-76 connections always use frames.
   * @default 'ping'
   */
  websocketHeartbeat?: 'ping' | 'frame';
  /** Milliseconds to wait for a pong before closing with 3000 "No response from heartbeat". @default 10000 */
  pongTimeout?: number;
  /**
   * Accept the obsolete hixie-76 WebSocket handshake (needed only by the
   * protocol suite's `test_haproxy` and very old proxies). @default false
   */
  hixie76?: boolean;
  /**
   * Largest accepted client payload in bytes: an xhr_send/jsonp_send body
   * (answered 413 past it) or a WebSocket message (closed with 1009).
   * @default 1048576
   */
  maxMessageSize?: number;
  /**
   * Outbound bytes a connection may have queued before `conn.write()` returns
   * false; `drain` is emitted once the queue is flushed. @default 65536
   */
  sendHighWaterMark?: number;
  /** Request headers copied onto `conn.headers` (lower-case names). @default PROTOCOL.md section 7 whitelist */
  exposedHeaders?: readonly string[];
  /**
   * Origins whose pages may use the service. Requests carrying another Origin
   * are refused with 403 (CORS, sends, receivers, WebSocket handshakes —
   * cross-site WebSocket hijacking), and the iframe page may only be framed by
   * listed origins. `'*'` allows every origin, as sockjs-node did. @default '*'
   */
  allowedOrigins?: OriginPolicy;
  /**
   * Runs before a session is created (HTTP receivers and WebSocket handshakes,
   * not sends). Refuse with `false` (403) or `{ status, message }`; accept with
   * `true` or `{ data }`, which becomes `conn.data`. Throwing refuses with 500.
   */
  authorize?: (request: AuthorizationRequest) => AuthorizationResult | Promise<AuthorizationResult>;
  /** Open sessions (HTTP and WebSocket) above which new ones are refused with 503. @default Infinity */
  maxSessions?: number;
  /** Longest accepted session id; longer ids get 404. The client's ids have 8 characters. @default 128 */
  maxSessionIdLength?: number;
  /** Serve an HTTP session only to requests from the address that created it (others get 404). @default false */
  bindSessionToAddress?: boolean;
  /**
   * Outbound bytes a session may have queued (unsent messages plus what its
   * transport has not flushed to the client). Past it the session is closed
   * with `c[1009,"Send buffer overflow"]` and its transport torn down.
   * @default 4194304
   */
  maxBufferedBytes?: number;
  /** Attributes for the JSESSIONID cookie. @default { path: '/' } */
  jsessionidCookie?: JsessionidCookieOptions;
  /**
   * Makes this service one of many: every process (on any machine) created
   * with a cluster on the same broker serves every session, with no sticky
   * load balancing (`@sockjs-server/redis`). @default none: a single node
   */
  cluster?: Cluster;
}

/** sockjs-node spellings accepted as aliases of the camelCase options. */
export interface LegacyServerOptions {
  sockjs_url?: string;
  response_limit?: number;
  heartbeat_delay?: number;
  disconnect_delay?: number;
  disable_cors?: boolean;
  base_url?: string | ((req: IncomingMessage) => string);
  /** sockjs-node passed this to its WebSocket library; only `maxLength` has a meaning here (as `maxMessageSize`). */
  faye_server_options?: { maxLength?: number } | null;
}

export type SockJSServerOptions = ServerOptions & LegacyServerOptions;

export interface ResolvedOptions {
  readonly prefix: string;
  readonly sockjsUrl: string;
  readonly responseLimit: number;
  readonly websocket: boolean;
  readonly transports: ReadonlySet<TransportName>;
  readonly jsessionid: boolean | ((req: IncomingMessage, res: ServerResponse) => void);
  readonly log: (severity: LogSeverity, message: string) => void;
  readonly heartbeatDelay: number;
  readonly disconnectDelay: number;
  readonly disableCors: boolean;
  readonly baseUrl: string | ((req: IncomingMessage) => string) | undefined;
  readonly websocketHeartbeat: 'ping' | 'frame';
  readonly pongTimeout: number;
  readonly hixie76: boolean;
  readonly maxMessageSize: number;
  readonly sendHighWaterMark: number;
  readonly exposedHeaders: readonly string[];
  readonly allowedOrigins: OriginPolicy;
  readonly authorize: ServerOptions['authorize'];
  readonly maxSessions: number;
  readonly maxSessionIdLength: number;
  readonly bindSessionToAddress: boolean;
  readonly maxBufferedBytes: number;
  readonly jsessionidCookie: JsessionidCookieOptions | undefined;
  readonly cluster: Cluster | undefined;
}

/** The default logger; the endpoint skips per-request log work when it is still this one. */
export const NO_LOG = (): void => {};

const DEFAULTS = {
  prefix: '',
  sockjsUrl: DEFAULT_SOCKJS_URL,
  responseLimit: 128 * 1024,
  websocket: true,
  transports: TRANSPORTS,
  jsessionid: false,
  log: NO_LOG,
  heartbeatDelay: 25_000,
  disconnectDelay: 5_000,
  disableCors: false,
  baseUrl: undefined,
  websocketHeartbeat: 'ping',
  pongTimeout: 10_000,
  hixie76: false,
  maxMessageSize: 1024 * 1024,
  sendHighWaterMark: 64 * 1024,
  exposedHeaders: DEFAULT_EXPOSED_HEADERS,
  allowedOrigins: '*',
  authorize: undefined,
  maxSessions: Infinity,
  maxSessionIdLength: 128,
  bindSessionToAddress: false,
  maxBufferedBytes: 4 * 1024 * 1024,
  jsessionidCookie: undefined,
  cluster: undefined,
} as const satisfies Record<keyof ServerOptions, unknown>;

const ALIASES = {
  sockjs_url: 'sockjsUrl',
  response_limit: 'responseLimit',
  heartbeat_delay: 'heartbeatDelay',
  disconnect_delay: 'disconnectDelay',
  disable_cors: 'disableCors',
  base_url: 'baseUrl',
} as const satisfies Record<Exclude<keyof LegacyServerOptions, 'faye_server_options'>, keyof ServerOptions>;

/** Folds the sockjs-node aliases into camelCase; giving both spellings with different values is an error. */
export function normalizeOptions(options: SockJSServerOptions = {}): ServerOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('SockJS options must be an object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || key === 'faye_server_options') continue;
    const name: string = (ALIASES as Record<string, string>)[key] ?? key;
    if (name in out && out[name] !== value) {
      throw invalidOption(`options "${key}" and "${name}" are the same option and were given different values`);
    }
    out[name] = value;
  }
  const maxLength = options.faye_server_options?.maxLength;
  if (maxLength !== undefined && out.maxMessageSize === undefined) out.maxMessageSize = maxLength;
  return out as ServerOptions;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidOption(`option "${name}" must be a positive integer number, got ${String(value)}`);
  }
  return value;
}

function normalizePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw invalidOption('option "prefix" must be a string');
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (trimmed !== '' && !trimmed.startsWith('/')) {
    // sockjs-node 0.3 accepted it and then matched no request at all.
    throw invalidOption(`option "prefix" must be empty or start with "/", got "${prefix}" (did you mean "/${prefix}"?)`);
  }
  if (/[?#]/.test(trimmed)) throw invalidOption(`option "prefix" is a path and cannot contain "?" or "#": "${prefix}"`);
  return trimmed;
}

function resolveTransports(list: unknown, websocket: boolean): ReadonlySet<TransportName> {
  if (!Array.isArray(list)) throw invalidOption('option "transports" must be an array of transport names');
  const known = new Set<string>(TRANSPORTS);
  for (const name of list) {
    if (!known.has(name)) throw invalidOption(`unknown transport ${String(name)}; known: ${TRANSPORTS.join(', ')}`);
  }
  const enabled = new Set(list as TransportName[]);
  if (!websocket) {
    enabled.delete('websocket');
    enabled.delete('websocket-raw');
  }
  return enabled;
}

/** Merges user options over the defaults, validates them once and freezes the result. */
export function resolveOptions(input: SockJSServerOptions = {}): ResolvedOptions {
  const given: Record<string, unknown> = { ...normalizeOptions(input) };
  if (given.log !== undefined && typeof given.log !== 'function') throw invalidOption('option "log" must be a function(severity, message)');
  acceptLegacyValues(given, (given.log as ResolvedOptions['log'] | undefined) ?? NO_LOG);
  const o = { ...DEFAULTS, ...(given as ServerOptions) };

  const sockjsUrl = o.sockjsUrl;
  if (typeof sockjsUrl !== 'string' || !(/^(\/|https?:)/i.test(sockjsUrl) || isRelativeUrl(sockjsUrl))) {
    throw invalidOption(`option "sockjsUrl" must start with "/", "http:" or "https:", got "${String(sockjsUrl)}"`);
  }
  if (typeof o.websocket !== 'boolean') throw invalidOption('option "websocket" must be a boolean');
  if (typeof o.jsessionid !== 'boolean' && typeof o.jsessionid !== 'function') {
    throw invalidOption('option "jsessionid" must be a boolean or a function(req, res)');
  }
  if (o.websocketHeartbeat !== 'ping' && o.websocketHeartbeat !== 'frame') {
    throw invalidOption('option "websocketHeartbeat" must be "ping" or "frame"');
  }
  if (o.baseUrl !== undefined && typeof o.baseUrl !== 'string' && typeof o.baseUrl !== 'function') {
    throw invalidOption('option "baseUrl" must be a string or a function(req)');
  }
  const origins: unknown = o.allowedOrigins;
  if (
    origins !== '*' &&
    typeof origins !== 'function' &&
    !(Array.isArray(origins) && origins.every((x) => typeof x === 'string' || x instanceof RegExp))
  ) {
    throw invalidOption('option "allowedOrigins" must be "*", an array of origins/patterns/RegExps, or a function(origin, req)');
  }
  if (o.authorize !== undefined && typeof o.authorize !== 'function') {
    throw invalidOption('option "authorize" must be a function(request)');
  }
  if (o.maxSessions !== Infinity) positiveInteger('maxSessions', o.maxSessions);
  if (o.jsessionidCookie !== undefined && (typeof o.jsessionidCookie !== 'object' || o.jsessionidCookie === null)) {
    throw invalidOption('option "jsessionidCookie" must be an object of cookie attributes');
  }
  if (o.cluster !== undefined && typeof (o.cluster as Partial<Cluster> | null)?.link !== 'function') {
    throw invalidOption('option "cluster" must be a Cluster (new Cluster({ broker }), or createRedisCluster() of @sockjs-server/redis)');
  }
  if (!Array.isArray(o.exposedHeaders) || o.exposedHeaders.some((h) => typeof h !== 'string')) {
    throw invalidOption('option "exposedHeaders" must be an array of header names');
  }

  return Object.freeze({
    prefix: normalizePrefix(o.prefix),
    sockjsUrl,
    responseLimit: positiveInteger('responseLimit', o.responseLimit),
    websocket: o.websocket,
    transports: resolveTransports(o.transports, o.websocket),
    jsessionid: o.jsessionid,
    log: o.log,
    heartbeatDelay: positiveInteger('heartbeatDelay', o.heartbeatDelay),
    disconnectDelay: positiveInteger('disconnectDelay', o.disconnectDelay),
    disableCors: Boolean(o.disableCors),
    baseUrl: o.baseUrl,
    websocketHeartbeat: o.websocketHeartbeat,
    pongTimeout: positiveInteger('pongTimeout', o.pongTimeout),
    hixie76: Boolean(o.hixie76),
    maxMessageSize: positiveInteger('maxMessageSize', o.maxMessageSize),
    sendHighWaterMark: positiveInteger('sendHighWaterMark', o.sendHighWaterMark),
    exposedHeaders: Object.freeze(o.exposedHeaders.map((h) => h.toLowerCase())),
    allowedOrigins: Array.isArray(o.allowedOrigins) ? Object.freeze([...o.allowedOrigins]) : o.allowedOrigins,
    authorize: o.authorize,
    maxSessions: o.maxSessions,
    maxSessionIdLength: positiveInteger('maxSessionIdLength', o.maxSessionIdLength),
    bindSessionToAddress: Boolean(o.bindSessionToAddress),
    maxBufferedBytes: positiveInteger('maxBufferedBytes', o.maxBufferedBytes),
    jsessionidCookie: o.jsessionidCookie === undefined ? undefined : Object.freeze({ ...o.jsessionidCookie }),
    cluster: o.cluster,
  });
}
