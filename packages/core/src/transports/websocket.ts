import type { IncomingMessage } from 'node:http';
import { CloseCode, CloseReason } from '../constants.js';
import type { Connection } from '../connection.js';
import type { RequestContext } from '../context.js';
import type { ServiceCounters } from '../counters.js';
import type { Service } from '../service.js';
import { frameBytesFromClient } from '../framing.js';
import { decodePayload } from '../payload.js';
import type { Receiver, Session } from '../session.js';
import { acceptHixie76 } from './hixie76.js';
import type { SocketOwner } from './owned-websocket.js';
import { NOT_A_WEBSOCKET, isHixie76, isWebSocketUpgrade, refuseBadRequest } from './upgrade-check.js';
import { admitWebSocket } from './websocket-admission.js';

/** The members of `ws`'s WebSocket the receiver uses; `Hixie76Socket` provides them too. */
export interface MessageSocket {
  /** Called once, by the receiver, which then gets every event of the socket. */
  adopt(owner: SocketOwner): void;
  readonly bufferedAmount: number;
  send(data: Buffer, options: typeof AS_TEXT, callback?: (error?: Error | null) => void): void;
  close(code?: number, reason?: string): void;
  pause(): void;
  resume(): void;
  terminate(): void;
  ping?(): void;
}

/**
 * Frames go to the socket as UTF-8 bytes sent as text. Handed a string, `ws`
 * measures it and Node then transcodes it inside a mixed string/buffer
 * writev; encoding it here (from Node's buffer pool when small) measured
 * 4% less server CPU per 32-byte echo.
 */
export const AS_TEXT = { binary: false } as const;

/**
 * The bytes of the frame encoded last. A fan-out hands every session the same
 * frame string (`singleMessageFrame`), so it is encoded once and the buffer
 * shared: `ws` neither copies nor changes the data of an unmasked frame.
 */
let lastFrame = '';
let lastFrameBytes: Buffer = Buffer.alloc(0);
function frameBytes(frame: string): Buffer {
  if (frame !== lastFrame) {
    lastFrame = frame;
    lastFrameBytes = frameBytesFromClient(frame) ?? Buffer.from(frame, 'utf8');
  }
  return lastFrameBytes;
}

function sendPing(this: WebSocketReceiver): void {
  this.socket.ping!();
}

/** `ws` refused a message: over `maxMessageSize` is a limit reached, invalid UTF-8 or framing a bad request. */
export function countSocketError(counters: ServiceCounters, error: Error, connection: Connection): void {
  const code = (error as Error & { code?: unknown }).code;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') counters.refuse('limit', CloseCode.MESSAGE_TOO_BIG, undefined, connection);
  else if (typeof code === 'string' && code.startsWith('WS_ERR_')) counters.refuse('badRequest', code === 'WS_ERR_INVALID_UTF8' ? 1007 : 1002, undefined, connection);
}

const enum ReceiverFlag {
  Ended = 1,
  UsePing = 2,
}

/**
 * Frames of one session as WebSocket text messages (PROTOCOL.md 5.1). It
 * lives as long as its session, so what it holds is counted: no private
 * methods (V8 gives each instance of a class that has them a brand field),
 * its limits read from the session's host, two flags in one field.
 */
class WebSocketReceiver implements Receiver, SocketOwner {
  #flags: number;
  /**
   * `ws`'s buffered amount as read after the last send (or drain). Bytes only
   * leave the buffer after that, so it never understates what is held: the
   * one read per frame serves the high-water mark, the congestion check and
   * `maxBufferedBytes`.
   */
  #held = 0;
  /** Made for sessions that ever pass the high-water mark; declared, so the others keep no slot for it. */
  declare private afterCongestedSend: (() => void) | undefined;

  constructor(
    readonly session: Session,
    readonly socket: MessageSocket,
    usePing: boolean,
  ) {
    this.#flags = usePing ? ReceiverFlag.UsePing : 0;
    socket.adopt(this);
  }

  /** On the prototype, not a field of every idle session. */
  get transport(): 'websocket' {
    return 'websocket';
  }

  get congested(): boolean {
    return this.#held > this.session.host.sendHighWaterMark;
  }

  /** Present only in effect when pings are on: hixie-76 has none, and `websocketHeartbeat: 'frame'` wants `h` frames. */
  get ping(): ((this: WebSocketReceiver) => void) | undefined {
    return (this.#flags & ReceiverFlag.UsePing) !== 0 ? sendPing : undefined;
  }

  destroy(): void {
    this.#flags |= ReceiverFlag.Ended;
    this.socket.terminate();
  }

  sendFrame(frame: string): number {
    const bytes = frameBytes(frame);
    const { host } = this.session;
    // Asked for exactly when this frame can leave more than the mark held, so `congested` is never true without a drain to come.
    const crossesHighWaterMark = this.#held + bytes.length > host.sendHighWaterMark;
    host.counters.bytesOut += bytes.length;
    this.socket.send(
      bytes,
      AS_TEXT,
      crossesHighWaterMark ? (this.afterCongestedSend ??= () => this.drained()) : undefined,
    );
    return (this.#held = this.socket.bufferedAmount);
  }

  /** The session closed: its close frame went out, now close the socket with 1000 and end the session at once. */
  end(): void {
    if ((this.#flags & ReceiverFlag.Ended) !== 0) return;
    this.#flags |= ReceiverFlag.Ended;
    this.socket.close(CloseCode.NORMAL, CloseReason.NORMAL);
    this.session.detach(this, false);
  }

  pauseInbound(): void {
    this.socket.pause();
  }

  resumeInbound(): void {
    this.socket.resume();
  }

  private drained(): void {
    this.#held = this.socket.bufferedAmount;
    if (!this.congested) this.session.receiverDrained();
  }

  onSocketMessage(data: Buffer): void {
    this.session.host.counters.bytesIn += data.length;
    const text = data.toString('utf8');
    if (text === '') return;
    const decoded = decodePayload(text, true, data);
    if ('error' in decoded) this.brokenFraming();
    else this.session.deliver(decoded.messages);
  }

  onSocketClose(): void {
    this.session.detach(this, false);
  }

  onSocketPong(): void {
    this.session.pong();
  }

  onSocketError(error: Error): void {
    countSocketError(this.session.host.counters, error, this.session.connection);
  }

  /** Unparsable or non-string payload: close 3000 without a `c` frame, session gone. */
  private brokenFraming(): void {
    this.session.host.counters.refuse('badRequest', CloseCode.GO_AWAY, undefined, this.session.connection);
    this.#flags |= ReceiverFlag.Ended;
    this.socket.close(CloseCode.GO_AWAY, CloseReason.BROKEN_FRAMING);
    this.session.detach(this, false);
  }
}

function openSession(service: Service, req: IncomingMessage, socket: MessageSocket, usePing: boolean, data: unknown): void {
  const { options } = service;
  const session = service.sessions.createWebSocketSession();
  session.connection.keepAuthorizedData(data);
  const receiver = new WebSocketReceiver(session, socket, usePing);
  session.attach(receiver, () => session.connection.refresh(req, 'websocket', options.exposedHeaders));
}

/** `GET /S/X/websocket`: SockJS framing over a WebSocket; the session id in the URL is not used. */
export function webSocket(service: Service, ctx: RequestContext): void {
  const { req } = ctx;
  if (!ctx.upgrade || !isWebSocketUpgrade(req)) {
    refuseBadRequest(service, ctx, NOT_A_WEBSOCKET);
    return;
  }
  const { socket, head } = ctx.upgrade;
  const { options } = service;
  admitWebSocket(service, ctx, 'websocket', (data) => {
    if (options.hixie76 && isHixie76(req)) {
      const accepted = acceptHixie76(req, socket, head, options.maxMessageSize, (hixie) =>
        openSession(service, req, hixie, false, data),
      );
      if (!accepted) refuseBadRequest(service, ctx, 'Invalid Sec-WebSocket-Key1 or Sec-WebSocket-Key2');
      return;
    }
    service.acceptWebSocket(req, socket, head, (ws) =>
      openSession(service, req, ws, options.websocketHeartbeat === 'ping', data),
    );
  });
}
