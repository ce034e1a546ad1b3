import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_TYPE, NO_CACHE, ONE_YEAR_SECONDS } from './constants.js';
import type { RequestContext } from './context.js';
import { addXhrCors } from './cors.js';
import { addCacheForOneYear } from './http-response.js';
import type { ResolvedOptions } from './options.js';

const GREETING = 'Welcome to SockJS!\n';

/** `GET <prefix>` and `GET <prefix>/` (PROTOCOL.md 2.1). */
export function sendGreeting(res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', CONTENT_TYPE.TEXT);
  res.setHeader('Content-Length', GREETING.length);
  res.end(GREETING);
}

/** The constant part of `/info`, serialised once; only `entropy` (and a computed `base_url`) change per request. */
export function createInfoResponder(options: ResolvedOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const fixed: Record<string, unknown> = {
    websocket: options.transports.has('websocket'),
    transports: [...options.transports].sort(),
    ...(options.disableCors ? {} : { origins: ['*:*'] }),
    cookie_needed: options.jsessionid !== false,
  };
  const head = JSON.stringify(fixed).slice(0, -1) + ',"entropy":';
  const { baseUrl, disableCors } = options;
  return (req, res) => {
    const headers = ['Cache-Control', NO_CACHE];
    if (!disableCors) addXhrCors(req, headers);
    let body = head + randomBytes(4).readUInt32BE(0);
    if (baseUrl !== undefined) body += ',"base_url":' + JSON.stringify(typeof baseUrl === 'function' ? baseUrl(req) : baseUrl);
    body += '}';
    headers.push('Content-Type', CONTENT_TYPE.JSON, 'Content-Length', String(Buffer.byteLength(body)));
    res.writeHead(200, headers);
    res.end(body);
  };
}

/** OPTIONS preflight for `/info` (`OPTIONS, GET`) and the xhr routes (`OPTIONS, POST`) (2.3). */
export function sendPreflight(options: ResolvedOptions, { req, res, headers }: RequestContext, methods: string): void {
  if (!options.disableCors) addXhrCors(req, headers);
  addCacheForOneYear(headers);
  headers.push('Access-Control-Allow-Methods', methods, 'Access-Control-Max-Age', String(ONE_YEAR_SECONDS));
  res.writeHead(204, headers);
  res.end();
}

const HTML_ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;', "'": '&#39;' };

function iframeBody(sockjsUrl: string): string {
  const src = sockjsUrl.replace(/[&"<>']/g, (c) => HTML_ATTRIBUTE_ESCAPES[c]!);
  return `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="${src}"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>`;
}

/** True when an `If-None-Match` list names `etag` (weak or strong, or `*`). */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** The iframe page of PROTOCOL.md 2.4, built once; answers 304 to a matching `If-None-Match`. */
export function createIframeResponder(
  options: ResolvedOptions,
  frameAncestors: string | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  const body = Buffer.from(iframeBody(options.sockjsUrl), 'utf8');
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  return (req, res) => {
    if (matchesETag(req.headers['if-none-match'], etag)) {
      res.statusCode = 304;
      res.setHeader('ETag', etag);
      res.end();
      return;
    }
    const headers = ['Content-Type', CONTENT_TYPE.HTML];
    addCacheForOneYear(headers);
    headers.push('ETag', etag);
    // With an origin allow-list, only listed origins may embed the page that bridges their pages to us.
    if (frameAncestors !== undefined) headers.push('Content-Security-Policy', `frame-ancestors ${frameAncestors}`);
    headers.push('Content-Length', String(body.length));
    res.writeHead(200, headers);
    res.end(body);
  };
}
