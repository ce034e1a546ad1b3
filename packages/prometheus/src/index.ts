import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';
import { REFUSAL_REASONS, TRANSPORTS, type ClusterStats, type ServiceStats, type SockJSServerStats } from '@sockjs-server/core';

/** What is measured: a `SockJSServer`, or anything with its `stats()`, such as a middleware mount. */
export interface StatsSource {
  stats(): SockJSServerStats;
}

export interface SockJSMetricsOptions {
  /** The registry the metrics are registered on. @default prom-client's global `register` */
  readonly registry?: Registry;
  /** Prepended to every metric name. @default 'sockjs_' */
  readonly prefix?: string;
}

type ServiceCounter = readonly [name: string, help: string, read: (s: ServiceStats) => number];
type ClusterCounter = readonly [name: string, help: string, read: (c: ClusterStats) => number];

const SERVICE_COUNTERS: readonly ServiceCounter[] = [
  ['sessions_opened_total', 'Sessions announced to the application (raw WebSockets included).', (s) => s.sessions.opened],
  ['sessions_closed_total', 'Announced sessions that have closed.', (s) => s.sessions.closed],
  ['messages_received_total', 'Messages delivered from clients to the application.', (s) => s.messages.in],
  ['messages_sent_total', 'Messages the application wrote to open connections.', (s) => s.messages.out],
  ['received_bytes_total', 'Payload bytes read from clients.', (s) => s.bytes.in],
  ['sent_bytes_total', 'Frame bytes written to transports.', (s) => s.bytes.out],
];

const CLUSTER_COUNTERS: readonly ClusterCounter[] = [
  ['cluster_forwarded_requests_total', 'Requests this node passed to the node holding their session.', (c) => c.forwardedRequests],
  ['cluster_relayed_replies_total', 'Replies this node, as a session owner, relayed to entry nodes.', (c) => c.relayedReplies],
  ['cluster_fanouts_total', 'Broadcast, room and direct messages published to the other nodes.', (c) => c.fanouts],
  ['cluster_broker_errors_total', 'Broker commands or publishes that failed, and outages.', (c) => c.brokerErrors],
];

/**
 * Registers a SockJS server's metrics on a prom-client registry. Nothing is
 * counted per event: each scrape reads `server.stats()` once, and every
 * metric is labelled by `service` (the prefix). Cluster metrics are
 * registered when the server has a cluster. Register one server per
 * registry (or give each its own `prefix`): names are unique in a registry.
 *
 * @example
 * import { Registry } from 'prom-client';
 * import { registerSockJSMetrics } from '@sockjs-server/prometheus';
 * const registry = new Registry();
 * registerSockJSMetrics(sockjs, { registry });
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 */
export function registerSockJSMetrics(server: StatsSource, options: SockJSMetricsOptions = {}): Registry {
  const registry = options.registry ?? globalRegistry;
  const prefix = options.prefix ?? 'sockjs_';
  const registers = [registry];
  // One snapshot serves every metric of a scrape: prom-client collects them all in the same turn.
  let snapshot: SockJSServerStats | undefined;
  const read = (): SockJSServerStats => {
    if (snapshot === undefined) {
      snapshot = server.stats();
      setImmediate(() => (snapshot = undefined));
    }
    return snapshot;
  };
  const services = () => Object.entries(read().byPrefix);

  new Gauge({
    name: `${prefix}sessions_open`,
    help: 'Open sessions, by the transport they use.',
    labelNames: ['service', 'transport'],
    registers,
    collect() {
      this.reset();
      for (const [service, s] of services()) for (const transport of TRANSPORTS) this.set({ service, transport }, s.sessions.byTransport[transport]);
    },
  });
  for (const [name, help, pick] of SERVICE_COUNTERS) {
    new Counter({
      name: `${prefix}${name}`,
      help,
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, s] of services()) this.inc({ service }, pick(s));
      },
    });
  }
  new Counter({
    name: `${prefix}requests_refused_total`,
    help: 'Requests refused, by reason: origin, limit, auth, badRequest, bufferOverflow.',
    labelNames: ['service', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const [service, s] of services()) for (const reason of REFUSAL_REASONS) this.inc({ service, reason }, s.refused[reason]);
    },
  });

  if (server.stats().cluster === undefined) return registry;
  const cluster = () => read().cluster!;
  for (const [name, help, pick] of CLUSTER_COUNTERS) {
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(pick(cluster()));
      },
    });
  }
  new Gauge({
    name: `${prefix}cluster_peers`,
    help: 'Other nodes heard from within nodeTimeout.',
    registers,
    collect() {
      this.set(cluster().peers);
    },
  });
  new Gauge({
    name: `${prefix}cluster_broker_available`,
    help: '1 while the broker is reachable, else 0.',
    registers,
    collect() {
      this.set(cluster().brokerAvailable ? 1 : 0);
    },
  });
  return registry;
}
