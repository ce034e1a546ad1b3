import type { RequestContext } from '../context.js';
import { publishForward } from '../diagnostics.js';
import { sendNotFound } from '../http-response.js';
import type { ClusterLink, Service } from '../service.js';
import { receiveHere, type Envelope, type ReceivingTransport } from '../transports/http-receiver.js';
import type { Cluster } from './cluster.js';
import { ForwardedReceive, type ForwardFailure } from './forwarded-receive.js';
import type { RelaySink } from './relay-sink.js';
import type { Fanout, ReceiveForward, ReceiveReply, SendForward, SendReply } from './wire.js';

/** What a cluster needs of one service on this node: its sessions, and a way in for the other nodes' requests. */
export interface ClusterMember extends Service {
  /** Serves a receiving request another node took, into `sink`; anything but 'ok' means nothing was attached. */
  serveRemote(forward: ReceiveForward, sink: RelaySink): 'ok' | 'missing' | 'refused';
  /** Delivers messages another node took; `answer(false)` when there is no such session here. */
  deliverRemote(forward: SendForward, answer: (accepted: boolean) => void): void;
  /** A broadcast, room or direct message published by another node. */
  deliverFanout(fanout: Fanout): void;
}

/** Where sessions recently found on other nodes are, so a busy session costs no look-up per request. */
const LOCATION_CACHE_SIZE = 10_000;

/**
 * One service's part of the cluster: it finds the session a request names
 * when this node does not hold it, passes the request on, and frees the
 * session's id when it ends.
 */
export class ServiceLink implements ClusterLink {
  readonly #locations = new Map<string, string>();

  constructor(
    private readonly cluster: Cluster,
    readonly member: ClusterMember,
  ) {}

  receive(ctx: RequestContext, transport: ReceivingTransport, envelope: Envelope, skipCache = false): void {
    const id = ctx.params.session!;
    const cached = skipCache ? undefined : this.#locations.get(id);
    if (cached !== undefined && !this.cluster.isGone(cached)) {
      // A stale entry (the session ended there) costs one more look-up, not the session.
      return this.#forwardReceive(cached, ctx, transport, envelope, () => this.receive(ctx, transport, envelope, true));
    }
    const key = this.#key(id);
    this.cluster.claim(key).then(
      (holder) => {
        if (ctx.res.destroyed) {
          if (holder === null) this.#releaseUnused(id);
          return;
        }
        if (holder === null || holder === this.cluster.nodeId) {
          receiveHere(this.member, ctx, transport, envelope, () => this.#releaseUnused(id));
        } else if (this.cluster.isGone(holder)) {
          // The id names a session that went with its node.
          new ForwardedReceive(this.member, ctx, transport, envelope, holder, noop, noop, noop).fail('node-lost');
        } else {
          this.#remember(id, holder);
          // The holder itself no longer has it: it is ending there, and this id is done.
          this.#forwardReceive(holder, ctx, transport, envelope, (forward) => forward.fail('node-lost'));
        }
      },
      () => {
        // Without the broker, nobody can say where the session is: go on as a single node would.
        receiveHere(this.member, ctx, transport, envelope);
      },
    );
  }

  send(ctx: RequestContext, messages: readonly string[], respond: () => void): void {
    const id = ctx.params.session!;
    const notFound = () => sendNotFound(ctx.res, ctx.headers);
    const cached = this.#locations.get(id);
    if (cached !== undefined && !this.cluster.isGone(cached)) return this.#forwardSend(cached, ctx, messages, respond);
    this.cluster.owner(this.#key(id)).then((holder) => {
      if (holder === null || holder === this.cluster.nodeId || this.cluster.isGone(holder)) return notFound();
      this.#remember(id, holder);
      this.#forwardSend(holder, ctx, messages, respond);
    }, notFound);
  }

  /** The session left this node's registry: its id is free again. */
  released(id: string): void {
    this.cluster.release(this.#key(id));
  }

  /** Publishes a message for every node's connections (or a room's, or one connection's). */
  fanout(fanout: Omit<Fanout, 'n'>): void {
    this.cluster.fanout(this.member.options.prefix, fanout);
  }

  #forwardReceive(
    owner: string,
    ctx: RequestContext,
    transport: ReceivingTransport,
    envelope: Envelope,
    onMissing: (forward: ForwardedReceive) => void,
  ): void {
    const id = ctx.params.session!;
    let request = 0;
    const forward: ForwardedReceive = new ForwardedReceive(
      this.member,
      ctx,
      transport,
      envelope,
      owner,
      () => this.cluster.untrack(request),
      () => {
        this.#locations.delete(id);
        onMissing(forward);
      },
      () => void this.cluster.sendTo(owner, { t: 'abort', r: request, from: this.cluster.nodeId }).catch(noop),
    );
    request = this.cluster.track({
      owner,
      sentAt: forward.sentAt,
      get awaitingPromptReply() {
        return !forward.answered;
      },
      fail: (reason: ForwardFailure) => forward.fail(reason),
      onReply: (reply) => reply.t === 'rx' && forward.onReply(reply as ReceiveReply),
    });
    publishForward(this.member.options.prefix, id, 'receive', owner, this.cluster.nodeId);
    const { req } = ctx;
    const socket = req.socket;
    const local = socket.address();
    const headers: Record<string, string> = {};
    for (const name of this.member.options.exposedHeaders) {
      const value = req.headers[name];
      if (value) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.cluster
      .sendTo(owner, {
        t: 'recv',
        r: request,
        from: this.cluster.nodeId,
        p: this.member.options.prefix,
        id,
        tr: transport.name,
        q: ctx.query,
        u: req.url ?? '',
        h: headers,
        peer: {
          remoteAddress: socket.remoteAddress,
          remotePort: socket.remotePort,
          localAddress: 'address' in local ? local.address : undefined,
          localPort: 'port' in local ? local.port : undefined,
          family: 'family' in local ? local.family : undefined,
        },
      })
      .catch(() => forward.fail('broker'));
  }

  #forwardSend(owner: string, ctx: RequestContext, messages: readonly string[], respond: () => void): void {
    const id = ctx.params.session!;
    const sentAt = Date.now();
    let settled = false;
    const settle = (accepted: boolean) => {
      if (settled) return;
      settled = true;
      this.cluster.untrack(request);
      if (accepted) return respond();
      this.#locations.delete(id);
      sendNotFound(ctx.res, ctx.headers);
    };
    const request = this.cluster.track({
      owner,
      sentAt,
      // A send may wait on the application's back-pressure for as long as it takes: only a gone owner fails it.
      awaitingPromptReply: false,
      // An owner that is gone cannot have kept the messages: to the client the session is gone too.
      fail: () => settle(false),
      onReply: (reply) => reply.t === 'ack' && settle((reply as SendReply).ok),
    });
    publishForward(this.member.options.prefix, id, 'send', owner, this.cluster.nodeId);
    const { remoteAddress } = ctx.req.socket;
    this.cluster
      .sendTo(owner, { t: 'send', r: request, from: this.cluster.nodeId, p: this.member.options.prefix, id, remoteAddress, m: messages })
      .catch(() => settle(false));
  }

  #remember(id: string, node: string): void {
    if (this.#locations.size >= LOCATION_CACHE_SIZE) this.#locations.delete(this.#locations.keys().next().value!);
    this.#locations.set(id, node);
  }

  /** Frees a claimed id no session was made for (refused, or the client left first). */
  #releaseUnused(id: string): void {
    if (this.member.sessions.lookupFrom(id, undefined) === undefined) this.released(id);
  }

  #key(id: string): string {
    return this.cluster.sessionKey(this.member.options.prefix, id);
  }
}

function noop(): void {}
