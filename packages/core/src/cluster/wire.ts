import type { TransportName } from '../constants.js';

/**
 * The messages nodes exchange over the broker, as JSON. Field names are
 * short because every forwarded poll carries several of them.
 */

/** What the owner needs to know of a receiving request another node took: enough to serve it as if it were local. */
export interface ReceiveForward {
  readonly t: 'recv';
  /** Request number, unique on the entry node. */
  readonly r: number;
  /** The entry node: where the replies go. */
  readonly from: string;
  /** The service's prefix. */
  readonly p: string;
  /** Session id. */
  readonly id: string;
  readonly tr: TransportName;
  /** Raw query string: the callback of jsonp and htmlfile is in it. */
  readonly q: string;
  readonly u: string;
  /** The exposed headers of the request (the same list on every node). */
  readonly h: Record<string, string>;
  readonly peer: PeerAddress;
}

export interface PeerAddress {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly family?: string;
}

/** An xhr_send or jsonp_send for a session another node owns, already decoded. */
export interface SendForward {
  readonly t: 'send';
  readonly r: number;
  readonly from: string;
  readonly p: string;
  readonly id: string;
  readonly remoteAddress?: string;
  readonly m: readonly string[];
}

/** The client of a forwarded receive went away. */
export interface AbortForward {
  readonly t: 'abort';
  readonly r: number;
  readonly from: string;
}

/**
 * Owner to entry, for a forwarded receive: one message per tick of the
 * owner, carrying in order the outcome (first message only), the chunks
 * written to the response, and whether it ended or was torn down.
 */
export interface ReceiveReply {
  readonly t: 'rx';
  readonly r: number;
  /** Sequence number from 0: a gap means the broker dropped a message. */
  readonly n: number;
  /** Only in the first reply: served (`ok`), no such session (`missing`), or bound to another address (`refused`). */
  readonly s?: 'ok' | 'missing' | 'refused';
  readonly c?: readonly string[];
  /** 1 when the response ended normally, 2 when the owner tore it down. */
  readonly e?: 1 | 2;
}

/** Owner to entry, for a forwarded send: whether a session took the messages (false: 404). */
export interface SendReply {
  readonly t: 'ack';
  readonly r: number;
  readonly ok: boolean;
}

export type NodeMessage = ReceiveForward | SendForward | AbortForward | ReceiveReply | SendReply;

/** On the shared nodes channel: each node's pulse, and its farewell on a graceful shutdown. */
export interface Presence {
  readonly t: 'hb' | 'bye';
  readonly n: string;
}

/** On a service's channel: a message for every connection, a room's, or one connection's, on every node but its sender's. */
export interface Fanout {
  readonly n: string;
  readonly m: string;
  readonly room?: string;
  readonly to?: string;
}

export const channels = {
  node: (ns: string, node: string) => `${ns}:node:${node}`,
  presence: (ns: string) => `${ns}:nodes`,
  service: (ns: string, prefix: string) => `${ns}:svc:${prefix}`,
  sessionKey: (ns: string, prefix: string, id: string) => `${ns}:s:${prefix}:${id}`,
};

/** Parses a broker message, or undefined for anything that is not a JSON object (another tenant's traffic, say). */
export function parseMessage<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
