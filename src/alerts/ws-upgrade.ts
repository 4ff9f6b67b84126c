/**
 * The gate of the alert feed: decides from the HTTP upgrade request alone whether a WebSocket may be
 * opened, before one exists (ws in `noServer` mode; the role of ws's `verifyClient` and the checks at
 * the top of `WebSocketServer.handleUpgrade`). The checks, in order, each refusal a plain HTTP answer:
 *
 * 1. Path: only `/ws` upgrades (404); a request target that is not a URL is 400.
 * 2. Origin: a web page of an origin the policy refuses gets 403 (`ws-origin.ts`).
 * 3. Token: the `token` query parameter, else a `cep.token.<token>` subprotocol, compared in constant
 *    time (the SHA-256 digests, so the length leaks nothing either); missing or wrong is 401.
 * 4. Subscription: `rules`/`severities` in the query must parse (400).
 *
 * Whether the server has room or is closing (503) is the lifecycle's to say (`ws-sink.ts`). No
 * answer and no error ever repeats the request target: it may carry the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { originAllowed, type OriginPolicy } from './ws-origin.js';
import { subscriptionFromQuery, type Subscription } from './ws-protocol.js';

/** The subprotocol the server speaks; a browser that sends its token as a subprotocol also offers this one. */
export const PROTOCOL = 'cep.v1';
const TOKEN_PROTOCOL_PREFIX = 'cep.token.';

/** The HTTP status of a refused request and the one line of text sent with it. */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 404 | 503;
  readonly text: string;
}

/** What the gate decided: the client's subscription, or why not. */
export type Verdict = { readonly ok: true; readonly subscription: Subscription } | ({ readonly ok: false } & Refusal);

const refused = (status: Refusal['status'], text: string): Verdict => ({ ok: false, status, text });

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * The URL of a request, or null when its target is not one (`GET http://[ HTTP/1.1` is a valid
 * request line that `new URL` refuses; letting that throw would crash the server and print the
 * target, token included, in the crash report).
 */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** The token a client presented: the `token` query parameter, else a `cep.token.<token>` subprotocol. */
function presentedToken(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const entry = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry === undefined ? null : entry.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/** Checks upgrade requests against one token and one Origin policy. */
export class UpgradeGate {
  private readonly tokenDigest: Buffer;

  constructor(token: string, private readonly origins: OriginPolicy) {
    this.tokenDigest = digest(token);
  }

  /** Whether a request's `Origin` passes the policy (also used for the dashboard's own files). */
  allowsOrigin(req: IncomingMessage): boolean {
    return originAllowed(this.origins, req.headers.origin, req.headers.host);
  }

  /** Steps 1-4 of the module comment, in order. Never throws. */
  check(req: IncomingMessage): Verdict {
    const url = requestUrl(req);
    if (url === null) return refused(400, 'the request target is not a URL');
    if (url.pathname !== '/ws') return refused(404, 'the alert feed is at /ws');
    if (!this.allowsOrigin(req)) return refused(403, 'this origin may not open the feed (the server allows its own and those given by --ws-origin)');
    const token = presentedToken(req, url);
    if (token === null || !timingSafeEqual(digest(token), this.tokenDigest)) {
      return refused(401, 'a valid token is required: ?token=… or the subprotocol cep.token.<token>');
    }
    try {
      return { ok: true, subscription: subscriptionFromQuery(url.searchParams) };
    } catch (error) {
      return refused(400, (error as Error).message);
    }
  }
}

/** Answers a request that asked to upgrade with a bare HTTP error, then closes the socket. */
export function refuse(socket: Duplex, { status, text }: Refusal): void {
  if (!socket.writable) return void socket.destroy();
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
