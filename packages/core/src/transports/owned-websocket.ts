import { WebSocket } from 'ws';
import { dropEmptyListenerTable } from '../listener-table.js';

/** The one object that handles a socket's events: a SockJS session's receiver, or a raw WebSocket connection. */
export interface SocketOwner {
  onSocketMessage(data: Buffer): void;
  onSocketClose(): void;
  onSocketPong(): void;
  /** Errors (bad UTF-8, oversized message) are followed by `close`. */
  onSocketError(error: Error): void;
}

/**
 * `ws`'s WebSocket, given to `WebSocketServer` as its class, whose events go
 * straight to its owner instead of through listeners: nothing else ever
 * listens, and four listeners would make a table that lives as long as the
 * session. `ws` emits nothing before the handshake callback, where the owner
 * is set; a socket without one emits as any EventEmitter would.
 */
export class OwnedWebSocket extends WebSocket {
  private owner: SocketOwner | null = null;

  /** Called once, when the handshake completed; from then on every event goes to `owner`. */
  adopt(owner: SocketOwner): void {
    // Nobody listens, and EventEmitter's own empty table is a dictionary: 216 bytes per session.
    dropEmptyListenerTable(this);
    this.owner = owner;
  }

  // `ws` passes at most two arguments to any event.
  override emit(event: string | symbol, first?: unknown, second?: unknown): boolean {
    const owner = this.owner;
    if (owner === null) return super.emit(event, first, second);
    switch (event) {
      case 'message':
        owner.onSocketMessage(first as Buffer);
        return true;
      case 'close':
        owner.onSocketClose();
        return true;
      case 'pong':
        owner.onSocketPong();
        return true;
      case 'error':
        owner.onSocketError(first as Error);
        return true;
      default:
        return false;
    }
  }
}
