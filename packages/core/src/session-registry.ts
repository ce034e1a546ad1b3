import type { IncomingMessage } from 'node:http';
import { CloseCode, CloseReason, TRANSPORTS, type TransportName } from './constants.js';
import { Connection, type ConnectionIndex, type ConnectionTarget } from './connection.js';
import { ServiceCounters } from './counters.js';
import { publishSession } from './diagnostics.js';
import type { ResolvedOptions } from './options.js';
import { Session, type SessionHost } from './session.js';
import { zeroes, type ServiceStats } from './stats.js';

/**
 * The one place a request finds its session: the HTTP sessions of one
 * service by id, plus the WebSocket sessions and raw WebSockets it must end
 * on close. It is also every session's host, so a session reaching CLOSED
 * leaves it by itself.
 */
export class SessionRegistry implements SessionHost {
  // Copied out of the options as plain fields: sessions read them on every frame.
  readonly heartbeatDelay: number;
  readonly disconnectDelay: number;
  readonly pongTimeout: number;
  readonly sendHighWaterMark: number;
  readonly maxBufferedBytes: number;
  readonly prefix: string;
  readonly counters: ServiceCounters;
  readonly #options: ResolvedOptions;
  readonly #announce: (connection: Connection) => void;
  readonly #byId = new Map<string, Session>();
  /** Announced connections whose public id has been read, by that id, for messages addressed to one of them. */
  readonly connectionIndex: ConnectionIndex = new Map();
  /** WebSocket sessions and raw WebSockets: not addressable by id, tracked only so closeAll() can end them. */
  readonly #unaddressable = new Set<ConnectionTarget>();
  /** Creator addresses, kept only when sessions are bound to them. */
  readonly #creators = new WeakMap<Session, string | undefined>();

  /** Told when an HTTP session leaves, so a cluster can give its id up. */
  readonly #released: ((id: string) => void) | undefined;

  constructor(options: ResolvedOptions, announce: (connection: Connection) => void, released?: (id: string) => void) {
    this.#options = options;
    this.#announce = announce;
    this.#released = released;
    this.heartbeatDelay = options.heartbeatDelay;
    this.disconnectDelay = options.disconnectDelay;
    this.pongTimeout = options.pongTimeout;
    this.sendHighWaterMark = options.sendHighWaterMark;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.prefix = options.prefix;
    this.counters = new ServiceCounters(options.prefix);
  }

  /**
   * The service's counters, plus what is open now. Open sessions by
   * transport are counted here, by walking them, rather than on every open
   * and close: a snapshot costs one pass over the sessions, a session nothing.
   */
  stats(): ServiceStats {
    let timers = 0;
    for (const s of this.#byId.values()) if (s.hasTimer) timers++;
    for (const t of this.#unaddressable) if (t instanceof Session && t.hasTimer) timers++;
    const byTransport = zeroes(TRANSPORTS);
    let open = 0;
    for (const connection of this.connections()) {
      if (!connection.announced) continue;
      open++;
      byTransport[connection.protocol]++;
    }
    const c = this.counters;
    return {
      sessions: { open, byTransport, opened: c.opened, closed: c.closed },
      messages: { in: c.messagesIn, out: c.messagesOut },
      bytes: { in: c.bytesIn, out: c.bytesOut },
      refused: { ...c.refused },
      registry: { httpSessions: this.#byId.size, webSocketSessions: this.#unaddressable.size, timers },
    };
  }

  /**
   * The HTTP session with this id: `undefined` if there is none, `null` if it
   * is bound to another client address (`bindSessionToAddress`) — answered
   * like an unknown id, without revealing that it exists.
   */
  lookup(id: string, req: IncomingMessage): Session | null | undefined {
    return this.lookupFrom(id, req.socket.remoteAddress);
  }

  /** `lookup` for a client address known without its request (a request another node forwarded). */
  lookupFrom(id: string, remoteAddress: string | undefined): Session | null | undefined {
    const found = this.#byId.get(id);
    if (found === undefined || !this.#options.bindSessionToAddress) return found;
    return this.#creators.get(found) === remoteAddress ? found : null;
  }

  /** Ids of the HTTP sessions held here. */
  ids(): IterableIterator<string> {
    return this.#byId.keys();
  }

  /** Every session's and raw WebSocket's connection, open or not. */
  *connections(): IterableIterator<Connection> {
    for (const session of this.#byId.values()) yield session.connection;
    for (const target of this.#unaddressable) yield target.connection;
  }

  /** Creates the HTTP session a receiving request names (PROTOCOL.md 4.2). */
  create(id: string, req: IncomingMessage): Session {
    const created = this.#newSession(id, 'xhr-polling');
    this.#byId.set(id, created);
    if (this.#options.bindSessionToAddress) this.#creators.set(created, req.socket.remoteAddress);
    return created;
  }

  createWebSocketSession(): Session {
    const created = this.#newSession(null, 'websocket');
    this.#unaddressable.add(created);
    return created;
  }

  /** False once `maxSessions` sessions (HTTP and WebSocket) are open. */
  hasRoom(): boolean {
    return this.#byId.size + this.#unaddressable.size < this.#options.maxSessions;
  }

  /** A raw WebSocket, which is no Session but must still be ended on close. */
  track(target: ConnectionTarget): void {
    this.#unaddressable.add(target);
  }

  // --- SessionHost -------------------------------------------------------

  announce(connection: Connection): void {
    connection.list();
    this.counters.opened++;
    publishSession(true, connection, this.prefix, connection.protocol);
    this.#announce(connection);
  }

  /** The open (announced, not yet closed) connection with this `conn.id`. */
  connection(id: string): Connection | undefined {
    return this.connectionIndex.get(id);
  }

  forget(target: ConnectionTarget): void {
    const connection = target.connection;
    // Only announced connections are in the map: a session that ends before its `o` frame was never opened.
    if (connection.unlist()) {
      this.counters.closed++;
      publishSession(false, connection, this.prefix, connection.protocol);
    }
    if (target instanceof Session && target.id !== null && this.#byId.get(target.id) === target) {
      this.#byId.delete(target.id);
      this.#released?.(target.id);
    } else {
      this.#unaddressable.delete(target);
    }
  }

  /** Ends every session with a close frame and frees its timer. */
  closeAll(): void {
    const targets = [...this.#byId.values(), ...this.#unaddressable];
    for (const target of targets) {
      target.close(CloseCode.NORMAL, CloseReason.NORMAL);
      target.terminate();
    }
    this.#byId.clear();
    this.#unaddressable.clear();
    this.connectionIndex.clear();
  }

  #newSession(id: string | null, transport: TransportName): Session {
    return new Session(id, this, (target) => new Connection(target, transport));
  }
}
