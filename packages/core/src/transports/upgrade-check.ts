import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../context.js';
import { sendText } from '../http-response.js';
import type { Service } from '../service.js';

/** `Connection` lists the `upgrade` token and `Upgrade` is `websocket` (PROTOCOL.md 5.1, step 2). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  const connection = req.headers.connection;
  if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket' || typeof connection !== 'string') return false;
  // What Chromium, Safari and `ws` send, answered without splitting the list (Firefox sends `keep-alive, Upgrade`).
  if (connection === 'Upgrade' || connection === 'upgrade') return true;
  return connection.split(',').some((token) => token.trim().toLowerCase() === 'upgrade');
}

export function isHixie76(req: IncomingMessage): boolean {
  return (
    req.headers['sec-websocket-key1'] !== undefined &&
    req.headers['sec-websocket-key2'] !== undefined &&
    req.headers['sec-websocket-version'] === undefined
  );
}

export const NOT_A_WEBSOCKET = 'Not a valid websocket request';

/** A handshake the WebSocket routes cannot take: 400, counted as a bad request. */
export function refuseBadRequest(service: Service, ctx: RequestContext, message: string): void {
  service.sessions.counters.refuse('badRequest', 400, ctx.req);
  sendText(ctx.res, 400, message);
}
