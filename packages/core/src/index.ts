export { SockJSServer, type SockJSServerEvents, type NextFunction, type AttachUpgradeOptions } from './server.js';
export { createServer, listen } from './sockjs-node.js';
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

import { SockJSServer } from './server.js';
import { createServer, listen } from './sockjs-node.js';
import { Connection } from './connection.js';
import { broadcast } from './broadcast.js';
import { ReadyState, CloseCode, CloseReason, TRANSPORTS } from './constants.js';
import { SockJSError, isSockJSError } from './errors.js';
import { VERSION } from './version.js';
import { Cluster } from './cluster/cluster.js';
import { MemoryBroker } from './cluster/memory-broker.js';
import { DiagnosticsChannel, REFUSAL_REASONS } from './diagnostics.js';

// `import sockjs from 'sockjs'` worked with the CommonJS original: the
// default export holds every runtime export, in the ESM and the CJS build.
export default {
  SockJSServer, createServer, listen, Connection, broadcast, ReadyState, CloseCode, CloseReason, TRANSPORTS,
  SockJSError, isSockJSError, VERSION, Cluster, MemoryBroker, DiagnosticsChannel, REFUSAL_REASONS,
};
