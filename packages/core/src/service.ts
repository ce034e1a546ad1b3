import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ResolvedOptions } from './options.js';
import type { SessionRegistry } from './session-registry.js';

/**
 * What a transport needs of the service it runs in. Transports depend on
 * this, not on the endpoint that dispatches to them, so the dependency runs
 * one way: endpoint → transports → service/registry.
 */
export interface Service {
  readonly options: ResolvedOptions;
  readonly sessions: SessionRegistry;
  /** Completes a WebSocket handshake on an upgrade socket this service claimed. */
  acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, onOpen: (ws: WebSocket) => void): void;
}
