/**
 * The Origin policy of the alert server: which web pages may open the feed. It defends against
 * cross-site WebSocket hijacking (a page on another site opening the feed from the user's browser);
 * the token stays the authentication. A browser always sends `Origin` on a WebSocket handshake
 * (RFC 6455 section 10.2) and on cross-origin requests; a CLI or server-side client sends none, and
 * could send any, so a request without `Origin` does not come from a web page and passes.
 *
 * A request passes when:
 * 1. it carries no `Origin`; or
 * 2. its Origin is the server's own: the same host and port as the request's `Host` (the dashboard
 *    this server serves; also a reverse proxy that keeps `Host`); or
 * 3. its Origin is on the allow-list (`--ws-origin`), or the list holds `*` (any origin).
 *
 * Step 2 trusts `Host`, so a page that reaches the server under its own name by DNS rebinding
 * passes it; the token is what stops that page (it cannot read the token from this server's pages).
 *
 * Origins are compared serialised (RFC 6454 section 6.1): scheme, lower-case host, and the port only
 * when it is not the scheme's default (`http://Example.com:80` is `http://example.com`).
 */

/** The allow-list, checked and normalised once (see {@link resolveOrigins}). */
export interface OriginPolicy {
  /** The list holds `*`: every origin passes. */
  readonly any: boolean;
  /** Serialised origins that pass besides the server's own. */
  readonly allowed: ReadonlySet<string>;
}

/** The policy without `--ws-origin`: no Origin, or the server's own. */
export const OWN_ORIGIN_ONLY: OriginPolicy = { any: false, allowed: new Set() };

const SHAPE = 'write scheme://host[:port] such as http://localhost:8080 (no path), or * for any origin';

/** The serialised origin of `text`, or null when it is not an http(s) origin without a path. */
function serialise(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(text)) return null; // `http://h/` is an origin, `http://h/x` or `http://h?` is not
  return url.origin;
}

/**
 * Checks and normalises the allow-list of the `origins` option.
 * @returns the list of serialised origins (`*` kept as is), or undefined when none is given (the
 *   default policy: the server's own origin only).
 * @throws TypeError naming the entry that is not an origin, and what to write instead.
 */
export function resolveOrigins(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`alert server option 'origins' (--ws-origin) must be a list of origins; ${SHAPE}`);
  const origins: string[] = [];
  for (const entry of value as unknown[]) {
    if (entry === '*') {
      origins.push('*');
      continue;
    }
    if (entry === 'null') {
      throw new TypeError(`alert server option 'origins' (--ws-origin) cannot allow the origin "null": file:// pages and sandboxed frames of any site send it; serve the page over http(s) and list that origin`);
    }
    const origin = typeof entry === 'string' ? serialise(entry) : null;
    if (origin === null) throw new TypeError(`alert server option 'origins' (--ws-origin): ${JSON.stringify(entry)} is not an origin; ${SHAPE}`);
    origins.push(origin);
  }
  return origins.length === 0 ? undefined : origins;
}

/** The policy of a resolved list (see {@link resolveOrigins}). */
export function originPolicy(origins: readonly string[] | undefined): OriginPolicy {
  if (origins === undefined) return OWN_ORIGIN_ONLY;
  return { any: origins.includes('*'), allowed: new Set(origins.filter((o) => o !== '*')) };
}

/**
 * Whether a request with these `Origin` and `Host` headers passes the policy (steps 1-3 above).
 * Never throws: a malformed header simply does not pass.
 */
export function originAllowed(policy: OriginPolicy, origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (policy.any) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (policy.allowed.has(url.origin)) return true;
  if (host === undefined || host === '' || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  try {
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}
