import type { TransportName } from '../constants.js';
import type { RequestContext } from '../context.js';
import type { Service } from '../service.js';
import { authorizeSession } from '../authorize.js';
import { sendText } from '../http-response.js';

/**
 * The session cap and the `authorize` hook for a WebSocket handshake; a
 * refusal is an HTTP answer on the upgrade socket. `open` receives the data
 * the hook attached.
 */
export function admitWebSocket(service: Service, ctx: RequestContext, transport: TransportName, open: (data: unknown) => void): void {
  const { counters } = service.sessions;
  if (!service.sessions.hasRoom()) {
    counters.refuse('limit', 503, ctx.req);
    sendText(ctx.res, 503, 'Too many sessions');
    return;
  }
  if (service.options.authorize === undefined) {
    open(undefined);
    return;
  }
  void authorizeSession(service.options, ctx.req, ctx.query, transport).then((outcome) => {
    if (ctx.upgrade?.socket.destroyed) return;
    if (outcome.accepted) open(outcome.data);
    else {
      counters.refuse('auth', outcome.status, ctx.req);
      sendText(ctx.res, outcome.status, outcome.message);
    }
  });
}
