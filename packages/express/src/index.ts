// Express routes through the same (req, res, next) contract as Connect, and
// sets `req.originalUrl` the same way when mounted under a path, so the
// Connect adapter serves Express 4 and 5 unchanged; this package pins the
// peer dependency and documents Express's pitfalls.
export {
  sockjs,
  SockJSServer,
  type SockJSMiddleware,
  type SockJSMount,
  type SockJSServerOptions,
  type AttachUpgradeOptions,
} from '@sockjs-server/connect';
