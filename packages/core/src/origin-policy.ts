import type { IncomingMessage } from 'node:http';
import type { OriginPolicy } from './options.js';

export type OriginCheck = (req: IncomingMessage) => boolean;

function patternToRegExp(pattern: string): RegExp {
  // `*` stands for one or more DNS labels: `https://*.example.com` matches `https://a.b.example.com`.
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[a-z0-9-]+(?:\\.[a-z0-9-]+)*');
  return new RegExp(`^${escaped}$`, 'i');
}

/**
 * The origin a browser request acts for: its `Origin` header, or — for a
 * cross-site request that carries none (a `<script>` or iframe load: jsonp,
 * htmlfile, the iframe page) — the origin of its `Referer`. `undefined` means
 * the request is not cross-site as far as the browser tells (or is not from a
 * browser at all).
 */
function actingOrigin(req: IncomingMessage): string | null | undefined {
  const origin = req.headers.origin;
  if (origin) return origin;
  const site = req.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return undefined;
  const referer = req.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

/** Compiles `allowedOrigins` once into a per-request check; `'*'` compiles to "allow everything". */
export function compileOriginPolicy(policy: OriginPolicy): OriginCheck | undefined {
  if (policy === '*') return undefined;
  let allows: (origin: string, req: IncomingMessage) => boolean;
  if (typeof policy === 'function') {
    allows = policy;
  } else {
    const exact = new Set(policy.filter((p): p is string => typeof p === 'string' && !p.includes('*')).map((p) => p.toLowerCase()));
    const patterns = policy.map((p) => (typeof p === 'string' ? (p.includes('*') ? patternToRegExp(p) : null) : p)).filter((p) => p !== null);
    allows = (origin) => exact.has(origin.toLowerCase()) || patterns.some((p) => p.test(origin));
  }
  return (req) => {
    const origin = actingOrigin(req);
    if (origin === undefined) return true;
    return origin !== null && allows(origin, req);
  };
}

/** `frame-ancestors` sources for the iframe page, when the policy is a plain list a CSP can express. */
export function frameAncestors(policy: OriginPolicy): string | undefined {
  if (policy === '*' || typeof policy === 'function') return undefined;
  if (policy.some((p) => typeof p !== 'string')) return undefined;
  return policy.length === 0 ? "'none'" : ["'self'", ...policy].join(' ');
}
