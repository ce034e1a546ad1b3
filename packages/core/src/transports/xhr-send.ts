import { CONTENT_TYPE } from '../constants.js';
import type { RequestContext } from '../context.js';
import { addXhrCors } from '../cors.js';
import type { Service } from '../service.js';
import { decodePayload, messagesFromValue, type DecodedPayload } from '../payload.js';
import type { BodyResult } from '../request-body.js';
import { acceptPayload } from './sending.js';

const decodeXhrBody = (body: Exclude<BodyResult, { kind: 'too-large' }>): DecodedPayload =>
  body.kind === 'parsed' ? messagesFromValue(body.value) : decodePayload(body.text);

/**
 * `POST /S/X/xhr_send` (PROTOCOL.md 5.4): a JSON array of strings, whatever
 * the content type (the reference refused some types; nothing depends on that).
 */
export function xhrSend(service: Service, ctx: RequestContext): void {
  const { req, res, headers } = ctx;
  if (!service.options.disableCors) addXhrCors(req, headers);
  acceptPayload(service, ctx, decodeXhrBody, () => {
    // The suite requires a Content-Type even on this 204.
    headers.push('Content-Type', CONTENT_TYPE.TEXT);
    res.writeHead(204, headers);
    res.end();
  });
}
