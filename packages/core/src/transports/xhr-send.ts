import { CONTENT_TYPE } from '../constants.js';
import type { RequestContext } from '../context.js';
import { addXhrCors } from '../cors.js';
import type { Service } from '../service.js';
import { decodePayload, messagesFromValue } from '../payload.js';
import { acceptPayload } from './sending.js';

/**
 * `POST /S/X/xhr_send` (PROTOCOL.md 5.4): a JSON array of strings, whatever
 * the content type (the reference refused some types; nothing depends on that).
 */
export function xhrSend(service: Service, ctx: RequestContext): Promise<void> {
  const { req, res, headers } = ctx;
  if (!service.options.disableCors) addXhrCors(req, headers);
  return acceptPayload(
    service,
    ctx,
    (body) => (body.kind === 'parsed' ? messagesFromValue(body.value) : decodePayload(body.text)),
    () => {
      // The suite requires a Content-Type even on this 204.
      headers.push('Content-Type', CONTENT_TYPE.TEXT);
      res.writeHead(204, headers);
      res.end();
    },
  );
}
