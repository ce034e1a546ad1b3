/**
 * LEGACY: sockjs-node 0.3 internals that published consumers reach into,
 * rebuilt as a facade over the engine. Nothing here is API of this project;
 * it exists so that code written against `sockjs` runs unchanged:
 *
 * - webpack-dev-server 3 and 4 require `sockjs/lib/transport` and wrap
 *   `Session.prototype.decorateConnection` to copy `origin` onto
 *   `conn.headers` (its host/origin check needs it).
 * - shoe wraps `conn._session.didTimeout` (and `didClose`, which sockjs
 *   0.3 never had on a session, so that wrapper never runs there either).
 *
 * A facade `Session` exists per connection only once something asks for it
 * (`conn._session`, or a patched `Session.prototype`); until then the engine
 * runs its own steps and pays nothing for this module.
 */
import { CloseCode, CloseReason, DEFAULT_EXPOSED_HEADERS, ReadyState } from '../constants.js';
import { Connection, setConnectionHooks, type ReceivingRequest } from '../connection.js';

const kExposedHeaders = Symbol('exposedHeaders');

/** sockjs-node's `Transport` ready-state constants. */
export const Transport = Object.freeze({
  CONNECTING: ReadyState.CONNECTING,
  OPEN: ReadyState.OPEN,
  CLOSING: ReadyState.CLOSING,
  CLOSED: ReadyState.CLOSED,
});

/**
 * sockjs-node's per-session object, reduced to what consumers touch. The
 * server calls `decorateConnection(req)` for every receiving request and
 * `didTimeout()` when the session is over, through the prototype or an
 * instance override, as sockjs-node did.
 */
export class Session {
  readonly connection: Connection;
  /** The headers the service exposes, for the request being decorated. */
  [kExposedHeaders]: readonly string[] = DEFAULT_EXPOSED_HEADERS;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  get readyState(): ReadyState {
    return this.connection.readyState;
  }

  get prefix(): string {
    return this.connection.prefix;
  }

  /** Copies the request's url, address and whitelisted headers onto the connection. */
  decorateConnection(req: ReceivingRequest): void {
    this.connection.copyRequest(req, this[kExposedHeaders]);
  }

  /** The session is CLOSED: the connection emits `end` (once its messages are out) and `close`. */
  didTimeout(): void {
    this.connection.finish();
  }

  send(payload: unknown): boolean {
    return this.connection.write(payload);
  }

  close(status: number = CloseCode.NORMAL, reason: string = CloseReason.NORMAL): boolean {
    return this.connection.close(status, reason);
  }
}

/** sockjs-node exported its connection class under this name. */
export const SockJSConnection = Connection;

const ENGINE_STEPS = Object.freeze({ decorateConnection: Session.prototype.decorateConnection, didTimeout: Session.prototype.didTimeout });
const sessions = new WeakMap<Connection, Session>();

function sessionOf(connection: Connection): Session {
  let session = sessions.get(connection);
  if (session === undefined) {
    session = new Session(connection);
    sessions.set(connection, session);
  }
  return session;
}

/** A connection needs its facade once one was handed out, or once the prototype was patched. */
function facadeFor(connection: Connection, step: keyof typeof ENGINE_STEPS): Session | undefined {
  return sessions.get(connection) ?? (Session.prototype[step] === ENGINE_STEPS[step] ? undefined : sessionOf(connection));
}

let hooked = false;

/** Routes the engine's decorate and finish steps through the facade (idempotent). */
export function enableLegacySessions(): void {
  if (hooked) return;
  hooked = true;
  setConnectionHooks({
    decorate(connection, req, exposedHeaders) {
      const session = facadeFor(connection, 'decorateConnection');
      if (session === undefined) {
        connection.copyRequest(req, exposedHeaders);
        return;
      }
      session[kExposedHeaders] = exposedHeaders;
      session.decorateConnection(req);
    },
    finish(connection) {
      const session = facadeFor(connection, 'didTimeout');
      if (session === undefined) connection.finish();
      else session.didTimeout();
    },
  });
  Object.defineProperty(Connection.prototype, '_session', {
    configurable: true,
    get(this: Connection) {
      return sessionOf(this);
    },
  });
}
