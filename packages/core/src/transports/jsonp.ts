import type { IncomingMessage } from 'node:http';
import { CONTENT_TYPE } from '../constants.js';
import type { RequestContext } from '../context.js';
import type { Service } from '../service.js';
import { PayloadError, decodePayload, messagesFromValue, type DecodedPayload } from '../payload.js';
import type { BodyResult } from '../request-body.js';
import { callbackFromQuery } from './callback.js';
import type { ReceivingTransport } from './http-receiver.js';
import { acceptPayload } from './sending.js';

/** `GET /S/X/jsonp?c=cb` (PROTOCOL.md 5.8): one frame per response, as a script call. */
export const jsonpPolling: ReceivingTransport = {
  name: 'jsonp-polling',
  contentType: CONTENT_TYPE.JAVASCRIPT,
  cors: 'none',
  streaming: false,
  headers: { 'X-Content-Type-Options': 'nosniff' },
  envelope(query) {
    const found = callbackFromQuery(query);
    if ('error' in found) return found.error;
    // The leading empty comment defeats the "Rosetta Flash" attack (CVE-2014-4671).
    const head = `/**/${found.callback}(`;
    return { wrap: (frame) => `${head}${JSON.stringify(frame)});\r\n` };
  },
};

/** The media type of a request body, without parameters, lower-cased. */
function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function decodeForm(body: Exclude<BodyResult, { kind: 'too-large' }>): DecodedPayload {
  if (body.kind === 'parsed') {
    const d = typeof body.value === 'object' && body.value !== null ? (body.value as Record<string, unknown>).d : undefined;
    return typeof d === 'string' && d !== '' ? decodePayload(d) : { error: PayloadError.EXPECTED };
  }
  const fields = new URLSearchParams(body.text).getAll('d');
  return fields.length === 1 && fields[0] !== '' ? decodePayload(fields[0]!) : { error: PayloadError.EXPECTED };
}

/**
 * `POST /S/X/jsonp_send`: a form with one field `d`, or the JSON itself as the
 * body. Decoded exactly once (the reference's double decoding is dropped).
 */
export function jsonpSend(service: Service, ctx: RequestContext): void {
  const { res } = ctx;
  acceptPayload(
    service,
    ctx,
    (body) => {
      if (mediaTypeOf(ctx.req) === 'application/x-www-form-urlencoded') return decodeForm(body);
      return body.kind === 'parsed' ? messagesFromValue(body.value) : decodePayload(body.text);
    },
    () => {
      // 200 "ok" rather than 204: some browsers mishandle 204 in the form/iframe path.
      res.writeHead(200, [...ctx.headers, 'Content-Type', CONTENT_TYPE.TEXT, 'Content-Length', '2']);
      res.end('ok');
    },
  );
}
