import type { IncomingMessage } from 'node:http';
import type { TransportName } from './constants.js';
import type { ResolvedOptions } from './options.js';

export type AuthorizationOutcome =
  | { readonly accepted: true; readonly data: unknown }
  | { readonly accepted: false; readonly status: number; readonly message: string };

const ACCEPTED: AuthorizationOutcome = { accepted: true, data: undefined };

/**
 * Runs the `authorize` hook for a request that would create a session and
 * turns whatever it returns (or throws) into accept-with-data or a refusal.
 */
export async function authorizeSession(
  options: ResolvedOptions,
  req: IncomingMessage,
  query: string,
  transport: TransportName,
): Promise<AuthorizationOutcome> {
  const hook = options.authorize;
  if (hook === undefined) return ACCEPTED;
  let result: unknown;
  try {
    result = await hook({ req, headers: req.headers, query: new URLSearchParams(query), remoteAddress: req.socket.remoteAddress, transport });
  } catch (error) {
    options.log('error', `authorize hook threw: ${error instanceof Error ? error.message : String(error)}`);
    return { accepted: false, status: 500, message: 'Internal Server Error' };
  }
  if (result === true) return ACCEPTED;
  if (typeof result === 'object' && result !== null) {
    if ('status' in result) {
      const { status, message } = result as { status: unknown; message?: unknown };
      const code = typeof status === 'number' && status >= 400 && status <= 599 ? status : 403;
      return { accepted: false, status: code, message: typeof message === 'string' ? message : 'Forbidden' };
    }
    if ('data' in result) return { accepted: true, data: (result as { data: unknown }).data };
  }
  return { accepted: false, status: 403, message: 'Forbidden' };
}
