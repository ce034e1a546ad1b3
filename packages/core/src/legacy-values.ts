import type { LogSeverity } from './options.js';

type Log = (severity: LogSeverity, message: string) => void;

/** Deprecations already reported, per log function: a server resolves its options once per service. */
const reported = new WeakMap<Log, Set<string>>();

function deprecated(log: Log, option: string, message: string): void {
  let seen = reported.get(log);
  if (seen === undefined) reported.set(log, (seen = new Set()));
  if (seen.has(option)) return;
  seen.add(option);
  log('info', `DeprecationWarning: option "${option}": ${message}`);
}

/** A number sockjs-node 0.3 used as a count or a setTimeout delay, which coerces numeric strings. */
function legacyNumber(log: Log, option: string, value: unknown): unknown {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 1) return value;
  const rounded = Math.ceil(number);
  deprecated(log, option, `${JSON.stringify(value)} is taken as ${rounded}; give a whole number`);
  return rounded;
}

/** An absolute URL scheme (`javascript:`, `data:`, …) anywhere but http(s) is refused, not embedded in the iframe page. */
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Maps values sockjs-node 0.3.24 accepted, and gave a meaning, onto that
 * meaning, with one deprecation warning through `log` per option. Values it
 * would have misbehaved on are left for `resolveOptions` to refuse.
 */
export function acceptLegacyValues(options: Record<string, unknown>, log: Log): void {
  for (const option of ['responseLimit', 'heartbeatDelay', 'disconnectDelay'] as const) {
    if (options[option] !== undefined) options[option] = legacyNumber(log, option, options[option]);
  }
  const { jsessionid, websocket, sockjsUrl } = options;
  // sockjs-node called a function and otherwise tested truthiness.
  if (jsessionid !== undefined && typeof jsessionid !== 'boolean' && typeof jsessionid !== 'function') {
    options.jsessionid = Boolean(jsessionid);
    deprecated(log, 'jsessionid', `${typeof jsessionid === 'string' ? JSON.stringify(jsessionid) : String(jsessionid)} is taken as ${String(Boolean(jsessionid))}; give a boolean or a function(req, res)`);
  }
  // Truthiness again; a string is refused, since "false" would have enabled WebSocket.
  if (websocket === null || typeof websocket === 'number') {
    options.websocket = Boolean(websocket);
    deprecated(log, 'websocket', `${String(websocket)} is taken as ${String(Boolean(websocket))}; give a boolean`);
  }
  // The iframe page embedded it verbatim, so a relative URL resolves against `<prefix>/iframe.html`.
  if (typeof sockjsUrl === 'string' && isRelativeUrl(sockjsUrl)) {
    deprecated(log, 'sockjsUrl', `the relative URL ${JSON.stringify(sockjsUrl)} resolves against the iframe page under the prefix; give a path starting with "/" or an http(s) URL`);
  }
}

/** A URL reference without scheme or leading `/`, such as `sockjs.min.js`. */
export function isRelativeUrl(url: string): boolean {
  return url !== '' && !/^(\/|https?:)/i.test(url) && !OTHER_SCHEME.test(url);
}
