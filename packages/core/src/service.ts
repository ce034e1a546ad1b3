import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestContext } from './context.js';
import type { ResolvedOptions } from './options.js';
import type { SessionRegistry } from './session-registry.js';
import type { Envelope, ReceivingTransport } from './transports/http-receiver.js';
import type { OwnedWebSocket } from './transports/owned-websocket.js';

/**
 * Where a service turns when a request names a session id it does not hold:
 * in a cluster it may be another node's. Absent on a single node, which then
 * pays nothing for the possibility.
 */
export interface ClusterLink {
  /** A receiving request for an id not held here: served here as new, or by the owner through this node. */
  receive(ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope): void;
  /** Decoded messages for an id not held here: delivered by the owner, then answered with `respond`, or 404. */
  send(ctx: RequestContext, messages: readonly string[], respond: () => void): void;
}

/**
 * What a transport needs of the service it runs in. Transports depend on
 * this, not on the endpoint that dispatches to them, so the dependency runs
 * one way: endpoint → transports → service/registry.
 */
export interface Service {
  readonly options: ResolvedOptions;
  readonly sessions: SessionRegistry;
  readonly cluster: ClusterLink | undefined;
  /** Completes a WebSocket handshake on an upgrade socket this service claimed. */
  acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, onOpen: (ws: OwnedWebSocket) => void): void;
  /** Answers a request whose handler threw after its route returned (from an event of the request): logged, then 500, or the socket destroyed once headers went out. */
  failRequest(ctx: RequestContext, error: unknown): void;
}
