const kSockJSError = Symbol.for('sockjs-server.error');

export type SockJSErrorCode =
  | 'SOCKJS_ERR_INVALID_OPTION'
  | 'SOCKJS_ERR_NOT_HTTP_SERVER'
  | 'SOCKJS_ERR_ALREADY_ATTACHED'
  | 'SOCKJS_ERR_SERVER_CLOSED'
  | 'SOCKJS_ERR_CONNECTION_CLOSED'
  | 'SOCKJS_ERR_FOREIGN_CONNECTION';

/**
 * Raised for misuse of the API (never for bad client input, which is answered
 * on the wire). The `Symbol.for` brand keeps `isSockJSError` true across two
 * installed copies of the package, where `instanceof` would not be.
 */
export class SockJSError extends Error {
  readonly code: SockJSErrorCode;
  readonly [kSockJSError] = true;

  constructor(code: SockJSErrorCode, message: string) {
    super(message);
    this.name = code === 'SOCKJS_ERR_INVALID_OPTION' ? 'TypeError' : 'SockJSError';
    this.code = code;
  }
}

export function isSockJSError(value: unknown): value is SockJSError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kSockJSError] === true;
}

export const invalidOption = (message: string) => new SockJSError('SOCKJS_ERR_INVALID_OPTION', message);
