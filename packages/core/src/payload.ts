import { rememberClientQuoting } from './framing.js';

/** Why a client payload was refused, with the protocol's exact answer (PROTOCOL.md 3.4). */
export const PayloadError = {
  EXPECTED: 'Payload expected.',
  BROKEN_JSON: 'Broken JSON encoding.',
} as const;
export type PayloadError = (typeof PayloadError)[keyof typeof PayloadError];

export type DecodedPayload = { readonly messages: readonly string[] } | { readonly error: PayloadError };

/** Accepts only an array of strings: non-string elements are refused rather than passed on (4.9). */
export function messagesFromValue(value: unknown): DecodedPayload {
  if (!Array.isArray(value)) return { error: PayloadError.EXPECTED };
  for (const element of value) if (typeof element !== 'string') return { error: PayloadError.EXPECTED };
  return { messages: value as string[] };
}

/**
 * Decodes a client payload: a JSON array of strings, or over WebSocket also a
 * bare JSON string (`allowBareString`). `bytes`: the UTF-8 the text was decoded
 * from, when the transport can send frames as those bytes (WebSocket).
 */
export function decodePayload(text: string, allowBareString = false, bytes?: Buffer): DecodedPayload {
  if (text === '') return { error: PayloadError.EXPECTED };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: PayloadError.BROKEN_JSON };
  }
  const decoded = messagesFromValue(allowBareString && typeof value === 'string' ? [value] : value);
  if ('messages' in decoded && decoded.messages.length === 1) rememberClientQuoting(text, decoded.messages[0]!, bytes);
  return decoded;
}
