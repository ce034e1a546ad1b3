import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { CloseCode, CloseReason, ReadyState, type TransportName } from './constants.js';
import { SockJSError } from './errors.js';
import { splitUrl } from './router.js';

/** What a Connection drives: a SockJS session, or a raw WebSocket. */
export interface ConnectionTarget {
  readonly readyState: ReadyState;
  /** Queues a message; false while the outbound queue is above the high-water mark. */
  send(message: string): boolean;
  close(code: number, reason: string): boolean;
  /** Ends at once, without waiting for the client. */
  terminate(): void;
  pauseInbound(): void;
  resumeInbound(): void;
}

type WriteCallback = (error?: Error | null) => void;

const kTarget = Symbol('target');
const kClosed = Symbol('closed');
const kCloseEmitted = Symbol('closeEmitted');

/**
 * The application's side of one SockJS connection: a Duplex stream whose
 * readable side yields whole client messages (object mode) and whose writable
 * side sends messages. It keeps the sockjs-node 0.3 contract: `write` returns
 * false when the connection is not open (and never throws), `end([msg])`
 * closes the session, and `close` is emitted exactly once, after the session
 * is CLOSED, however it ended.
 */
export class Connection extends Duplex {
  /** Random UUID; deliberately not the session id, which is a capability for the client. */
  readonly id: string = flatUuid();
  readonly prefix: string;
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
  /** What the `authorize` hook attached when it accepted the session. */
  data: unknown = undefined;
  private readonly [kTarget]: ConnectionTarget;
  private [kClosed] = false;
  [kCloseEmitted] = false;

  constructor(target: ConnectionTarget, prefix: string, protocol: TransportName) {
    super({ readableObjectMode: true, decodeStrings: false, allowHalfOpen: true, emitClose: false, autoDestroy: false });
    this[kTarget] = target;
    this.prefix = prefix;
    this.protocol = protocol;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): ReadyState {
    return this[kTarget].readyState;
  }

  /** Sends one message. Returns false when the connection is not open, or when the caller should wait for `drain`. */
  override write(message: unknown, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
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
  override end(messageOrCallback?: unknown, encodingOrCallback?: BufferEncoding | (() => void), callback?: () => void): this {
    const done = [messageOrCallback, encodingOrCallback, callback].find((a): a is () => void => typeof a === 'function');
    if (messageOrCallback !== undefined && messageOrCallback !== null && typeof messageOrCallback !== 'function') {
      this.write(messageOrCallback);
    }
    this.close();
    if (done) process.nextTick(done);
    return this;
  }

  override _read(): void {
    this[kTarget].resumeInbound();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const target = this[kTarget];
    target.close(CloseCode.NORMAL, CloseReason.NORMAL);
    target.terminate();
    callback(error);
  }

  /** Copies what the application may see of a receiving request (PROTOCOL.md 7). */
  refresh(req: IncomingMessage, protocol: TransportName, exposedHeaders: readonly string[]): void {
    const url = req.url ?? '';
    this.url = url;
    this.pathname = splitUrl(url).path;
    this.protocol = protocol;
    const headers: Record<string, string> = {};
    for (const name of exposedHeaders) {
      const value = req.headers[name];
      if (value) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.headers = headers;
    const socket = req.socket;
    if (socket.remoteAddress !== undefined) {
      this.remoteAddress = socket.remoteAddress;
      this.remotePort = socket.remotePort;
    }
    const local = socket.address();
    if ('port' in local) this.address = local;
  }

  /** Called once by the target when it reaches CLOSED: end the readable side, then emit `close` once. */
  targetClosed(): void {
    if (this[kClosed]) return;
    this[kClosed] = true;
    if (this.destroyed) {
      process.nextTick(emitCloseOnce.bind(this));
      return;
    }
    this.push(null);
    if (this.readableLength === 0 && !this.readableEnded) {
      // Nothing left to read: let `end` fire even if nobody consumed the stream, so `close` follows it.
      this.once('end', emitCloseOnce);
      this.resume();
    } else {
      process.nextTick(emitCloseOnce.bind(this));
    }
  }

  override toString(): string {
    return `<SockJSConnection ${this.id}>`;
  }
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

function emitCloseOnce(this: Connection): void {
  if (this[kCloseEmitted]) return;
  this[kCloseEmitted] = true;
  this.emit('close');
}

// sockjs-node 0.3 defines `readable` and `writable` as "the connection is open".
// Stream internals may assign them, so the setters are kept as no-ops.
for (const name of ['readable', 'writable'] as const) {
  Object.defineProperty(Connection.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Connection) {
      return this.readyState === ReadyState.OPEN;
    },
    set() {},
  });
}
