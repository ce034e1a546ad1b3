import { randomUUID } from 'node:crypto';
import { NO_LOG, type LogSeverity } from '../options.js';
import type { Broker } from './broker.js';
import type { PendingForward } from './forwarded-receive.js';
import { RelaySink } from './relay-sink.js';
import { ServiceLink, type ClusterMember } from './service-link.js';
import { channels, parseMessage, type Fanout, type NodeMessage, type Presence, type ReceiveReply, type SendReply } from './wire.js';

export interface ClusterOptions {
  /** The shared store: `@sockjs-server/redis`, or a `MemoryBroker` in one process. The cluster closes it on `close()`. */
  readonly broker: Broker;
  /** Prefix of every channel and key, so several clusters can share one Redis. @default 'sockjs' */
  readonly namespace?: string;
  /** This node's name in the cluster; must be unique. @default a random UUID */
  readonly nodeId?: string;
  /** How often this node tells the others it is alive, in ms. @default 1000 */
  readonly heartbeatInterval?: number;
  /** A node not heard from for this long, in ms, is gone: its sessions are lost. @default 3000 */
  readonly nodeTimeout?: number;
  readonly log?: (severity: LogSeverity, message: string) => void;
}

/** Counts of the work a node did for, and with, the others; they only grow. */
export interface ClusterCounters {
  /** Requests this node passed to the session's owner. */
  forwardedRequests: number;
  /** Reply messages this node, as an owner, sent to entry nodes. */
  relayedReplies: number;
  /** Messages published to the other nodes by broadcast, room or direct sends. */
  fanouts: number;
  /** Broker commands or publishes that failed, and outages. */
  brokerErrors: number;
}

export interface ClusterStats extends Readonly<ClusterCounters> {
  readonly nodeId: string;
  /** Other nodes heard from within `nodeTimeout`. */
  readonly peers: number;
  readonly brokerAvailable: boolean;
}

interface PendingReply extends PendingForward {
  onReply(reply: ReceiveReply | SendReply): void;
}

/**
 * This process as one node of a SockJS cluster. Every service created with
 * `{ cluster }` joins it; they share one node identity, one heartbeat and one
 * inbound channel. HTTP sessions stay on the node that created them: a
 * request that reaches another node is passed to the owner, which serves it
 * through its ordinary session code while the entry node copies the frames
 * to the client. Broadcasts are published once and delivered by every node
 * to its own connections. See docs/design/scale-out.md.
 */
export class Cluster {
  readonly nodeId: string;
  readonly namespace: string;
  readonly counters: ClusterCounters = { forwardedRequests: 0, relayedReplies: 0, fanouts: 0, brokerErrors: 0 };
  readonly #broker: Broker;
  readonly #heartbeatInterval: number;
  readonly #nodeTimeout: number;
  readonly #log: (severity: LogSeverity, message: string) => void;
  readonly #links = new Map<string, ServiceLink>();
  /** Other nodes, by when they were last heard from. */
  readonly #lastSeen = new Map<string, number>();
  /** Nodes found gone, kept for a while so a stale key naming one is not trusted. */
  readonly #gone = new Map<string, number>();
  readonly #forwards = new Map<number, PendingReply>();
  readonly #relays = new Map<string, RelaySink>();
  /** Services whose broadcast channel this node listens on (the broker keeps them through outages). */
  readonly #listening = new Set<string>();
  readonly #ready: Promise<void>;
  #subscribedNow: () => void = () => {};
  #lastTick = Date.now();
  #nextRequest = 1;
  #subscribed = false;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ClusterOptions) {
    this.#broker = options.broker;
    this.namespace = options.namespace ?? 'sockjs';
    this.nodeId = options.nodeId ?? randomUUID();
    this.#heartbeatInterval = options.heartbeatInterval ?? 1000;
    this.#nodeTimeout = options.nodeTimeout ?? 3000;
    this.#log = options.log ?? NO_LOG;
    this.#broker.onAvailabilityChange((available) => (available ? this.#brokerBack() : this.#brokerLost()));
    this.#ready = new Promise((resolve) => (this.#subscribedNow = resolve));
    // A broker still connecting reports `available` when it is up; subscribing waits for that.
    if (this.#broker.available) void this.#subscribe();
    this.#timer = setInterval(() => this.#tick(), this.#heartbeatInterval);
    this.#timer.unref();
  }

  /** Resolves once this node listens on the broker: await it before serving, or the first requests are served as on a single node. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get stats(): ClusterStats {
    let peers = 0;
    const now = Date.now();
    for (const seen of this.#lastSeen.values()) if (now - seen <= this.#nodeTimeout) peers++;
    return { ...this.counters, nodeId: this.nodeId, peers, brokerAvailable: this.#broker.available };
  }

  /** @internal Joins a service to the cluster; called by the service itself. */
  link(member: ClusterMember): ServiceLink {
    const prefix = member.options.prefix;
    if (this.#links.has(prefix)) throw new Error(`a service at ${JSON.stringify(prefix)} already joined this cluster`);
    const link = new ServiceLink(this, member);
    this.#links.set(prefix, link);
    if (this.#broker.available) this.#subscribeService(prefix, link);
    return link;
  }

  /** @internal */
  unlink(member: ClusterMember): void {
    const prefix = member.options.prefix;
    if (this.#links.get(prefix)?.member !== member) return;
    this.#links.delete(prefix);
    this.#listening.delete(prefix);
    this.#broker.unsubscribe(channels.service(this.namespace, prefix)).catch(() => {});
  }

  // --- used by the service links --------------------------------------

  /** @internal */
  sessionKey(prefix: string, id: string): string {
    return channels.sessionKey(this.namespace, prefix, id);
  }

  /** @internal Claims `key` for this node; resolves to the node that holds it (this one when null). */
  claim(key: string): Promise<string | null> {
    return this.#counted(this.#broker.claim(key, this.nodeId));
  }

  /** @internal */
  owner(key: string): Promise<string | null> {
    return this.#counted(this.#broker.owner(key));
  }

  /** @internal */
  release(key: string): void {
    this.#counted(this.#broker.release(key, this.nodeId)).catch(() => {});
  }

  /** @internal False for a node known to be gone: a key naming it is stale. */
  isGone(node: string): boolean {
    return this.#gone.has(node);
  }

  /** @internal Registers a forward and returns its request number. */
  track(forward: PendingReply): number {
    const request = this.#nextRequest++;
    this.#forwards.set(request, forward);
    this.counters.forwardedRequests++;
    return request;
  }

  /** @internal */
  untrack(request: number): void {
    this.#forwards.delete(request);
  }

  /** @internal */
  sendTo(node: string, message: NodeMessage): Promise<void> {
    return this.#counted(this.#broker.publish(channels.node(this.namespace, node), JSON.stringify(message)));
  }

  /** @internal */
  fanout(prefix: string, fanout: Omit<Fanout, 'n'>): void {
    this.counters.fanouts++;
    const message = JSON.stringify({ n: this.nodeId, ...fanout });
    this.#counted(this.#broker.publish(channels.service(this.namespace, prefix), message)).catch((error: unknown) => {
      this.#log('error', `cluster: a broadcast did not reach the other nodes: ${String(error)}`);
    });
  }

  // --- inbound --------------------------------------------------------

  #onNodeMessage = (text: string): void => {
    const message = parseMessage<NodeMessage>(text);
    if (message === undefined) return;
    switch (message.t) {
      case 'rx':
      case 'ack':
        this.#forwards.get(message.r)?.onReply(message);
        break;
      case 'recv': {
        const link = this.#links.get(message.p);
        const sink = new RelaySink(
          message.r,
          message.from,
          (reply) => {
            this.counters.relayedReplies++;
            return this.sendTo(message.from, reply);
          },
          (done) => this.#relays.delete(relayKey(done.entry, done.request)),
        );
        this.#relays.set(relayKey(message.from, message.r), sink);
        const outcome = link ? link.member.serveRemote(message, sink) : 'missing';
        if (outcome !== 'ok') {
          this.#relays.delete(relayKey(message.from, message.r));
          this.sendTo(message.from, { t: 'rx', r: message.r, n: 0, s: outcome }).catch(() => {});
        }
        break;
      }
      case 'send': {
        const answer = (ok: boolean) => void this.sendTo(message.from, { t: 'ack', r: message.r, ok }).catch(() => {});
        const link = this.#links.get(message.p);
        if (link) link.member.deliverRemote(message, answer);
        else answer(false);
        break;
      }
      case 'abort':
        this.#relays.get(relayKey(message.from, message.r))?.abort();
        break;
    }
  };

  #onPresence = (text: string): void => {
    const presence = parseMessage<Presence>(text);
    if (presence === undefined || presence.n === this.nodeId) return;
    if (presence.t === 'bye') this.#nodeGone(presence.n, 'left');
    else {
      this.#lastSeen.set(presence.n, Date.now());
      this.#gone.delete(presence.n);
    }
  };

  // --- liveness and outages ---------------------------------------------

  async #subscribe(): Promise<void> {
    try {
      await this.#broker.subscribe(channels.node(this.namespace, this.nodeId), this.#onNodeMessage);
      await this.#broker.subscribe(channels.presence(this.namespace), this.#onPresence);
      this.#subscribed = true;
      this.#subscribedNow();
      this.#pulse();
    } catch (error) {
      this.counters.brokerErrors++;
      this.#log('error', `cluster: cannot subscribe yet, will retry when the broker is back: ${String(error)}`);
    }
  }

  #subscribeService(prefix: string, link: ServiceLink): void {
    if (this.#listening.has(prefix)) return;
    this.#listening.add(prefix);
    this.#counted(
      this.#broker.subscribe(channels.service(this.namespace, prefix), (text) => {
        const fanout = parseMessage<Fanout>(text);
        if (fanout !== undefined && fanout.n !== this.nodeId && typeof fanout.m === 'string') link.member.deliverFanout(fanout);
      }),
    ).catch((error: unknown) => {
      this.#listening.delete(prefix);
      this.#log('error', `cluster: cannot subscribe to ${JSON.stringify(prefix)}'s broadcasts yet: ${String(error)}`);
    });
  }

  #pulse(): void {
    if (!this.#broker.available || this.#closing) return;
    const presence: Presence = { t: 'hb', n: this.nodeId };
    this.#counted(this.#broker.publish(channels.presence(this.namespace), JSON.stringify(presence))).catch(() => {});
  }

  #tick(): void {
    this.#pulse();
    const now = Date.now();
    const stalled = now - this.#lastTick > 2 * this.#heartbeatInterval;
    this.#lastTick = now;
    if (!this.#broker.available) return;
    if (stalled) {
      // This node's own event loop stood still (a long GC, a starved container): the peers' heartbeats are
      // still queued, not missing. Declaring them gone would free their sessions; and they may have done so
      // to this node's, so claim those again.
      this.#log('error', `cluster: node ${this.nodeId} was stalled; giving its peers a fresh timeout`);
      this.#resume();
      return;
    }
    for (const [node, seen] of this.#lastSeen) if (now - seen > this.#nodeTimeout) this.#nodeGone(node, 'silent');
    for (const [node, since] of this.#gone) if (now - since > 10 * this.#nodeTimeout) this.#gone.delete(node);
    for (const forward of this.#forwards.values()) {
      if (now - forward.sentAt <= this.#nodeTimeout) continue;
      // Unanswered past the timeout: the owner never heard of it (an unknown or dead node, or a dropped message).
      if (forward.awaitingPromptReply || !this.#lastSeen.has(forward.owner)) forward.fail('node-lost');
    }
  }

  #nodeGone(node: string, why: 'left' | 'silent'): void {
    this.#lastSeen.delete(node);
    this.#gone.set(node, Date.now());
    this.#log('info', `cluster: node ${node} ${why === 'left' ? 'left' : 'stopped answering'}; its sessions are lost`);
    for (const forward of [...this.#forwards.values()]) if (forward.owner === node) forward.fail('node-lost');
    for (const sink of [...this.#relays.values()]) if (sink.entry === node) sink.abort();
    // Every node does this; it is idempotent, and the first to get there frees the gone node's session ids.
    this.#counted(this.#broker.releaseNode(node)).catch(() => {});
  }

  #brokerLost(): void {
    this.counters.brokerErrors++;
    this.#log('error', 'cluster: broker unreachable; serving this node\'s own sessions only until it is back');
    for (const forward of [...this.#forwards.values()]) forward.fail('broker');
    for (const sink of [...this.#relays.values()]) sink.abort();
  }

  #brokerBack(): void {
    if (this.#closing) return;
    this.#log('info', `cluster: node ${this.nodeId} reaches the broker`);
    if (!this.#subscribed) void this.#subscribe();
    else this.#pulse();
    for (const [prefix, link] of this.#links) this.#subscribeService(prefix, link);
    this.#resume();
  }

  /**
   * After a time in which nothing could be heard (a broker outage, a stall):
   * every peer gets a fresh timeout rather than being declared gone, and
   * this node claims its sessions' ids again.
   */
  #resume(): void {
    const now = Date.now();
    for (const node of this.#lastSeen.keys()) this.#lastSeen.set(node, now);
    for (const [prefix, link] of this.#links) {
      for (const id of link.member.sessions.ids()) {
        const key = this.sessionKey(prefix, id);
        this.claim(key).then(
          (holder) => {
            if (holder !== null && holder !== this.nodeId) this.#log('error', `cluster: session ${key} was claimed by ${holder} meanwhile`);
          },
          () => {},
        );
      }
    }
  }

  #counted<T>(pending: Promise<T>): Promise<T> {
    return pending.catch((error: unknown) => {
      this.counters.brokerErrors++;
      throw error;
    });
  }

  /**
   * Leaves the cluster: the other nodes hear it at once, this node's session
   * ids are freed and the broker is closed. Close the services first
   * (`server.close()`), so their sessions end with a close frame.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      for (const forward of [...this.#forwards.values()]) forward.fail('node-lost');
      for (const sink of [...this.#relays.values()]) sink.abort();
      const bye: Presence = { t: 'bye', n: this.nodeId };
      await this.#broker.publish(channels.presence(this.namespace), JSON.stringify(bye)).catch(() => {});
      await this.#broker.releaseNode(this.nodeId).catch(() => {});
      await this.#broker.close();
    })();
    return this.#closing;
  }
}

function relayKey(entry: string, request: number): string {
  return `${entry} ${request}`;
}
