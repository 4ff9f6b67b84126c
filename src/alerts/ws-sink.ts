/**
 * The WebSocket alert sink with its live dashboard: one HTTP server that serves the dashboard at `/`
 * and upgrades `/ws` to a WebSocket feed of alerts and engine counters (protocol in
 * `ws-protocol.ts`). Built like ws itself, one concern per file:
 *
 * - upgrade and authentication: `ws-upgrade.ts` (path, Origin, token, subscription), with the Origin
 *   policy in `ws-origin.ts`; ws runs in `noServer` mode so that the checks happen on the HTTP
 *   server's `upgrade` event, before any WebSocket exists;
 * - broadcast: `ws-broadcast.ts` (batches, rounds in time slices, shared frames, replay, slow clients);
 * - a connection's lifecycle: `ws-connection.ts` (join the broadcast, subscription messages,
 *   heartbeat: a client that did not answer the previous ping is terminated, `deadClients`; close
 *   with 1001);
 * - the server's lifecycle: this file. Listen; admit an upgrade that passed the gate unless closing
 *   or full (503); close: deliver what is pending, close every client, then the HTTP server.
 *
 * The server writes no log. {@link dashboardNotice} is the line a caller prints about it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Alert } from './alert.js';
import { LiveError } from './live-error.js';
import type { AlertSink, EngineStats } from './sink.js';
import { Broadcaster } from './ws-broadcast.js';
import { closeClients, connect, startHeartbeat } from './ws-connection.js';
import { resolveAlertServerOptions, type AlertServerOptions, type ResolvedAlertServerOptions } from './ws-options.js';
import { originPolicy } from './ws-origin.js';
import { preloadStaticFiles, serveStatic } from './ws-static.js';
import { PROTOCOL, refuse, UpgradeGate, type Verdict } from './ws-upgrade.js';

export { PROTOCOL } from './ws-upgrade.js';

/** The server's own counters. */
export interface AlertServerCounters {
  /** Clients connected now. */
  readonly clients: number;
  /** Clients terminated because their unsent bytes passed `maxBufferedBytes`. */
  readonly droppedClients: number;
  /** Clients terminated because they did not answer a heartbeat ping. */
  readonly deadClients: number;
  /** Upgrades refused (400 bad request or subscription, 401 bad token, 403 origin not allowed, 404 wrong path, 503 closing or too many clients). */
  readonly rejectedUpgrades: number;
  /** Alerts broadcast so far. */
  readonly alerts: number;
}

/** A running alert server: an {@link AlertSink} plus where it listens. */
export interface AlertServer extends AlertSink {
  /** The bound interface and port (the actual port when 0 was asked). */
  readonly host: string;
  readonly port: number;
  /** The token clients must present. Never log it: see {@link dashboardNotice}. */
  readonly token: string;
  /** Whether the token was generated (then only {@link dashboardUrl} tells it to a person). */
  readonly tokenGenerated: boolean;
  /** `http://HOST:PORT/?token=…`: the dashboard, authenticated (carries the token). */
  readonly dashboardUrl: string;
  /** `ws://HOST:PORT/ws?token=…`: the feed, authenticated (carries the token). */
  readonly feedUrl: string;
  counters(): AlertServerCounters;
  /** Closes every client (code 1001), then the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/** `http://HOST:PORT/` of a server, the host bracketed when it is IPv6. */
function pageUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/**
 * The line that tells a person where the dashboard is, for the CLI's stderr. A token given by the
 * user (`--ws-token`, `CEP_WS_TOKEN`) never appears: the user has it. A generated token appears, in
 * the dashboard's URL, only when `toTerminal` (a person reads it there, and it is the only way to
 * learn it); otherwise stderr is a log, and the line says how to choose a token instead.
 */
export function dashboardNotice(server: Pick<AlertServer, 'host' | 'port' | 'tokenGenerated' | 'dashboardUrl'>, toTerminal: boolean): string {
  const page = pageUrl(server.host, server.port);
  if (!server.tokenGenerated) return `cep: live dashboard at ${page} (add ?token= with the token of --ws-token or CEP_WS_TOKEN)`;
  if (toTerminal) return `cep: live dashboard at ${server.dashboardUrl} (token generated for this run; set CEP_WS_TOKEN to choose one)`;
  return `cep: live dashboard at ${page}; its token was generated and is not printed where it could be logged: set CEP_WS_TOKEN to choose one`;
}

/**
 * Starts the alert server and resolves once it listens.
 * @throws TypeError/RangeError for bad options (see {@link resolveAlertServerOptions});
 *   LiveError `CEP_WS_LISTEN` (with `host`, `port`, and the `EADDRINUSE`/`EACCES` error as `cause`) when it cannot listen.
 */
export async function startAlertServer(options: AlertServerOptions = {}): Promise<AlertServer> {
  const opts = resolveAlertServerOptions(options);
  preloadStaticFiles();
  const gate = new UpgradeGate(opts.token, originPolicy(opts.origins));
  const feed = new Broadcaster(opts);
  const counts = { deadClients: 0, rejectedUpgrades: 0 };
  let closing: Promise<void> | null = null;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: opts.maxPayload,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  const server: Server = createServer((req, res) => {
    if (gate.allowsOrigin(req)) return serveStatic(req, res);
    res.writeHead(403, { 'Content-Type': 'text/plain' }).end('this origin may not read the dashboard\n');
  });
  /** The gate's verdict, then the lifecycle's: no room while closing or full (503). */
  const admit = (req: IncomingMessage): Verdict => {
    const verdict = gate.check(req);
    if (!verdict.ok) return verdict;
    if (closing !== null) return { ok: false, status: 503, text: 'the server is shutting down' };
    if (feed.size >= opts.maxClients) return { ok: false, status: 503, text: `too many clients (at most ${opts.maxClients})` };
    return verdict;
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = admit(req);
    if (!verdict.ok) {
      counts.rejectedUpgrades++;
      return refuse(socket, verdict);
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(feed, ws, verdict.subscription));
  });
  const heartbeat = startHeartbeat(feed, opts.heartbeatMs, () => counts.deadClients++);

  try {
    await listen(server, opts);
  } catch (error) {
    clearInterval(heartbeat);
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const page = pageUrl(opts.host, port);
  const query = `token=${encodeURIComponent(opts.token)}`;

  return {
    host: opts.host,
    port,
    token: opts.token,
    tokenGenerated: opts.tokenGenerated,
    dashboardUrl: `${page}?${query}`,
    feedUrl: `${page.replace(/^http/, 'ws')}ws?${query}`,
    counters: () => ({ clients: feed.size, droppedClients: feed.droppedClients, alerts: feed.alerts, ...counts }),

    write(alert: Alert): void {
      if (closing !== null) throw new LiveError('CEP_SINK_CLOSED', 'write to the WebSocket alert server after close', { retriable: false });
      feed.write(alert);
    },

    stats(stats: EngineStats): void {
      feed.stats(stats);
    },

    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(heartbeat);
        feed.drain();
        await closeClients(feed);
        wss.close();
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/**
 * Listens with a backlog of `maxClients` (at least Node's 511; the kernel caps it at somaxconn), so
 * that a burst of connections waits in the kernel's queue instead of having its SYNs dropped (a
 * dropped SYN is retried after 1 s, then 3 s, 7 s, ...).
 * @throws LiveError `CEP_WS_LISTEN`.
 */
async function listen(server: Server, opts: ResolvedAlertServerOptions): Promise<void> {
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen({ port: opts.port, host: opts.host, backlog: Math.max(511, opts.maxClients) }, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LiveError('CEP_WS_LISTEN', `cannot listen on ${opts.host}:${opts.port} (${code ?? (error as Error).message})`, {
      retriable: code === 'EADDRINUSE',
      cause: error,
      context: { host: opts.host, port: opts.port },
    });
  }
}
