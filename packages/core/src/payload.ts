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

/** Decodes a JSON array of strings sent by xhr_send or jsonp_send. */
export function decodePayload(text: string): DecodedPayload {
  if (text === '') return { error: PayloadError.EXPECTED };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: PayloadError.BROKEN_JSON };
  }
  return messagesFromValue(value);
}
