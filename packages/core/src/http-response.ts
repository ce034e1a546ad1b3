import type { ServerResponse } from 'node:http';
import { CACHE_ONE_YEAR, CONTENT_TYPE, NO_CACHE, ONE_YEAR_SECONDS } from './constants.js';

export function setNoCache(res: ServerResponse): void {
  res.setHeader('Cache-Control', NO_CACHE);
}

export function setCacheForOneYear(res: ServerResponse): void {
  res.setHeader('Cache-Control', CACHE_ONE_YEAR);
  res.setHeader('Expires', new Date(Date.now() + ONE_YEAR_SECONDS * 1000).toUTCString());
}

/** A complete plain-text answer; keeps headers earlier steps set (cookie, CORS, no-cache). */
export function sendText(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', CONTENT_TYPE.TEXT);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function sendNotFound(res: ServerResponse): void {
  sendText(res, 404, '404 Error: Page not found\n');
}

/** 405 with `Allow` and, as the protocol suite requires, no Content-Type and an empty body. */
export function sendMethodNotAllowed(res: ServerResponse, allow: readonly string[]): void {
  res.statusCode = 405;
  res.removeHeader('Content-Type');
  res.setHeader('Allow', allow.join(', '));
  res.end();
}
