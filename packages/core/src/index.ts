export { SockJSServer, type SockJSServerEvents, type NextFunction, type AttachUpgradeOptions } from './server.js';
export { createServer, listen } from './compat.js';
export { Connection } from './connection.js';
export { broadcast } from './broadcast.js';
export type { SessionCounts as SockJSServerStats } from './session-registry.js';
export type { ServerOptions, LegacyServerOptions, SockJSServerOptions, ResolvedOptions, LogSeverity } from './options.js';
export { ReadyState, CloseCode, CloseReason, TRANSPORTS, type TransportName } from './constants.js';
export { SockJSError, isSockJSError, type SockJSErrorCode } from './errors.js';
export { VERSION } from './version.js';
