import type { IncomingMessage } from 'node:http';

export type BodyResult =
  /** `bytes`: the body's size as received. */
  | { readonly kind: 'text'; readonly text: string; readonly bytes: number }
  /** A body parser that ran before us already consumed the stream and left its result on `req.body`. */
  | { readonly kind: 'parsed'; readonly value: unknown }
  | { readonly kind: 'too-large' };

interface MaybeParsedRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: unknown;
}

/**
 * Reads a request body as UTF-8 (invalid bytes become U+FFFD), stopping as
 * soon as it passes `limit` bytes so a large body never sits in memory.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const consumed = consumedBody(req as MaybeParsedRequest);
  if (consumed) return Promise.resolve(consumed);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.resolve({ kind: 'too-large' });

  // Only 'data' and 'end' are listened to. A client that aborts leaves the
  // promise pending, and it is collected with the request: 'close' would only
  // resolve it for nobody, and IncomingMessage emits 'error' only to a listener.
  return new Promise((resolve) => {
    // Chunks are decoded together at the end, so a character split between two is never mangled.
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    const onData = (data: Buffer | string) => {
      // Strings only if someone called req.setEncoding() before us.
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        resolve({ kind: 'too-large' });
        return;
      }
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    };
    // Neither listener is removed after 'end': the request is finished and goes with them.
    const onEnd = () => {
      const bytes = more !== undefined ? Buffer.concat(more, size) : first;
      resolve({ kind: 'text', text: bytes === undefined ? '' : bytes.toString('utf8'), bytes: size });
    };
    req.on('data', onData);
    req.on('end', onEnd);
  });
}

function consumedBody(req: MaybeParsedRequest): BodyResult | undefined {
  if (!req.readableEnded) return undefined;
  const raw = req.rawBody;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) return consumedText(raw);
  const body = req.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return consumedText(body);
  if (body === undefined) return { kind: 'text', text: '', bytes: 0 };
  return { kind: 'parsed', value: body };
}

function consumedText(body: string | Buffer): BodyResult {
  return typeof body === 'string'
    ? { kind: 'text', text: body, bytes: Buffer.byteLength(body) }
    : { kind: 'text', text: body.toString('utf8'), bytes: body.length };
}
