// SockJS frames (PROTOCOL.md 3) and the envelopes that need their own escaping.

/** Code units the client's JSON parser or browsers mangle; sent as `\uXXXX` (3.2). */
const UNSAFE_FOR_CLIENT = /[\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff\ud800-\udfff]/g;
const HAS_UNSAFE_FOR_CLIENT = /[\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff\ud800-\udfff]/;

const escapeCodeUnit = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * JSON-quotes one message the way sockjs-node does: `JSON.stringify` (which
 * already writes lone surrogates as lowercase escapes), then the client-unsafe
 * ranges — paired surrogates included — as lowercase `\uXXXX`.
 */
export function quoteMessage(message: string): string {
  const quoted = JSON.stringify(message);
  return HAS_UNSAFE_FOR_CLIENT.test(quoted) ? quoted.replace(UNSAFE_FOR_CLIENT, escapeCodeUnit) : quoted;
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
