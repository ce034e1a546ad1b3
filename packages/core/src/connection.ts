import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CloseCode, CloseReason, ReadyState, type TransportName } from './constants.js';
import { SockJSError } from './errors.js';
import { LeanStream } from './listener-table.js';
import { splitUrl } from './router.js';

/** Open connections by `conn.id`, which a connection joins when its id is first read (session-registry.ts). */
export type ConnectionIndex = Map<string, Connection>;

/** What every connection of one service shares: kept once by the service, reached through the target. */
export interface ConnectionScope {
  readonly prefix: string;
  readonly connectionIndex: ConnectionIndex;
}

/** What a Connection drives: a SockJS session, or a raw WebSocket. */
export interface ConnectionTarget {
  readonly readyState: ReadyState;
  readonly scope: ConnectionScope;
  /** The application's side of this target. */
  readonly connection: Connection;
  /** Queues a message; false while the outbound queue is above the high-water mark. */
  send(message: string): boolean;
  close(code: number, reason: string): boolean;
  /** Ends at once, without waiting for the client. */
  terminate(): void;
  pauseInbound(): void;
  resumeInbound(): void;
}

/**
 * What `refresh` reads of a receiving request: an `IncomingMessage`, or the
 * copy of one that another node of a cluster forwarded.
 */
export interface ReceivingRequest {
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly socket: {
    readonly remoteAddress?: string | undefined;
    readonly remotePort?: number | undefined;
    address(): Partial<AddressInfo>;
  };
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Replacements for two steps of every connection, installed by the legacy
 * sockjs-node facade (compat/legacy.ts) alone: code written for sockjs 0.3
 * patches `Session.prototype` methods and expects the server to run them.
 * The engine knows nothing of that facade; it only asks these hooks first.
 */
export interface ConnectionHooks {
  /** Runs instead of `copyRequest` for each receiving request. */
  decorate(connection: Connection, req: ReceivingRequest, exposedHeaders: readonly string[]): void;
  /** Runs instead of `finish` once the session is CLOSED. */
  finish(connection: Connection): void;
}

let hooks: ConnectionHooks | null = null;

/** Installs the hooks (once, by compat/legacy.ts). */
export function setConnectionHooks(next: ConnectionHooks): void {
  hooks = next;
}

/** Events a Connection emits, for typed listeners. */
export interface ConnectionEvents {
  /** One message from the client. */
  data: [message: string];
  /** No more messages will come (the session closed and every message was delivered). */
  end: [];
  /** Emitted exactly once, after the session is closed, however it ended. */
  close: [];
  /** The outbound queue went back under `sendHighWaterMark` after `write()` returned false. */
  drain: [];
  error: [error: Error];
}
type EventName = keyof ConnectionEvents;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type; only implementation signatures use it, never the public overloads.
type AnyListener = (...args: any[]) => void;
type Listener<E extends EventName> = (...args: ConnectionEvents[E]) => void;

const kTarget = Symbol('target');
const kState = Symbol('state');
const kInbox = Symbol('inbox');
const kId = Symbol('id');

const enum State {
  /** `resume()` or a `data` listener started the flow of messages. */
  Flowing = 1,
  /** `pause()` was called: no flow until `resume()`, whatever listeners come. */
  Paused = 2,
  FlushScheduled = 4,
  TargetClosed = 8,
  EndEmitted = 16,
  CloseEmitted = 32,
  /** Announced and not closed: in the scope's index once it has an id. */
  Listed = 64,
}

/**
 * The header values copied last, by position in the exposed list they came
 * from. Most repeat from client to client (`host` always, often `user-agent`,
 * `accept-language`, `via`) and a connection keeps its copy for life, so an
 * equal value shares the string copied before it instead of holding its own
 * (a `host` is 32 bytes per idle session, measured).
 */
let internedFor: readonly string[] | null = null;
let internedValues: string[] = [];

/** True when `all` carries exactly the exposed values `shown` holds, and the application added nothing to `shown`. */
function showsExposedHeaders(shown: Record<string, string>, all: ReceivingRequest['headers'], exposedHeaders: readonly string[]): boolean {
  let present = 0;
  for (let i = 0; i < exposedHeaders.length; i++) {
    const name = exposedHeaders[i]!;
    const value = all[name];
    if (!value) {
      if (shown[name] !== undefined) return false;
      continue;
    }
    present++;
    // A repeated header (a list) is joined anew; only single values are compared.
    if (typeof value !== 'string' || value !== shown[name]) return false;
  }
  let keys = 0;
  for (const _ in shown) keys++;
  return keys === present;
}

function copyExposedHeaders(all: ReceivingRequest['headers'], exposedHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (exposedHeaders !== internedFor) {
    internedFor = exposedHeaders;
    internedValues = exposedHeaders.map(() => '');
  }
  for (let i = 0; i < exposedHeaders.length; i++) {
    const name = exposedHeaders[i]!;
    const value = all[name];
    if (!value) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    const previous = internedValues[i]!;
    if (text === previous) {
      headers[name] = previous;
    } else {
      internedValues[i] = text;
      headers[name] = text;
    }
  }
  return headers;
}

/** Messages held while nobody reads: the same allowance as an object-mode Readable. */
const INBOX_HIGH_WATER_MARK = 16;

/**
 * The application's side of one SockJS connection. Like sockjs-node 0.3's
 * connection it is a classic `Stream` (an EventEmitter with `pipe()`), not a
 * Duplex: a Duplex costs about 400 bytes and 8 µs more per session (measured
 * on Node 20) for machinery a message channel does not use.
 *
 * It keeps the Readable contract that matters: messages that arrive before
 * anyone listens, or while the application has paused, are held (the
 * transport is paused once 16 are waiting) and delivered in order when
 * messages flow, which starts with the first `data` listener or `resume()`.
 * `write` returns false when the connection is not open (and never throws),
 * `end([msg])` closes the session, `for await (const message of conn)` reads
 * it, and `close` is emitted exactly once, after the session is CLOSED.
 */
export class Connection extends LeanStream {
  /** Transport name, e.g. `websocket` or `xhr-streaming`; refreshed by every receiving request. */
  protocol: TransportName;
  url = '';
  pathname = '';
  /** Whitelisted request headers of the latest receiving request (lower-case names). */
  headers: Record<string, string> = {};
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** The local address the client reached. */
  address: AddressInfo | Record<string, never> = {};
  // `data`, the inbox and the id are declared, not initialized: most
  // connections never have them, and a field joins an instance only when
  // first set, so an idle session keeps no slot for them.
  /** What the `authorize` hook attached when it accepted the session. */
  declare data: unknown;
  private readonly [kTarget]: ConnectionTarget;
  private [kState] = 0;
  /** Messages not delivered yet, from the first that had to wait. */
  declare private [kInbox]: string[] | undefined;
  declare private [kId]: string | undefined;

  constructor(target: ConnectionTarget, protocol: TransportName) {
    super();
    this[kTarget] = target;
    this.protocol = protocol;
  }

  /** The service's prefix; a getter, not a field of every idle session. */
  get prefix(): string {
    return this[kTarget].scope.prefix;
  }

  /** Keeps what the `authorize` hook attached, if it attached anything. */
  keepAuthorizedData(data: unknown): void {
    if (data !== undefined) this.data = data;
  }

  /**
   * Random UUID; deliberately not the session id, which is a capability for
   * the client. Made on first read: most connections are never addressed by
   * id, and an id nobody has read cannot be addressed, so only a read one is
   * indexed for `server.sendTo()` (a UUID string and a map entry less per
   * idle session).
   */
  get id(): string {
    let id = this[kId];
    if (id === undefined) {
      id = this[kId] = flatUuid();
      if ((this[kState] & State.Listed) !== 0) this[kTarget].scope.connectionIndex.set(id, this);
    }
    return id;
  }

  /** True from the announcement to the application until the registry forgets the connection. */
  get announced(): boolean {
    return (this[kState] & State.Listed) !== 0;
  }

  /** Registry → connection: announced; the id, once there is one, is found through the scope's index. */
  list(): void {
    this[kState] |= State.Listed;
    const id = this[kId];
    if (id !== undefined) this[kTarget].scope.connectionIndex.set(id, this);
  }

  /** Registry → connection: closed; returns whether it had been announced. */
  unlist(): boolean {
    if ((this[kState] & State.Listed) === 0) return false;
    this[kState] &= ~State.Listed;
    const id = this[kId];
    if (id !== undefined) this[kTarget].scope.connectionIndex.delete(id);
    return true;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): ReadyState {
    return this[kTarget].readyState;
  }

  /** sockjs-node 0.3: "the connection is open". */
  get readable(): boolean {
    return this.readyState === ReadyState.OPEN;
  }

  get writable(): boolean {
    return this.readyState === ReadyState.OPEN;
  }

  /** Sends one message. Returns false when the connection is not open, or when the caller should wait for `drain`. */
  write(message: unknown, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (this.readyState !== ReadyState.OPEN) {
      if (done) process.nextTick(done, new SockJSError('SOCKJS_ERR_CONNECTION_CLOSED', 'write() on a connection that is not open'));
      return false;
    }
    const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('utf8') : String(message);
    const flowing = this[kTarget].send(text);
    if (done) process.nextTick(done, null);
    return flowing;
  }

  /** Closes the session with a close frame. Returns false if it was not open. */
  close(code: number = CloseCode.NORMAL, reason: string = CloseReason.NORMAL): boolean {
    return this[kTarget].close(code, reason);
  }

  /** Writes `message` if given, then closes with 1000 "Normal closure". */
  end(messageOrCallback?: unknown, encodingOrCallback?: BufferEncoding | (() => void), callback?: () => void): this {
    const done = [messageOrCallback, encodingOrCallback, callback].find((a): a is () => void => typeof a === 'function');
    if (messageOrCallback !== undefined && messageOrCallback !== null && typeof messageOrCallback !== 'function') {
      this.write(messageOrCallback);
    }
    this.close();
    if (done) process.nextTick(done);
    return this;
  }

  /** Closes with 1000 and ends the session at once; with `error`, emits it first. */
  destroy(error?: Error): this {
    const target = this[kTarget];
    target.close(CloseCode.NORMAL, CloseReason.NORMAL);
    target.terminate();
    if (error) process.nextTick(emitError, this, error);
    return this;
  }

  /** Stops `data` events; the transport is paused once messages pile up. */
  pause(): this {
    this[kState] = (this[kState] & ~State.Flowing) | State.Paused;
    return this;
  }

  /** Starts or restarts `data` events; held messages come first, from the next tick. */
  resume(): this {
    this[kState] = (this[kState] & ~State.Paused) | State.Flowing;
    this.scheduleFlush();
    this[kTarget].resumeInbound();
    return this;
  }

  isPaused(): boolean {
    return (this[kState] & State.Paused) !== 0;
  }

  /** The first `data` listener starts the flow, as on a Readable. */
  override on<E extends EventName>(event: E, listener: Listener<E>): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    super.on(event, listener as AnyListener);
    if (event === 'data' && (this[kState] & (State.Flowing | State.Paused)) === 0) this.resume();
    return this;
  }

  override addListener<E extends EventName>(event: E, listener: Listener<E>): this;
  override addListener(event: string | symbol, listener: (...args: never[]) => void): this;
  override addListener(event: string | symbol, listener: (...args: never[]) => void): this {
    return this.on(event, listener);
  }

  override once<E extends EventName>(event: E, listener: Listener<E>): this;
  override once(event: string | symbol, listener: (...args: never[]) => void): this;
  override once(event: string | symbol, listener: (...args: never[]) => void): this {
    // EventEmitter's once() registers through this.on(), which starts the flow for `data`.
    return super.once(event, listener as AnyListener);
  }

  override off<E extends EventName>(event: E, listener: Listener<E>): this;
  override off(event: string | symbol, listener: (...args: never[]) => void): this;
  override off(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.off(event, listener as AnyListener);
  }

  /**
   * Session → application: one client message. Returns false when the
   * transport should stop reading (messages are waiting for the application).
   */
  deliver(message: string): boolean {
    const inbox = this[kInbox];
    if ((this[kState] & State.Flowing) !== 0 && (inbox === undefined || inbox.length === 0)) {
      this.emit('data', message);
      return true;
    }
    (this[kInbox] ??= []).push(message);
    return this[kInbox].length < INBOX_HIGH_WATER_MARK;
  }

  /** Reads the connection message by message; pauses the transport while the loop body is busy. */
  async *[Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    const waiting: string[] = [];
    let finished = false;
    let wake: (() => void) | null = null;
    const onData = (message: string) => {
      waiting.push(message);
      if (waiting.length >= INBOX_HIGH_WATER_MARK) this.pause();
      wake?.();
    };
    let failure: Error | undefined;
    const onEnd = () => {
      finished = true;
      wake?.();
    };
    const onError = (error: Error) => {
      failure = error;
      onEnd();
    };
    this.on('data', onData);
    this.on('end', onEnd);
    this.on('close', onEnd);
    this.on('error', onError);
    // Iterating is reading: a connection paused earlier starts flowing.
    this.resume();
    try {
      for (;;) {
        const message = waiting.shift();
        if (message !== undefined) {
          if (waiting.length === 0 && this.isPaused()) this.resume();
          yield message;
        } else if (failure !== undefined) {
          throw failure;
        } else if (finished) {
          return;
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      }
    } finally {
      this.off('data', onData);
      this.off('end', onEnd);
      this.off('close', onEnd);
      this.off('error', onError);
    }
  }

  /** A receiving request arrived: the connection shows its transport and what the application may see of it. */
  refresh(req: ReceivingRequest, protocol: TransportName, exposedHeaders: readonly string[]): void {
    this.protocol = protocol;
    if (hooks === null) this.copyRequest(req, exposedHeaders);
    else hooks.decorate(this, req, exposedHeaders);
  }

  /**
   * Copies what the application may see of a receiving request (PROTOCOL.md 7).
   * A polling client repeats its URL and headers on every request: what is
   * unchanged keeps the copy made before, so a poll allocates no new pathname
   * or headers object for the connection to hold until the next poll.
   */
  copyRequest(req: ReceivingRequest, exposedHeaders: readonly string[]): void {
    const url = req.url ?? '';
    if (url !== this.url) {
      this.url = url;
      this.pathname = splitUrl(url).path;
    }
    if (!showsExposedHeaders(this.headers, req.headers, exposedHeaders)) this.headers = copyExposedHeaders(req.headers, exposedHeaders);
    const socket = req.socket;
    if (socket.remoteAddress !== undefined) {
      this.remoteAddress = socket.remoteAddress;
      this.remotePort = socket.remotePort;
    }
    const local = socket.address();
    if (local.port !== undefined) this.address = local as AddressInfo;
  }

  /** Called once by the target when it reaches CLOSED: `end` once the held messages are out, `close` once, both after this tick. */
  targetClosed(): void {
    if ((this[kState] & State.TargetClosed) !== 0) return;
    this[kState] |= State.TargetClosed;
    process.nextTick(finish, this);
  }

  override toString(): string {
    return `<SockJSConnection ${this.id}>`;
  }

  private scheduleFlush(): void {
    if ((this[kState] & State.FlushScheduled) !== 0) return;
    this[kState] |= State.FlushScheduled;
    process.nextTick(flush, this);
  }

  /** Delivers held messages while flowing; then `end`, if the session is over. */
  flushInbox(): void {
    this[kState] &= ~State.FlushScheduled;
    const inbox = this[kInbox];
    if (inbox !== undefined) {
      let delivered = 0;
      while (delivered < inbox.length && (this[kState] & State.Flowing) !== 0) this.emit('data', inbox[delivered++]!);
      inbox.splice(0, delivered);
      if (inbox.length > 0) return;
      this[kInbox] = undefined;
    }
    if ((this[kState] & (State.TargetClosed | State.EndEmitted)) === State.TargetClosed) {
      this[kState] |= State.EndEmitted;
      this.emit('end');
    }
  }

  /** `end` when nothing is held, then `close`, exactly once. */
  finish(): void {
    if (this[kInbox] === undefined) this.flushInbox();
    if ((this[kState] & State.CloseEmitted) !== 0) return;
    this[kState] |= State.CloseEmitted;
    this.emit('close');
  }
}

function flush(connection: Connection): void {
  connection.flushInbox();
}

function finish(connection: Connection): void {
  if (hooks === null) connection.finish();
  else hooks.finish(connection);
}

function emitError(connection: Connection, error: Error): void {
  connection.emit('error', error);
}

/**
 * `randomUUID()` builds its result by concatenation, a tree of 15 string
 * pieces (about 490 bytes of heap, measured); reading a character makes V8
 * flatten it, and the GC then keeps only the 36-character string (about 65
 * bytes). Every idle session holds one.
 */
function flatUuid(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}
