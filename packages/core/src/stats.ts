import type { ClusterStats } from './cluster/cluster.js';
import { TRANSPORTS, type TransportName } from './constants.js';
import { REFUSAL_REASONS, type RefusalReason } from './diagnostics.js';

/** What one service (one prefix) did and holds; every count but the `open` ones and `registry` only grows. */
export interface ServiceStats {
  readonly sessions: {
    /** Sessions announced to the application and not closed yet (raw WebSockets included). */
    readonly open: number;
    /** `open` by the transport each session uses now (`conn.protocol`); every transport is listed. */
    readonly byTransport: Readonly<Record<TransportName, number>>;
    readonly opened: number;
    readonly closed: number;
  };
  /** Messages delivered to the application (`in`) and written by it to open connections (`out`). */
  readonly messages: { readonly in: number; readonly out: number };
  /**
   * `in`: payload bytes read from clients (xhr_send and jsonp_send bodies,
   * WebSocket messages), counted by the node that read them; `out`: bytes of
   * the frames sessions wrote to their transports, envelope included, HTTP
   * and WebSocket headers not, counted by the node that holds the session.
   */
  readonly bytes: { readonly in: number; readonly out: number };
  /**
   * Requests turned away, by reason: `origin` (not in `allowedOrigins`),
   * `limit` (`maxSessions` reached, or a body over `maxMessageSize`), `auth`
   * (the `authorize` hook refused or threw), `badRequest` (a request the
   * protocol cannot serve: an unparsable payload, a bad callback, a plain
   * GET on a WebSocket route, broken WebSocket framing) and `bufferOverflow`
   * (a session cut off because its client did not read: `maxBufferedBytes`).
   */
  readonly refused: Readonly<Record<RefusalReason, number>>;
  /** What the session registry holds right now: all zero once every session has ended (leak checks). */
  readonly registry: {
    /** HTTP sessions, open or waiting out `disconnectDelay`. */
    readonly httpSessions: number;
    /** SockJS-over-WebSocket sessions and raw WebSockets. */
    readonly webSocketSessions: number;
    /** Session timers armed (each session has at most one). */
    readonly timers: number;
  };
}

/** `server.stats()`: every service summed, each one by its prefix, and the cluster's counters when clustered. */
export interface SockJSServerStats extends ServiceStats {
  readonly byPrefix: Readonly<Record<string, ServiceStats>>;
  /** Present when the server was created with a `cluster`. */
  readonly cluster?: ClusterStats;
}

/** `{ a: 0, b: 0, … }` for every name. */
export function zeroes<K extends string>(names: readonly K[]): Record<K, number> {
  const counts = {} as Record<K, number>;
  for (const name of names) counts[name] = 0;
  return counts;
}

/** The sum of several services' stats. */
export function sumStats(all: readonly ServiceStats[]): ServiceStats {
  const byTransport = zeroes(TRANSPORTS);
  const refused = zeroes(REFUSAL_REASONS);
  const sessions = { open: 0, byTransport, opened: 0, closed: 0 };
  const messages = { in: 0, out: 0 };
  const bytes = { in: 0, out: 0 };
  const registry = { httpSessions: 0, webSocketSessions: 0, timers: 0 };
  for (const s of all) {
    sessions.open += s.sessions.open;
    sessions.opened += s.sessions.opened;
    sessions.closed += s.sessions.closed;
    for (const name of TRANSPORTS) byTransport[name] += s.sessions.byTransport[name];
    messages.in += s.messages.in;
    messages.out += s.messages.out;
    bytes.in += s.bytes.in;
    bytes.out += s.bytes.out;
    for (const reason of REFUSAL_REASONS) refused[reason] += s.refused[reason];
    registry.httpSessions += s.registry.httpSessions;
    registry.webSocketSessions += s.registry.webSocketSessions;
    registry.timers += s.registry.timers;
  }
  return { sessions, messages, bytes, refused, registry };
}
