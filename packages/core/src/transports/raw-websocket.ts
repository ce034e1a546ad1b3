import type { IncomingMessage } from 'node:http';
import { CloseCode, CloseReason, ReadyState } from '../constants.js';
import { Connection, type ConnectionScope, type ConnectionTarget } from '../connection.js';
import type { RequestContext } from '../context.js';
import type { Service } from '../service.js';
import type { OwnedWebSocket, SocketOwner } from './owned-websocket.js';
import { NOT_A_WEBSOCKET, isWebSocketUpgrade, refuseBadRequest } from './upgrade-check.js';
import { AS_TEXT, countSocketError } from './websocket.js';
import { admitWebSocket } from './websocket-admission.js';

/** A plain WebSocket for non-SockJS clients: no framing, no session, no heartbeat (PROTOCOL.md 5.2). */
class RawWebSocketConnection implements ConnectionTarget, SocketOwner {
  readyState: ReadyState = ReadyState.OPEN;
  readonly connection: Connection;
  #drainWanted = false;
  /** Made for connections that ever pass the high-water mark; declared, so the others keep no slot for it. */
  declare private afterCongestedSend: (() => void) | undefined;

  constructor(
    private readonly service: Service,
    req: IncomingMessage,
    private readonly ws: OwnedWebSocket,
  ) {
    const { options } = service;
    this.connection = new Connection(this, 'websocket-raw');
    this.connection.refresh(req, 'websocket-raw', options.exposedHeaders);
    ws.adopt(this);
  }

  get scope(): ConnectionScope {
    return this.service.sessions;
  }

  onSocketMessage(data: Buffer): void {
    const { counters } = this.service.sessions;
    counters.bytesIn += data.length;
    if (this.readyState !== ReadyState.OPEN) return;
    counters.messagesIn++;
    if (!this.connection.deliver(data.toString('utf8'))) this.ws.pause();
  }

  onSocketClose(): void {
    this.closed();
  }

  /** Raw WebSockets have no heartbeat of ours: `ws` answers the client's pings. */
  onSocketPong(): void {}

  onSocketError(error: Error): void {
    countSocketError(this.service.sessions.counters, error, this.connection);
  }

  send(message: string): boolean {
    const { sendHighWaterMark, maxBufferedBytes } = this.service.options;
    const over = this.ws.bufferedAmount + message.length > sendHighWaterMark;
    if (over) this.#drainWanted = true;
    const bytes = Buffer.from(message, 'utf8');
    const { counters } = this.service.sessions;
    counters.messagesOut++;
    counters.bytesOut += bytes.length;
    this.ws.send(bytes, AS_TEXT, over ? (this.afterCongestedSend ??= () => this.drained()) : undefined);
    if (this.ws.bufferedAmount > maxBufferedBytes) {
      // Same policy as SockJS sessions: a client that stops reading is cut off, not buffered for without bound.
      this.close(CloseCode.MESSAGE_TOO_BIG, CloseReason.SEND_BUFFER_OVERFLOW);
      counters.refuse('bufferOverflow', CloseCode.MESSAGE_TOO_BIG, undefined, this.connection);
      this.terminate();
      return false;
    }
    return !over;
  }

  close(code: number, reason: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    try {
      this.ws.close(code, reason);
    } catch {
      // `ws` refuses codes a WebSocket may not carry (e.g. 2010) and reasons over 123 bytes.
      this.ws.close(CloseCode.NORMAL, CloseReason.NORMAL);
    }
    return true;
  }

  terminate(): void {
    this.ws.terminate();
    this.closed();
  }

  pauseInbound(): void {
    this.ws.pause();
  }

  resumeInbound(): void {
    this.ws.resume();
  }

  private drained(): void {
    if (this.#drainWanted && this.ws.bufferedAmount <= this.service.options.sendHighWaterMark) {
      this.#drainWanted = false;
      this.connection.emit('drain');
    }
  }

  private closed(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.readyState = ReadyState.CLOSED;
    this.service.sessions.forget(this);
    this.connection.targetClosed();
  }
}

/** `GET /websocket`. */
export function rawWebSocket(service: Service, ctx: RequestContext): void {
  const { req } = ctx;
  if (!ctx.upgrade || !isWebSocketUpgrade(req)) {
    refuseBadRequest(service, ctx, NOT_A_WEBSOCKET);
    return;
  }
  const version = req.headers['sec-websocket-version'];
  if (version !== '8' && version !== '13') {
    refuseBadRequest(service, ctx, 'Only supported WebSocket protocol is RFC 6455.');
    return;
  }
  const { socket, head } = ctx.upgrade;
  admitWebSocket(service, ctx, 'websocket-raw', (data) =>
    service.acceptWebSocket(req, socket, head, (ws) => {
      const raw = new RawWebSocketConnection(service, req, ws);
      raw.connection.keepAuthorizedData(data);
      service.sessions.track(raw);
      service.sessions.announce(raw.connection);
    }),
  );
}
