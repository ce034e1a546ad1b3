/** `conn.readyState` values, as in sockjs-node and the WebSocket API. */
export const ReadyState = {
  CONNECTING: 0,
  OPEN: 1,
  CLOSING: 2,
  CLOSED: 3,
} as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

/** Close codes and reasons the server itself sends (PROTOCOL.md 3.5). */
export const CloseCode = {
  NORMAL: 1000,
  INTERRUPTED: 1002,
  MESSAGE_TOO_BIG: 1009,
  ANOTHER_CONNECTION: 2010,
  GO_AWAY: 3000,
} as const;

export const CloseReason = {
  NORMAL: 'Normal closure',
  ANOTHER_CONNECTION: 'Another connection still open',
  BROKEN_FRAMING: 'Broken framing.',
  NO_HEARTBEAT_RESPONSE: 'No response from heartbeat',
  SEND_BUFFER_OVERFLOW: 'Send buffer overflow',
} as const;

/** Every transport the server implements, by the name `conn.protocol` reports. */
export const TRANSPORTS = [
  'eventsource',
  'htmlfile',
  'jsonp-polling',
  'websocket',
  'websocket-raw',
  'xhr-polling',
  'xhr-streaming',
] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const DEFAULT_SOCKJS_URL = 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js';

export const CONTENT_TYPE = {
  TEXT: 'text/plain; charset=UTF-8',
  JSON: 'application/json; charset=UTF-8',
  JAVASCRIPT: 'application/javascript; charset=UTF-8',
  HTML: 'text/html; charset=UTF-8',
  EVENT_STREAM: 'text/event-stream',
} as const;

export const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
export const ONE_YEAR_SECONDS = 31_536_000;
export const CACHE_ONE_YEAR = `public, max-age=${ONE_YEAR_SECONDS}`;

/** Request headers copied onto `conn.headers` (PROTOCOL.md 7); `cookie`, `authorization` and `origin` deliberately excluded. */
export const DEFAULT_EXPOSED_HEADERS = [
  'referer',
  'x-client-ip',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-cluster-client-ip',
  'via',
  'x-real-ip',
  'x-forwarded-proto',
  'x-ssl',
  'dnt',
  'host',
  'user-agent',
  'accept-language',
] as const;
