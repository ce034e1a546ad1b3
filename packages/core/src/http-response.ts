import type { ServerResponse } from 'node:http';
import { CACHE_ONE_YEAR, CONTENT_TYPE, ONE_YEAR_SECONDS } from './constants.js';

export function addCacheForOneYear(headers: string[]): void {
  headers.push('Cache-Control', CACHE_ONE_YEAR, 'Expires', new Date(Date.now() + ONE_YEAR_SECONDS * 1000).toUTCString());
}

const NO_HEADERS: readonly string[] = [];

/**
 * A complete plain-text answer with the request's collected `headers`
 * (cookie, CORS, no-cache); headers set on `res` earlier are kept too.
 */
export function sendText(res: ServerResponse, status: number, body: string, headers: readonly string[] = NO_HEADERS): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, [...headers, 'Content-Type', CONTENT_TYPE.TEXT, 'Content-Length', String(Buffer.byteLength(body))]);
  res.end(body);
}

export function sendNotFound(res: ServerResponse, headers: readonly string[] = NO_HEADERS): void {
  sendText(res, 404, '404 Error: Page not found\n', headers);
}

/** 405 with `Allow` and, as the protocol suite requires, no Content-Type and an empty body. */
export function sendMethodNotAllowed(res: ServerResponse, allow: readonly string[]): void {
  res.statusCode = 405;
  res.removeHeader('Content-Type');
  res.setHeader('Allow', allow.join(', '));
  res.end();
}
