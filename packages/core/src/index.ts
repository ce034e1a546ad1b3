export { SockJSServer, type SockJSServerEvents, type NextFunction, type AttachUpgradeOptions } from './server.js';
export { createServer, listen } from './compat.js';
export { Connection } from './connection.js';
export { broadcast } from './broadcast.js';
export type { SockJSServerStats, ServiceStats } from './stats.js';
export {
  DiagnosticsChannel,
  REFUSAL_REASONS,
  type DiagnosticsChannelName,
  type RefusalReason,
  type SessionMessage,
  type RefusedMessage,
  type ForwardMessage,
} from './diagnostics.js';
export type { ServerOptions, LegacyServerOptions, SockJSServerOptions, ResolvedOptions, LogSeverity } from './options.js';
export { ReadyState, CloseCode, CloseReason, TRANSPORTS, type TransportName } from './constants.js';
export { SockJSError, isSockJSError, type SockJSErrorCode } from './errors.js';
export { VERSION } from './version.js';
export { Cluster, type ClusterOptions, type ClusterStats, type ClusterCounters } from './cluster/cluster.js';
export type { Broker } from './cluster/broker.js';
export { MemoryBroker } from './cluster/memory-broker.js';
