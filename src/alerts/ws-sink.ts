/**
 * The WebSocket alert sink with its live dashboard: one HTTP server that serves the dashboard at
 * `/` and upgrades `/ws` to a WebSocket feed of alerts and engine counters (protocol in
 * `ws-protocol.ts`). Built on ws ≥ 8 in `noServer` mode, the upgrade handled on the HTTP server's
 * `upgrade` event so that authentication happens before any WebSocket exists:
 *
 * 1. Upgrade: the path must be `/ws`; the token (query `token`, or subprotocol `cep.token.<token>`)
 *    is compared in constant time; without a valid one the answer is `401` and nothing is sent.
 * 2. A new client receives the replay ring (the last N alerts, filtered by its subscription), then
 *    `ready`, then the last counters, then the live feed.
 * 3. Broadcast: each alert is serialised once (its JSON text is shared by every client). Alerts
 *    written in the same turn of the event loop are queued per subscribed client and sent at the
 *    end of the turn as one frame: `alert` for one, `alerts` (a list) for several. A burst of
 *    alerts thus costs one socket write per client, not one per alert and client.
 * 4. Backpressure: before each send, a client whose `bufferedAmount` (bytes queued, not yet taken by
 *    the network) passes `maxBufferedBytes` is terminated and counted in `droppedClients`, so a
 *    stalled reader never makes the server's memory grow. The engine is never slowed by a client.
 * 5. Heartbeat: every `heartbeatMs` each client is pinged; one that did not answer the previous ping
 *    is terminated (counted in `deadClients`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { Alert } from './alert.js';
import { LiveError } from './live-error.js';
import type { AlertSink, EngineStats } from './sink.js';
import { resolveAlertServerOptions, type AlertServerOptions } from './ws-options.js';
import { accepts, alertsFrame, parseClientMessage, statsFrame, subscriptionFromQuery, type Subscription } from './ws-protocol.js';
import { Ring } from './ws-ring.js';
import { preloadStaticFiles, serveStatic } from './ws-static.js';

/** The subprotocol the server speaks; a browser that sends its token as a subprotocol also offers this one. */
export const PROTOCOL = 'cep.v1';
const TOKEN_PROTOCOL_PREFIX = 'cep.token.';

/** The server's own counters. */
export interface AlertServerCounters {
  /** Clients connected now. */
  readonly clients: number;
  /** Clients terminated because their unsent bytes passed `maxBufferedBytes`. */
  readonly droppedClients: number;
  /** Clients terminated because they did not answer a heartbeat ping. */
  readonly deadClients: number;
  /** Upgrades refused (401 bad token, 400 bad subscription, 404 wrong path, 503 too many clients). */
  readonly rejectedUpgrades: number;
  /** Alerts broadcast so far. */
  readonly alerts: number;
}

/** A running alert server: an {@link AlertSink} plus where it listens. */
export interface AlertServer extends AlertSink {
  /** The bound interface and port (the actual port when 0 was asked). */
  readonly host: string;
  readonly port: number;
  /** The token clients must present. */
  readonly token: string;
  /** Whether the token was generated (print {@link dashboardUrl}, which carries it). */
  readonly tokenGenerated: boolean;
  /** `http://HOST:PORT/?token=…`: the dashboard, authenticated. */
  readonly dashboardUrl: string;
  /** `ws://HOST:PORT/ws?token=…`: the feed, authenticated. */
  readonly feedUrl: string;
  counters(): AlertServerCounters;
  /** Closes every client (code 1001), then the HTTP server. Idempotent. */
  close(): Promise<void>;
}

interface Client {
  subscription: Subscription;
  alive: boolean;
  /** JSON texts of alerts waiting for the end of the turn (step 3). */
  queue: string[];
}

interface RingEntry {
  readonly rule: string;
  readonly severity: Alert['severity'];
  /** The alert's JSON text. */
  readonly json: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Writes a bare HTTP error response on a socket that asked to upgrade, then closes it. */
function refuse(socket: Duplex, status: number, reason: string, text: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The token a client presented: the `token` query parameter, else a `cep.token.<token>` subprotocol. */
function presentedToken(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const entry = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry === undefined ? null : entry.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/**
 * Starts the alert server and resolves once it listens.
 * @throws TypeError/RangeError for bad options (see {@link resolveAlertServerOptions});
 *   LiveError `CEP_WS_LISTEN` (with `host`, `port`, and the `EADDRINUSE`/`EACCES` error as `cause`) when it cannot listen.
 */
export async function startAlertServer(options: AlertServerOptions = {}): Promise<AlertServer> {
  const opts = resolveAlertServerOptions(options);
  preloadStaticFiles();
  const tokenDigest = digest(opts.token);
  const clients = new Map<WebSocket, Client>();
  const ring = new Ring<RingEntry>(opts.replay);
  let lastStats: EngineStats | null = null;
  let droppedClients = 0;
  let deadClients = 0;
  let rejectedUpgrades = 0;
  let alertCount = 0;
  let closing: Promise<void> | null = null;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: opts.maxPayload,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  /** Sends a frame unless the client lags too far behind, in which case it is dropped (step 4). */
  const send = (ws: WebSocket, frame: string): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > opts.maxBufferedBytes) {
      clients.delete(ws);
      droppedClients++;
      ws.terminate();
      return;
    }
    ws.send(frame);
  };
  /** Sends each client's queued alerts as one frame (step 3). */
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    for (const [ws, client] of clients) {
      if (client.queue.length === 0) continue;
      const frame = alertsFrame(client.queue);
      client.queue = [];
      send(ws, frame);
    }
  };
  const serverCounters = (): { clients: number; droppedClients: number } => ({ clients: clients.size, droppedClients });

  const onConnection = (ws: WebSocket, subscription: Subscription): void => {
    const client: Client = { subscription, alive: true, queue: [] };
    clients.set(ws, client);
    ws.on('pong', () => { client.alive = true; });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws)); // e.g. a message over maxPayload: ws closes with 1009
    ws.on('message', (data, isBinary) => {
      try {
        if (isBinary) throw new TypeError('binary messages are not accepted; send JSON text');
        client.subscription = parseClientMessage(data.toString());
      } catch (error) {
        send(ws, JSON.stringify({ type: 'error', message: (error as Error).message }));
      }
    });
    const replay = ring.toArray().filter((e) => accepts(client.subscription, e.rule, e.severity)).map((e) => e.json);
    if (replay.length > 0) send(ws, alertsFrame(replay));
    send(ws, JSON.stringify({ type: 'ready', replayed: replay.length }));
    if (lastStats !== null) send(ws, statsFrame(lastStats, serverCounters()));
  };

  const server: Server = createServer(serveStatic);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, reason: string, text: string): void => {
      rejectedUpgrades++;
      refuse(socket, status, reason, text);
    };
    if (url.pathname !== '/ws') return reject(404, 'Not Found', 'the alert feed is at /ws');
    const token = presentedToken(req, url);
    if (token === null || !timingSafeEqual(digest(token), tokenDigest)) {
      return reject(401, 'Unauthorized', 'a valid token is required: ?token=… or the subprotocol cep.token.<token>');
    }
    if (closing !== null) return reject(503, 'Service Unavailable', 'the server is shutting down');
    if (clients.size >= opts.maxClients) return reject(503, 'Service Unavailable', `too many clients (at most ${opts.maxClients})`);
    let subscription: Subscription;
    try {
      subscription = subscriptionFromQuery(url.searchParams);
    } catch (error) {
      return reject(400, 'Bad Request', (error as Error).message);
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, subscription));
  });

  const heartbeat = setInterval(() => {
    for (const [ws, client] of clients) {
      if (!client.alive) {
        clients.delete(ws);
        deadClients++;
        ws.terminate();
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }, opts.heartbeatMs);
  heartbeat.unref();

  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port, opts.host, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (error) {
    clearInterval(heartbeat);
    const code = (error as NodeJS.ErrnoException).code;
    throw new LiveError('CEP_WS_LISTEN', `cannot listen on ${opts.host}:${opts.port} (${code ?? (error as Error).message})`, {
      retriable: code === 'EADDRINUSE',
      cause: error,
      context: { host: opts.host, port: opts.port },
    });
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const query = `token=${encodeURIComponent(opts.token)}`;

  return {
    host: opts.host,
    port,
    token: opts.token,
    tokenGenerated: opts.tokenGenerated,
    dashboardUrl: `http://${hostInUrl}:${port}/?${query}`,
    feedUrl: `ws://${hostInUrl}:${port}/ws?${query}`,
    counters: () => ({ clients: clients.size, droppedClients, deadClients, rejectedUpgrades, alerts: alertCount }),

    write(alert: Alert): void {
      if (closing !== null) throw new LiveError('CEP_SINK_CLOSED', 'write to the WebSocket alert server after close', { retriable: false });
      alertCount++;
      const json = JSON.stringify(alert);
      ring.push({ rule: alert.rule, severity: alert.severity, json });
      for (const client of clients.values()) {
        if (accepts(client.subscription, alert.rule, alert.severity)) client.queue.push(json);
      }
      if (!flushScheduled && clients.size > 0) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },

    stats(stats: EngineStats): void {
      lastStats = stats;
      flush(); // alerts before the counters that count them
      const frame = statsFrame(stats, serverCounters());
      for (const ws of clients.keys()) send(ws, frame);
    },

    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(heartbeat);
        flush();
        const closed = [...clients.keys()].map(
          (ws) =>
            new Promise<void>((ok) => {
              ws.once('close', () => ok());
              ws.close(1001, 'server shutting down');
              setTimeout(() => { ws.terminate(); ok(); }, 1000).unref();
            }),
        );
        await Promise.all(closed);
        clients.clear();
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
