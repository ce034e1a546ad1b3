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

const TOO_LARGE: BodyResult = { kind: 'too-large' };

/** What a body being read has gathered so far, kept on the request so its listeners can be shared. */
interface BodyInProgress {
  readonly limit: number;
  readonly done: (body: BodyResult) => void;
  first: Buffer | undefined;
  more: Buffer[] | undefined;
  size: number;
}

const kBody = Symbol('body');
interface ReadingRequest extends IncomingMessage {
  [kBody]?: BodyInProgress;
}

/**
 * Reads a request body as UTF-8 (invalid bytes become U+FFFD), stopping as
 * soon as it passes `limit` bytes so a large body never sits in memory, and
 * calls `done` with it (at once when a body parser already read it).
 *
 * A callback and two listeners shared by every request, not a promise and a
 * closure per request: xhr_send is half of every xhr-polling message, and
 * the promise, its closures and its async continuation were a tenth of the
 * garbage a message makes.
 */
export function readBody(req: IncomingMessage, limit: number, done: (body: BodyResult) => void): void {
  const consumed = consumedBody(req as MaybeParsedRequest);
  if (consumed) return done(consumed);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return done(TOO_LARGE);
  (req as ReadingRequest)[kBody] = { limit, done, first: undefined, more: undefined, size: 0 };
  // Only 'data' and 'end' are listened to. A client that aborts leaves `done`
  // uncalled, and it is collected with the request: 'close' would only call it
  // for nobody, and IncomingMessage emits 'error' only to a listener.
  req.on('data', onBodyData);
  req.on('end', onBodyEnd);
}

function onBodyData(this: ReadingRequest, data: Buffer | string): void {
  const body = this[kBody];
  if (body === undefined) return;
  // Strings only if someone called req.setEncoding() before us.
  const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  body.size += chunk.length;
  if (body.size > body.limit) {
    this[kBody] = undefined;
    this.off('data', onBodyData);
    this.off('end', onBodyEnd);
    body.done(TOO_LARGE);
    return;
  }
  // Chunks are decoded together at the end, so a character split between two is never mangled.
  if (body.first === undefined) body.first = chunk;
  else (body.more ??= [body.first]).push(chunk);
}

// Neither listener is removed after 'end': the request is finished and goes with them.
function onBodyEnd(this: ReadingRequest): void {
  const body = this[kBody];
  if (body === undefined) return;
  this[kBody] = undefined;
  const bytes = body.more !== undefined ? Buffer.concat(body.more, body.size) : body.first;
  body.done({ kind: 'text', text: bytes === undefined ? '' : bytes.toString('utf8'), bytes: body.size });
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
