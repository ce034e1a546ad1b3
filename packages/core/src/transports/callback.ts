/** The client's callbacks are `_jp.a` + 6 characters; anything else that could run as script is refused (5.7, 5.8). */
const CALLBACK = /^[A-Za-z0-9_.-]{1,32}$/;

/** The JSONP/htmlfile callback from `c` (or `callback`), or the protocol's error text. */
export function callbackFromQuery(query: string): { readonly callback: string } | { readonly error: string } {
  const params = new URLSearchParams(query);
  const values = params.has('c') ? params.getAll('c') : params.getAll('callback');
  if (values.length === 0) return { error: '"callback" parameter required' };
  const [value] = values;
  if (values.length > 1 || value === undefined || !CALLBACK.test(value)) return { error: 'invalid "callback" parameter' };
  return { callback: value };
}
