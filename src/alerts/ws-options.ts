/**
 * Options of the WebSocket alert server ({@link startAlertServer} in `ws-sink.ts`), checked once at
 * construction (STYLE.md 11, after ws `websocket-server.js`): every default is written next to its
 * option, and a bad value or combination is a `TypeError`/`RangeError` whose message names the
 * option, the value and what to write instead.
 */
import { randomBytes } from 'node:crypto';
import { checkOptionNames, type OptionNames } from './option-names.js';
import { resolveOrigins } from './ws-origin.js';

/** What {@link startAlertServer} accepts; every field optional, its default beside it (times in ms, sizes in bytes). */
export interface AlertServerOptions {
  /** Interface to listen on. Default `127.0.0.1` (loopback only; say `0.0.0.0` to expose it). */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it from the server's `port`). Default 0. */
  readonly port?: number;
  /**
   * Shared secret a client must present (`?token=` in the URL, or the subprotocol `cep.token.<token>`).
   * Default: `process.env.CEP_WS_TOKEN`, else 24 random bytes in hex (the server's `url` carries it).
   */
  readonly token?: string;
  /** Alerts kept for new clients (a bounded ring): a client first receives these. Default 100. */
  readonly replay?: number;
  /** A client whose unsent bytes (`bufferedAmount`) pass this bound is dropped. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** Heartbeat period, ms: a client that has not answered the previous ping is terminated. Default 30000. */
  readonly heartbeatMs?: number;
  /** Largest message accepted from a client, bytes (ws `maxPayload`). Default 4096. */
  readonly maxPayload?: number;
  /** Most clients at once; further upgrades are answered 503. Default 1000. */
  readonly maxClients?: number;
  /**
   * Origins (`scheme://host[:port]`) of web pages that may open the feed besides the server's own
   * dashboard; `*` allows any. A browser's handshake from any other origin is answered 403. Clients
   * that send no Origin (CLI and server-side clients) always pass. Default: none (`ws-origin.ts`).
   */
  readonly origins?: readonly string[];
}

/** The options with every default filled in. */
export interface ResolvedAlertServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Whether the token was generated (the caller should print the URL that carries it). */
  readonly tokenGenerated: boolean;
  readonly replay: number;
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
  readonly maxPayload: number;
  readonly maxClients: number;
  /** Serialised origins (`*` for any); undefined when none is given: the server's own origin only. */
  readonly origins?: readonly string[];
}

const OPTION_NAMES: OptionNames<AlertServerOptions> = { host: true, port: true, token: true, replay: true, maxBufferedBytes: true, heartbeatMs: true, maxPayload: true, maxClients: true, origins: true };

function integer(name: string, value: unknown, min: number, max: number, hint: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`alert server option '${name}' must be an integer, got ${JSON.stringify(value)} (${hint})`);
  if (value < min || value > max) throw new RangeError(`alert server option '${name}' must be between ${min} and ${max}, got ${value} (${hint})`);
  return value;
}

/**
 * Fills in defaults and checks every option.
 * @throws TypeError for an unknown option or a value of the wrong type; RangeError for a value out of range.
 */
export function resolveAlertServerOptions(options: AlertServerOptions, env: NodeJS.ProcessEnv = process.env): ResolvedAlertServerOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('alert server options must be an object');
  checkOptionNames('alert server', options, OPTION_NAMES);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0 || /[\s/]/.test(host)) {
    throw new TypeError(`alert server option 'host' must be a host name or IP address such as 127.0.0.1, got ${JSON.stringify(host)}`);
  }
  const port = integer('port', options.port ?? 0, 0, 65535, '0 picks a free port');
  const given = options.token ?? env.CEP_WS_TOKEN;
  if (given !== undefined) {
    if (typeof given !== 'string' || given.length < 8) {
      throw new TypeError(`the WebSocket token (--ws-token or CEP_WS_TOKEN) must be a string of at least 8 characters; leave it unset to have one generated`);
    }
    if (!/^[A-Za-z0-9._~-]+$/.test(given)) {
      throw new TypeError(`the WebSocket token (--ws-token or CEP_WS_TOKEN) may only hold letters, digits and . _ ~ - (it travels in a URL and a subprotocol)`);
    }
  }
  return {
    host,
    port,
    token: given ?? randomBytes(24).toString('hex'),
    tokenGenerated: given === undefined,
    replay: integer('replay', options.replay ?? 100, 0, 100_000, 'alerts kept for new clients'),
    maxBufferedBytes: integer('maxBufferedBytes', options.maxBufferedBytes ?? 4 * 1024 * 1024, 1024, 1024 ** 3, 'bytes a slow client may lag behind'),
    heartbeatMs: integer('heartbeatMs', options.heartbeatMs ?? 30_000, 10, 3_600_000, 'ping period in ms'),
    maxPayload: integer('maxPayload', options.maxPayload ?? 4096, 64, 1024 * 1024, 'largest client message in bytes'),
    maxClients: integer('maxClients', options.maxClients ?? 1000, 1, 100_000, 'clients at once'),
    origins: resolveOrigins(options.origins),
  };
}

/**
 * Parses the CLI's `--ws HOST:PORT` (or `PORT`, or `:PORT`; host defaults to 127.0.0.1; `[::1]:PORT` for IPv6);
 * `option` names the option in the error (`--metrics` takes the same forms).
 * @throws TypeError with the accepted forms when the text is not one of them.
 */
export function parseHostPort(text: string, option = '--ws'): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new TypeError(`${option} expects HOST:PORT, :PORT or PORT (port 0-65535), got ${JSON.stringify(text)}`);
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host, port };
}
