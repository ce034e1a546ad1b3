import { EventEmitter } from 'node:events';
import type { ResponseSink } from '../transports/http-receiver.js';
import type { ReceiveReply } from './wire.js';

/**
 * The owner's stand-in for the response of a receiving request that reached
 * another node. The session's receiver writes frames into it exactly as into
 * a local response (so the response limit, heartbeats and polling ends are
 * decided here, where the session is); what one tick writes leaves as one
 * reply message, in order, and the entry node copies it to the client.
 */
export class RelaySink extends EventEmitter implements ResponseSink {
  readonly writableLength = 0;
  #sequence = 0;
  #pending: string[] = [];
  #ending: ReceiveReply['e'];
  #flushScheduled = false;
  #done = false;

  constructor(
    readonly request: number,
    readonly entry: string,
    private readonly publish: (reply: ReceiveReply) => Promise<void>,
    private readonly finished: (sink: RelaySink) => void,
  ) {
    super();
  }

  /** Sends the outcome at once: a poll that waits must get its headers now. */
  open(): void {
    this.#schedule();
  }

  write(chunk: string): boolean {
    if (!this.#done) {
      this.#pending.push(chunk);
      this.#schedule();
    }
    return true;
  }

  end(chunk?: string): void {
    if (this.#done) return;
    if (chunk !== undefined) this.#pending.push(chunk);
    this.#finish(1);
  }

  destroy(): void {
    if (!this.#done) this.#finish(2);
  }

  /** The client went away (or its node, or the broker): to the receiver this is the local response closing. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.#pending = [];
    this.finished(this);
    this.emit('close');
  }

  #finish(ending: 1 | 2): void {
    this.#done = true;
    this.#ending = ending;
    this.finished(this);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(flushSink, this);
  }

  flush(): void {
    this.#flushScheduled = false;
    const n = this.#sequence++;
    const reply: { t: 'rx'; r: number; n: number; s?: 'ok'; c?: string[]; e?: 1 | 2 } = { t: 'rx', r: this.request, n };
    if (n === 0) reply.s = 'ok';
    if (this.#pending.length > 0) {
      reply.c = this.#pending;
      this.#pending = [];
    }
    if (this.#ending !== undefined) reply.e = this.#ending;
    this.publish(reply).catch(() => {
      // The entry will never see the rest: for the session this response is gone, as if the client had aborted.
      if (this.#ending === undefined) this.abort();
    });
  }
}

function flushSink(sink: RelaySink): void {
  sink.flush();
}
