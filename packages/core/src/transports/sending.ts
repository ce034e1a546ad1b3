import type { RequestContext } from '../context.js';
import type { Service } from '../service.js';
import { sendNotFound, sendText } from '../http-response.js';
import type { DecodedPayload } from '../payload.js';
import { readBody, type BodyResult } from '../request-body.js';

/**
 * The part xhr_send and jsonp_send share (PROTOCOL.md 3.4): read the body
 * under the size limit, decode it, then deliver to an existing session. The
 * checks run in that order, so a bad body to an unknown session gives 500.
 */
export function acceptPayload(
  service: Service,
  ctx: RequestContext,
  decode: (body: Exclude<BodyResult, { kind: 'too-large' }>) => DecodedPayload,
  respond: () => void,
): void {
  readBody(ctx.req, service.options.maxMessageSize, (body) => {
    // Runs from the request's 'end' event, where nothing above would catch a throw.
    try {
      deliverPayload(service, ctx, body, decode, respond);
    } catch (error) {
      service.failRequest(ctx, error);
    }
  });
}

function deliverPayload(
  service: Service,
  ctx: RequestContext,
  body: BodyResult,
  decode: (body: Exclude<BodyResult, { kind: 'too-large' }>) => DecodedPayload,
  respond: () => void,
): void {
  const { req, res } = ctx;
  const { counters } = service.sessions;
  if (body.kind === 'too-large') {
    counters.refuse('limit', 413, req);
    // Stop the upload instead of draining it: the connection closes after this answer.
    sendText(res, 413, 'Payload too large.', [...ctx.headers, 'Connection', 'close']);
    return;
  }
  const decoded = decode(body);
  if ('error' in decoded) {
    counters.refuse('badRequest', 500, req);
    sendText(res, 500, decoded.error, ctx.headers);
    return;
  }
  counters.bytesIn += body.kind === 'text' ? body.bytes : Number(req.headers['content-length']) || 0;
  const session = service.sessions.lookup(ctx.params.session!, req);
  if (session) {
    if (session.deliver(decoded.messages)) respond();
    else session.holdSender(respond);
    return;
  }
  // Bound to another address (null) is answered as unknown, never looked for elsewhere.
  if (session === undefined && service.cluster) service.cluster.send(ctx, decoded.messages, respond);
  else sendNotFound(res, ctx.headers);
}
