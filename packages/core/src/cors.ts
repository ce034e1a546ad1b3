import type { IncomingMessage } from 'node:http';

/**
 * The "xhr rules" of PROTOCOL.md 6.1, appended to a flat header list: echo
 * the Origin (even `null`) with credentials, `*` without one, and echo
 * requested headers.
 */
export function addXhrCors(req: IncomingMessage, headers: string[]): void {
  const origin = req.headers.origin;
  if (origin) headers.push('Access-Control-Allow-Credentials', 'true', 'Access-Control-Allow-Origin', origin);
  else headers.push('Access-Control-Allow-Origin', '*');
  addVaryAndRequestedHeaders(req, headers);
}

/** EventSource's own rules (5.6): `null` is answered like no Origin at all. */
export function addEventSourceCors(req: IncomingMessage, headers: string[]): void {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') headers.push('Access-Control-Allow-Origin', origin, 'Access-Control-Allow-Credentials', 'true');
  else headers.push('Access-Control-Allow-Origin', '*');
  addVaryAndRequestedHeaders(req, headers);
}

function addVaryAndRequestedHeaders(req: IncomingMessage, headers: string[]): void {
  headers.push('Vary', 'Origin');
  const requested = req.headers['access-control-request-headers'];
  if (requested) headers.push('Access-Control-Allow-Headers', requested);
}
