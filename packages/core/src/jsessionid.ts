import { parse, serialize } from 'cookie';
import type { RequestContext } from './context.js';
import type { ResolvedOptions } from './options.js';

/** RFC 6265 cookie-octets: what may be echoed back without quoting or injection. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{1,256}$/;

/**
 * The JSESSIONID step of PROTOCOL.md 6.2. With `jsessionid: true` the
 * request's cookie is echoed (or `dummy`), but only when it is a plain
 * cookie value, so a client cannot inject attributes into Set-Cookie.
 */
export function applyJsessionid(options: ResolvedOptions, { req, res, headers }: RequestContext): void {
  const setting = options.jsessionid;
  if (setting === false) return;
  if (typeof setting === 'function') {
    // sockjs-node's hook sets its headers on the response itself; writeHead() merges them with ours.
    setting(req, res);
    return;
  }
  const header = req.headers.cookie;
  const sent = header ? parse(header).JSESSIONID : undefined;
  const value = sent !== undefined && COOKIE_VALUE.test(sent) ? sent : 'dummy';
  const attributes = options.jsessionidCookie;
  headers.push('Set-Cookie', attributes ? serialize('JSESSIONID', value, { path: '/', ...attributes }) : `JSESSIONID=${value}; path=/`);
}
