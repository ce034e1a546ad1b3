import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Connection } from './connection.js';
import type { TransportName } from './constants.js';

/**
 * The `node:diagnostics_channel` channels this server publishes on, by the
 * convention undici and Fastify follow: APM agents and OpenTelemetry
 * instrumentations subscribe by name, without wrapping anything. A message
 * object is built only while a channel has subscribers.
 *
 * @example
 * import diagnosticsChannel from 'node:diagnostics_channel';
 * diagnosticsChannel.subscribe('sockjs-server:session:open', ({ connection }) => console.log('open', connection.protocol));
 */
export const DiagnosticsChannel = {
  /** A session (or raw WebSocket) was announced to the application: {@link SessionMessage}. */
  SESSION_OPEN: 'sockjs-server:session:open',
  /** An announced session closed, however it ended: {@link SessionMessage}. */
  SESSION_CLOSE: 'sockjs-server:session:close',
  /** A request was refused, or a session cut off for not reading: {@link RefusedMessage}. */
  REQUEST_REFUSED: 'sockjs-server:request:refused',
  /** In a cluster, this node passed a request to the node that holds its session: {@link ForwardMessage}. */
  CLUSTER_FORWARD: 'sockjs-server:cluster:forward',
} as const;
export type DiagnosticsChannelName = (typeof DiagnosticsChannel)[keyof typeof DiagnosticsChannel];

/** Why a request was refused; the keys of `stats().refused`. */
export const REFUSAL_REASONS = ['origin', 'limit', 'auth', 'badRequest', 'bufferOverflow'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface SessionMessage {
  readonly connection: Connection;
  /** The service's prefix. */
  readonly prefix: string;
  /** The session's transport (`connection.protocol`). */
  readonly transport: TransportName;
}

export interface RefusedMessage {
  readonly prefix: string;
  readonly reason: RefusalReason;
  /** The HTTP status answered, or the WebSocket close code sent (1009 for `bufferOverflow`, 3000 for broken framing). */
  readonly code: number;
  /** The refused request; absent when an open session was cut off. */
  readonly req: IncomingMessage | undefined;
  /** The session that was cut off, for `bufferOverflow` and broken WebSocket framing. */
  readonly connection: Connection | undefined;
}

export interface ForwardMessage {
  readonly prefix: string;
  readonly sessionId: string;
  /** `receive`: a receiving request (poll or stream); `send`: messages for the session. */
  readonly kind: 'receive' | 'send';
  /** The node that holds the session. */
  readonly owner: string;
  /** This node, which took the request. */
  readonly node: string;
}

// Module-level references: a channel nobody holds may be garbage-collected with its subscribers (Node 20).
const sessionOpen = diagnosticsChannel.channel(DiagnosticsChannel.SESSION_OPEN);
const sessionClose = diagnosticsChannel.channel(DiagnosticsChannel.SESSION_CLOSE);
const requestRefused = diagnosticsChannel.channel(DiagnosticsChannel.REQUEST_REFUSED);
const clusterForward = diagnosticsChannel.channel(DiagnosticsChannel.CLUSTER_FORWARD);

export function publishSession(opened: boolean, connection: Connection, prefix: string, transport: TransportName): void {
  const channel = opened ? sessionOpen : sessionClose;
  if (channel.hasSubscribers) channel.publish({ connection, prefix, transport } satisfies SessionMessage);
}

export function publishRefused(prefix: string, reason: RefusalReason, code: number, req?: IncomingMessage, connection?: Connection): void {
  if (requestRefused.hasSubscribers) requestRefused.publish({ prefix, reason, code, req, connection } satisfies RefusedMessage);
}

/** The hook the cluster calls for every request it passes to another node. */
export function publishForward(prefix: string, sessionId: string, kind: ForwardMessage['kind'], owner: string, node: string): void {
  if (clusterForward.hasSubscribers) clusterForward.publish({ prefix, sessionId, kind, owner, node } satisfies ForwardMessage);
}
