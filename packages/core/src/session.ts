import { CloseCode, CloseReason, ReadyState, type TransportName } from './constants.js';
import type { Connection, ConnectionScope, ConnectionTarget } from './connection.js';
import type { ServiceCounters } from './counters.js';
import { deadlineClock, deadlineList, type DeadlineList, type DeadlineMember } from './deadline-list.js';
import { HEARTBEAT_FRAME, OPEN_FRAME, arrayFrameFromQuoted, closeFrame, quoteMessage, singleMessageFrame } from './framing.js';

/**
 * One way of carrying frames to the client: an HTTP response or a WebSocket.
 * A receiver calls `session.detach(this, …)` exactly once when it stops.
 */
export interface Receiver {
  readonly transport: TransportName;
  /**
   * Writes one frame and returns the bytes the transport still holds, this
   * frame included, that have not reached the client's socket yet (what
   * `maxBufferedBytes` limits). Polling and size-limited receivers may detach
   * while doing so.
   */
  sendFrame(frame: string): number;
  /** Ends the receiver normally (after a close or 2010 frame). */
  end(): void;
  /** Present on receivers that answer heartbeats with a protocol ping instead of an `h` frame. */
  ping?(): void;
  /** True while the transport holds more outbound bytes than the high-water mark. */
  readonly congested: boolean;
  /** Tears the transport down without waiting for the client (outbound overflow). */
  destroy(): void;
  pauseInbound?(): void;
  resumeInbound?(): void;
}

/** What a session needs from the service that owns it. */
export interface SessionHost extends ConnectionScope {
  readonly heartbeatDelay: number;
  readonly disconnectDelay: number;
  readonly pongTimeout: number;
  readonly sendHighWaterMark: number;
  readonly maxBufferedBytes: number;
  readonly counters: ServiceCounters;
  /** Emits the server's `connection` event. */
  announce(connection: Connection): void;
  /** The session reached CLOSED: forget it. */
  forget(session: Session): void;
}

const ANOTHER_CONNECTION_FRAME = closeFrame(CloseCode.ANOTHER_CONNECTION, CloseReason.ANOTHER_CONNECTION);
const NORMAL_CLOSE_FRAME = closeFrame(CloseCode.NORMAL, CloseReason.NORMAL);

/** Shared empty outbox: most sessions never queue a message, so they never allocate one. Never pushed to. */
const NO_MESSAGES: string[] = [];

const enum TimerKind {
  None,
  Disconnect,
  Heartbeat,
  PongDeadline,
}

/**
 * The ready state, the timer kind and whether a writer waits for `drain`,
 * packed in one small integer: an idle session keeps one field where three
 * cost 24 bytes.
 */
const enum Bits {
  ReadyState = 0b11,
  TimerShift = 2,
  Timer = 0b11 << TimerShift,
  DrainWanted = 1 << 4,
}

/**
 * A SockJS session (PROTOCOL.md 4): the state machine, the send buffer and
 * one deadline that is, at any moment, the disconnect timer, the heartbeat
 * timer or a pong deadline — never two at once. The deadline is a place in a
 * shared DeadlineList, not a Timeout of its own.
 */
export class Session implements ConnectionTarget, DeadlineMember {
  #bits: number = ReadyState.CONNECTING;
  readonly connection: Connection;
  #receiver: Receiver | null = null;
  /** Messages already JSON-quoted, waiting for a receiver. */
  #outbox: string[] = NO_MESSAGES;
  #outboxBytes = 0;
  // The next two are declared, not initialized: an open session has neither,
  // and a field joins an instance only when first set (a slot less per idle session).
  /** The `c` frame, from close() or terminate() on. */
  declare private closeFrameText: string | undefined;
  /** Answers to xhr_send/jsonp_send held back while the application is not reading (inbound back-pressure over HTTP). */
  declare private heldSenders: Array<() => void> | undefined;
  deadlineList: DeadlineList | null = null;
  deadlinePrev: DeadlineMember | null = null;
  deadlineNext: DeadlineMember | null = null;
  dueAt = 0;

  constructor(
    readonly id: string | null,
    readonly host: SessionHost,
    createConnection: (target: ConnectionTarget) => Connection,
  ) {
    this.connection = createConnection(this);
  }

  get readyState(): ReadyState {
    return (this.#bits & Bits.ReadyState) as ReadyState;
  }

  get scope(): ConnectionScope {
    return this.host;
  }

  private set readyState(state: ReadyState) {
    this.#bits = (this.#bits & ~Bits.ReadyState) | state;
  }

  private get timerKind(): TimerKind {
    return (this.#bits & Bits.Timer) >> Bits.TimerShift;
  }

  private set timerKind(kind: TimerKind) {
    this.#bits = (this.#bits & ~Bits.Timer) | (kind << Bits.TimerShift);
  }

  private get drainWanted(): boolean {
    return (this.#bits & Bits.DrainWanted) !== 0;
  }

  private set drainWanted(wanted: boolean) {
    this.#bits = wanted ? this.#bits | Bits.DrainWanted : this.#bits & ~Bits.DrainWanted;
  }

  get hasReceiver(): boolean {
    return this.#receiver !== null;
  }

  /** A receiving request or WebSocket arrives (4.3). */
  attach(receiver: Receiver, refresh: () => void): void {
    if (this.#receiver !== null) {
      receiver.sendFrame(ANOTHER_CONNECTION_FRAME);
      receiver.end();
      return;
    }
    if (this.readyState === ReadyState.CLOSING) {
      // The disconnect timer keeps running: serving the close frame again must not extend the session's life.
      this.flushTo(receiver);
      receiver.sendFrame(this.closeFrameText!);
      receiver.end();
      return;
    }
    if (this.readyState === ReadyState.CLOSED) {
      receiver.sendFrame(this.closeFrameText!);
      receiver.end();
      return;
    }
    this.clearTimer();
    this.#receiver = receiver;
    refresh();
    if (this.readyState === ReadyState.CONNECTING) {
      this.readyState = ReadyState.OPEN;
      receiver.sendFrame(OPEN_FRAME);
      process.nextTick(announceOpen, this);
    }
    if (this.#receiver !== receiver) return;
    this.flushTo(receiver);
    if (this.#receiver === receiver) this.arm(TimerKind.Heartbeat, this.host.heartbeatDelay);
  }

  /**
   * The receiver stopped. `keepSession` is true for a normal end (the session
   * waits `disconnectDelay` for the next receiver) and false for an abort or a
   * closed WebSocket (the session ends now, 4.6).
   */
  detach(receiver: Receiver, keepSession: boolean): void {
    if (this.#receiver !== receiver) return;
    this.#receiver = null;
    if (!keepSession) {
      this.terminate();
      return;
    }
    if (this.timerKind !== TimerKind.Disconnect) this.arm(TimerKind.Disconnect, this.host.disconnectDelay);
  }

  /** Application → client (4.4). Returns false while the outbound queue is above the high-water mark. */
  send(message: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.host.counters.messagesOut++;
    const receiver = this.#receiver;
    let held = 0;
    if (receiver !== null && this.#outbox.length === 0) {
      held = receiver.sendFrame(singleMessageFrame(message));
    } else {
      const quoted = quoteMessage(message);
      // Sized for the one message a poll usually finds: an empty array's first push reserves 16 slots.
      if (this.#outbox === NO_MESSAGES) this.#outbox = [quoted];
      else this.#outbox.push(quoted);
      this.#outboxBytes += quoted.length;
      if (receiver !== null) held = this.flushTo(receiver);
    }
    // A polling receiver ends with its frame: what its response still holds is no longer this session's.
    const attached = this.#receiver;
    if (attached === null) held = 0;
    if (this.#outboxBytes + held > this.host.maxBufferedBytes) {
      this.overflow();
      return false;
    }
    const congested = this.#outboxBytes > this.host.sendHighWaterMark || (attached?.congested ?? false);
    if (congested) this.drainWanted = true;
    return !congested;
  }

  /**
   * Client → application (4.9). Messages are dropped unless the session is
   * open. Returns false when the application is not keeping up (messages are
   * waiting for it): a WebSocket receiver is paused here, and an HTTP sender
   * should be answered only through `holdSender`.
   */
  deliver(messages: readonly string[]): boolean {
    if (this.readyState !== ReadyState.OPEN) return true;
    this.host.counters.messagesIn += messages.length;
    let keepingUp = true;
    for (const message of messages) if (!this.connection.deliver(message)) keepingUp = false;
    if (!keepingUp) this.#receiver?.pauseInbound?.();
    return keepingUp;
  }

  /**
   * Runs `answer` once the application reads again, or the session ends. An
   * xhr_send held this way is HTTP's back-pressure: sockjs-client sends one
   * request at a time and keeps later messages until it is answered.
   */
  holdSender(answer: () => void): void {
    (this.heldSenders ??= []).push(answer);
  }

  pauseInbound(): void {
    this.#receiver?.pauseInbound?.();
  }

  resumeInbound(): void {
    this.#receiver?.resumeInbound?.();
    this.releaseSenders();
  }

  private releaseSenders(): void {
    const held = this.heldSenders;
    if (held === undefined) return;
    this.heldSenders = undefined;
    for (const answer of held) answer();
  }

  /** The transport under the receiver drained: tell writers waiting for `drain`. */
  receiverDrained(): void {
    if (this.drainWanted && this.#outboxBytes <= this.host.sendHighWaterMark) {
      this.drainWanted = false;
      this.connection.emit('drain');
    }
  }

  pong(): void {
    if (this.timerKind === TimerKind.PongDeadline) this.arm(TimerKind.Heartbeat, this.host.heartbeatDelay);
  }

  /** Application close (4.7). */
  close(code: number, reason: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    this.closeFrameText = closeFrame(code, reason);
    const receiver = this.#receiver;
    if (receiver !== null) {
      receiver.sendFrame(this.closeFrameText!);
      receiver.end();
    } else if (this.timerKind !== TimerKind.Disconnect) {
      this.arm(TimerKind.Disconnect, this.host.disconnectDelay);
    }
    return true;
  }

  /** True while something is due: a disconnect, a heartbeat or a pong deadline. */
  get hasTimer(): boolean {
    return this.timerKind !== TimerKind.None;
  }

  /**
   * The client does not keep up: drop what is queued and close with 1009. An
   * attached transport is torn down (it is the thing not draining); a polling
   * session keeps its close frame for the next poll, as any closed session does.
   */
  private overflow(): void {
    const receiver = this.#receiver;
    this.#outbox = NO_MESSAGES;
    this.#outboxBytes = 0;
    this.close(CloseCode.MESSAGE_TOO_BIG, CloseReason.SEND_BUFFER_OVERFLOW);
    this.host.counters.refuse('bufferOverflow', CloseCode.MESSAGE_TOO_BIG, undefined, this.connection);
    if (receiver === null) return;
    receiver.destroy();
    this.terminate();
  }

  /** Ends the session now (4.8): CLOSED, no timer, out of the registry, `close` on the connection. */
  terminate(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    const wasAnnounced = this.readyState !== ReadyState.CONNECTING;
    this.readyState = ReadyState.CLOSED;
    this.closeFrameText ??= NORMAL_CLOSE_FRAME;
    this.clearTimer();
    const receiver = this.#receiver;
    this.#receiver = null;
    this.#outbox = NO_MESSAGES;
    this.#outboxBytes = 0;
    receiver?.end();
    this.releaseSenders();
    this.host.forget(this);
    if (wasAnnounced) this.connection.targetClosed();
  }

  /** Sends what is queued as one frame; returns what `sendFrame` returned (0 if nothing was queued). */
  private flushTo(receiver: Receiver): number {
    if (this.#outbox.length === 0) return 0;
    const frame = arrayFrameFromQuoted(this.#outbox);
    this.#outbox = NO_MESSAGES;
    this.#outboxBytes = 0;
    const held = receiver.sendFrame(frame);
    if (!receiver.congested) this.receiverDrained();
    return held;
  }

  /** Makes `kind` the session's one deadline, `delay` ms from now. A poll cycle costs two list relinks, no timer call. */
  private arm(kind: TimerKind, delay: number): void {
    this.timerKind = kind;
    deadlineList(delay).add(this, deadlineClock());
  }

  /** Nothing is due any more (a receiver attached, or the session closed). */
  private clearTimer(): void {
    this.timerKind = TimerKind.None;
    this.deadlineList?.remove(this);
  }

  /** The deadline is reached; it has already left its list. Never throws into the list. */
  onDeadline(): void {
    const kind = this.timerKind;
    this.timerKind = TimerKind.None;
    switch (kind) {
      case TimerKind.Disconnect:
        this.terminate();
        break;
      case TimerKind.Heartbeat: {
        const receiver = this.#receiver;
        if (receiver === null) break;
        if (receiver.ping) {
          receiver.ping();
          if (this.#receiver === receiver) this.arm(TimerKind.PongDeadline, this.host.pongTimeout);
        } else {
          receiver.sendFrame(HEARTBEAT_FRAME);
          if (this.#receiver === receiver) this.arm(TimerKind.Heartbeat, this.host.heartbeatDelay);
        }
        break;
      }
      case TimerKind.PongDeadline:
        if (!this.close(CloseCode.GO_AWAY, CloseReason.NO_HEARTBEAT_RESPONSE)) this.terminate();
        break;
    }
  }
}

function announceOpen(session: Session): void {
  if (session.readyState !== ReadyState.CLOSED) session.host.announce(session.connection);
}
