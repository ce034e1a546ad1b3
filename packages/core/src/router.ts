import { pathToRegexp } from 'path-to-regexp';

type Params = Partial<Record<string, string>>;

export interface RouteDefinition<H> {
  readonly method: string;
  /** path-to-regexp pattern relative to the prefix; `:server` and `:session` are id segments. */
  readonly path: string;
  readonly handler: H;
}

interface CompiledRoute<H> extends RouteDefinition<H> {
  readonly match: (path: string) => Params | undefined;
}

export type RouteResult<H> =
  | { readonly kind: 'found'; readonly handler: H; readonly params: Params }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

/** Server and session ids are one segment without `.` (PROTOCOL.md 1.3). */
const ID_SEGMENT = /^[^/.]+$/;
/** What may stand between `/iframe` and `.html` (2.4). */
const IFRAME_SUFFIX = /^[0-9a-z_.-]*$/;

const NOT_FOUND = { kind: 'not-found' } as const;

function paramsAreValid(params: Params): boolean {
  const { server, session, suffix } = params;
  return (
    (server === undefined || ID_SEGMENT.test(server)) &&
    (session === undefined || ID_SEGMENT.test(session)) &&
    (suffix === undefined || IFRAME_SUFFIX.test(suffix))
  );
}

/**
 * A matcher for `pattern` whose parameters come back, undecoded, in an object
 * of one fixed shape. path-to-regexp's own `match` builds them in an
 * `Object.create(null)`, a dictionary of about 200 bytes: per request, and
 * every xhr-polling message is two requests.
 */
function compileMatcher(pattern: string): (path: string) => Params | undefined {
  const { regexp, keys } = pathToRegexp(pattern, { trailing: true, sensitive: true });
  const names = keys.map((key) => key.name);
  return (path) => {
    const groups = regexp.exec(path);
    if (groups === null) return undefined;
    const params: Params = { server: undefined, session: undefined, suffix: undefined };
    for (let i = 1; i < groups.length; i++) {
      const value = groups[i];
      if (value !== undefined) params[names[i - 1]!] = value;
    }
    return params;
  };
}

/** The literal last segment of a pattern (`xhr_send` for `/:server/:session/xhr_send`), or undefined if it has parameters. */
function literalTail(pattern: string): string | undefined {
  const tail = pattern.slice(pattern.lastIndexOf('/') + 1);
  return /[:{}*]/.test(tail) ? undefined : tail;
}

/** The last segment of a request path, ignoring the one trailing slash routes accept. */
function pathTail(path: string): string {
  const end = path.endsWith('/') ? path.length - 1 : path.length;
  return path.slice(path.lastIndexOf('/', end - 1) + 1, end);
}

/**
 * The route table under one prefix, compiled once. Paths are matched as they
 * came on the wire (not percent-decoded), each with one optional trailing
 * slash; a path that matches only under other methods gives 405 with `Allow`
 * listing them in table order (1.4).
 */
export class Router<H> {
  /** Candidates per literal last segment, in table order, each list including the routes whose tail is a parameter. */
  readonly #byTail = new Map<string, readonly CompiledRoute<H>[]>();
  readonly #untailed: readonly CompiledRoute<H>[];

  constructor(routes: readonly RouteDefinition<H>[]) {
    const compiled = routes.map((route) => ({
      ...route,
      tail: literalTail(route.path),
      match: compileMatcher(route.path),
    }));
    this.#untailed = compiled.filter((r) => r.tail === undefined);
    for (const { tail } of compiled) {
      if (tail !== undefined && !this.#byTail.has(tail)) {
        this.#byTail.set(tail, compiled.filter((r) => r.tail === tail || r.tail === undefined));
      }
    }
  }

  route(method: string, path: string): RouteResult<H> {
    let allow: string[] | undefined;
    const candidates = this.#byTail.get(pathTail(path)) ?? this.#untailed;
    for (let i = 0; i < candidates.length; i++) {
      const route = candidates[i]!;
      const params = route.match(path);
      if (params === undefined || !paramsAreValid(params)) continue;
      if (route.method === method) return { kind: 'found', handler: route.handler, params };
      (allow ??= []).push(route.method);
    }
    return allow ? { kind: 'method-not-allowed', allow } : NOT_FOUND;
  }
}

/** True when `path` belongs to a service mounted at `prefix` (equal, or prefix + `/…`). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  return prefix === '' || (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47));
}

export interface SplitUrl {
  readonly path: string;
  readonly query: string;
}

/** Splits a raw request URL into its undecoded path and the query string. */
export function splitUrl(url: string): SplitUrl {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
