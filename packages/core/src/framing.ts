// SockJS frames (PROTOCOL.md 3) and the envelopes that need their own escaping.

/** Code units the client's JSON parser or browsers mangle; sent as `\uXXXX` (3.2). */
const UNSAFE_FOR_CLIENT = /[\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff\ud800-\udfff]/g;
const HAS_UNSAFE_FOR_CLIENT = /[\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff\ud800-\udfff]/;

const escapeCodeUnit = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * The message quoted last, or received last as a lone ASCII JSON literal, and
 * that literal. An echo, or an application writing one message to many
 * connections, then quotes it once: `JSON.stringify` of a 16 KiB string costs
 * about 24 µs on Node 20, a hit one string comparison. It holds at most one
 * message (bounded by `maxMessageSize` when it came from a client).
 */
let lastMessage: string | undefined;
let lastQuoted = '';
/** `a[lastQuoted]`, built on first use: the same string object for every recipient of a fan-out. */
let lastFrame = '';
/**
 * The UTF-8 bytes a WebSocket client sent for the literal in the memo, as
 * `["…"]` (`clientBytesBare` false) or `"…"`: the bytes of `lastFrame` are
 * then that message with `a` (or `a[` and `]`) around it, one copy instead of
 * flattening and encoding the frame string.
 */
let clientBytes: Buffer | undefined;
let clientBytesBare = false;

/**
 * JSON-quotes one message the way sockjs-node does: `JSON.stringify` (which
 * already writes lone surrogates as lowercase escapes), then the client-unsafe
 * ranges — paired surrogates included — as lowercase `\uXXXX`.
 */
export function quoteMessage(message: string): string {
  if (message === lastMessage) return lastQuoted;
  const stringified = JSON.stringify(message);
  const quoted = HAS_UNSAFE_FOR_CLIENT.test(stringified) ? stringified.replace(UNSAFE_FOR_CLIENT, escapeCodeUnit) : stringified;
  lastMessage = message;
  lastQuoted = quoted;
  lastFrame = '';
  clientBytes = undefined;
  return quoted;
}

/** The `a[...]` frame of one message (`quoteMessage` memo included). */
export function singleMessageFrame(message: string): string {
  if (message !== lastMessage) quoteMessage(message);
  return (lastFrame ||= `a[${lastQuoted}]`);
}

/**
 * Keeps the client's own quoting of `message` for `quoteMessage` when it is
 * exactly ours. `json` is what `JSON.parse` accepted and decoded to
 * `[message]` (or to `message`); when it is `["…"]` or `"…"` with nothing
 * around the literal, no backslash (so no escape to spell differently) and no
 * client-unsafe code unit, the literal is byte for byte what `quoteMessage`
 * would produce.
 */
export function rememberClientQuoting(json: string, message: string, bytes?: Buffer): void {
  const end = json.length - 1;
  let literal: string;
  if (json.charCodeAt(0) === 0x5b /* [ */ && json.charCodeAt(1) === 0x22 && json.charCodeAt(end) === 0x5d && json.charCodeAt(end - 1) === 0x22) {
    literal = json.slice(1, end);
  } else if (json.charCodeAt(0) === 0x22 && json.charCodeAt(end) === 0x22) {
    literal = json;
  } else {
    return;
  }
  // Both checks run on `json`, usually flat: on a sliced string V8 takes slower paths.
  if (json.includes('\\') || HAS_UNSAFE_FOR_CLIENT.test(json)) return;
  lastMessage = message;
  lastQuoted = literal;
  lastFrame = '';
  // The bytes spell `json` exactly: they decoded to it, and a string with no U+FFFD (client-unsafe, refused just above)
  // came from valid UTF-8, which encodes back to the same bytes.
  clientBytes = bytes;
  clientBytesBare = literal === json;
}

/**
 * The UTF-8 bytes of `frame` if it is the memo's frame (`singleMessageFrame`)
 * and the client's own bytes spell it, else undefined. Called once per frame
 * by the WebSocket transport, which keeps the result for a fan-out.
 */
export function frameBytesFromClient(frame: string): Buffer | undefined {
  const bytes = clientBytes;
  if (bytes === undefined || frame !== lastFrame) return undefined;
  clientBytes = undefined;
  const out = Buffer.allocUnsafe(bytes.length + (clientBytesBare ? 3 : 1));
  out[0] = 0x61; // a
  if (!clientBytesBare) {
    bytes.copy(out, 1);
    return out;
  }
  out[1] = 0x5b; // [
  bytes.copy(out, 2);
  out[out.length - 1] = 0x5d; // ]
  return out;
}

export const OPEN_FRAME = 'o';
export const HEARTBEAT_FRAME = 'h';

/** `a[...]` from messages already passed through `quoteMessage`. */
export function arrayFrameFromQuoted(quoted: readonly string[]): string {
  return quoted.length === 1 ? `a[${quoted[0]}]` : `a[${quoted.join(',')}]`;
}

export function closeFrame(code: number, reason: string): string {
  return 'c' + JSON.stringify([code, reason]);
}

/** Characters that could end a `<script>` element or start markup inside htmlfile output. */
const HTML_UNSAFE = /[<>&]/g;
const escapeHtmlUnsafe = (c: string) => (c === '<' ? '\\u003c' : c === '>' ? '\\u003e' : '\\u0026');

/**
 * A frame as a JavaScript string literal that is safe inside an HTML `<script>`
 * element: no message can close the element (`</script>`) or open markup,
 * because `<`, `>` and `&` become JSON escapes the client decodes back.
 */
export function scriptSafeStringLiteral(frame: string): string {
  return JSON.stringify(frame).replace(HTML_UNSAFE, escapeHtmlUnsafe);
}

/** EventSource `data:` escaping: the client URI-decodes the value (5.6). */
const EVENTSOURCE_UNSAFE = /[%\r\n\0]/g;
const EVENTSOURCE_ESCAPES: Record<string, string> = { '%': '%25', '\r': '%0D', '\n': '%0A', '\0': '%00' };

export function escapeEventSourceData(frame: string): string {
  return frame.includes('%') || /[\r\n\0]/.test(frame)
    ? frame.replace(EVENTSOURCE_UNSAFE, (c) => EVENTSOURCE_ESCAPES[c] ?? c)
    : frame;
}
