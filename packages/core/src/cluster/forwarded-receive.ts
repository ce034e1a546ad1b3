import type { RequestContext } from '../context.js';
import { sendNotFound } from '../http-response.js';
import type { Service } from '../service.js';
import { writeReceiverHead, type Envelope, type ReceivingTransport } from '../transports/http-receiver.js';
import type { ReceiveReply } from './wire.js';

/** Why a forward could not finish: its owner is gone, or the broker is. */
export type ForwardFailure = 'node-lost' | 'broker';

/** One request in flight to another node, as the entry node tracks it. */
export interface PendingForward {
  readonly owner: string;
  readonly sentAt: number;
  /** True while a reply is overdue once `nodeTimeout` has passed, even from a node that is alive (a dropped message). */
  readonly awaitingPromptReply: boolean;
  fail(reason: ForwardFailure): void;
}

/** The close frame a client gets when its session's node can no longer be reached. */
export const SESSION_LOST_FRAME = 'c[1011,"Session lost"]';

/**
 * The entry node's half of a receiving request served by the session's
 * owner: the status, headers and envelope are this node's (computed from the
 * same options and transport as on the owner); the frames, already wrapped
 * and counted against the response limit by the owner, are copied verbatim.
 */
export class ForwardedReceive {
  readonly sentAt = Date.now();
  answered = false;
  #expected = 0;
  #done = false;

  constructor(
    private readonly service: Service,
    private readonly ctx: RequestContext,
    private readonly transport: ReceivingTransport,
    private readonly envelope: Envelope,
    readonly owner: string,
    /** Called once this forward needs no more replies. */
    private readonly finished: () => void,
    /** The owner no longer has the session: look again, as for an unknown id. */
    private readonly relocate: () => void,
    private readonly abort: () => void,
  ) {
    ctx.res.on('close', this.#onClientClose);
  }

  onReply(reply: ReceiveReply): void {
    if (this.#done) return;
    if (reply.n !== this.#expected++) {
      // The broker dropped a reply (it is at-most-once): frames are missing, so the stream cannot go on.
      this.fail('broker');
      return;
    }
    const { res } = this.ctx;
    if (!this.answered) {
      this.answered = true;
      if (reply.s === 'missing') return this.#stop(this.relocate);
      if (reply.s === 'refused') return this.#stop(() => sendNotFound(res, this.ctx.headers));
      writeReceiverHead(this.service, this.ctx, this.transport, this.envelope);
    }
    const body = reply.c === undefined ? undefined : reply.c.length === 1 ? reply.c[0] : reply.c.join('');
    if (reply.e === 1) return this.#stop(() => res.end(body));
    if (reply.e === 2) return this.#stop(() => res.destroy());
    if (body !== undefined) res.write(body);
    else if (reply.n === 0) res.flushHeaders();
  }

  fail(_reason: ForwardFailure): void {
    if (this.#done) return;
    const { res } = this.ctx;
    this.#stop(() => {
      if (!this.answered) writeReceiverHead(this.service, this.ctx, this.transport, this.envelope);
      // What a closed session answers, so the client closes rather than polls a session that is gone.
      res.end(this.envelope.wrap(SESSION_LOST_FRAME));
    });
  }

  #stop(then: () => void): void {
    this.#done = true;
    this.ctx.res.off('close', this.#onClientClose);
    this.finished();
    then();
  }

  #onClientClose = (): void => {
    if (this.#done) return;
    this.#done = true;
    this.finished();
    this.abort();
  };
}
