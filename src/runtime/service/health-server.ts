/**
 * The HTTP endpoints of `--metrics [host:]port` (DSL.md section 10), for Prometheus and Kubernetes:
 * - `GET /metrics`: the Prometheus text exposition ({@link createMetrics});
 * - `GET /healthz`: 200 `ok` while the process works (its event loop answers);
 * - `GET /readyz`: 200 `ready` once the engine runs and every source is ready (Kafka: partitions
 *   assigned, no state restore in flight), else 503 with the reason.
 * Anything else is 404. The server starts before the inputs are opened, so that a probe gets an
 * answer (503 not ready) while Kafka connects and state is restored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiveError } from '../../alerts/live-error.js';
import { createMetrics, type EngineRef } from './metrics.js';

/** Options of {@link startHealthServer}. */
export interface HealthServerOptions {
  /** Interface to listen on (`--metrics` host; default 127.0.0.1, `0.0.0.0` in a container). */
  readonly host: string;
  /** TCP port; 0 picks a free one (read it from `port`). */
  readonly port: number;
  /** The running engine, or `null` before it starts and after it stopped. */
  readonly engine: EngineRef;
}

/** A listening metrics and health server. */
export interface HealthServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts listening. @throws LiveError `CEP_METRICS_LISTEN` (with the cause: EADDRINUSE, EACCES,
 * ...) when the server cannot listen.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const metrics = createMetrics(options.engine);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'GET only\n');
    if (path === '/healthz') return answer(200, 'ok\n');
    if (path === '/readyz') {
      const engine = options.engine();
      if (engine === null) return answer(503, 'not ready: the engine is not running\n');
      return engine.ready() ? answer(200, 'ready\n') : answer(503, 'not ready: inputs not assigned or state being restored\n');
    }
    if (path === '/metrics') {
      metrics.scrape().then(
        (text) => answer(200, text, metrics.registry.contentType),
        (error: unknown) => answer(500, `cannot collect the metrics: ${(error as Error).message}\n`),
      );
      return;
    }
    answer(404, 'not found: /metrics, /healthz, /readyz\n');
  });
  server.keepAliveTimeout = 5000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new LiveError('CEP_METRICS_LISTEN', `cannot serve --metrics on ${options.host}:${options.port}: ${(error as Error).message}`, { retriable: (error as NodeJS.ErrnoException).code === 'EADDRINUSE', cause: error, context: { host: options.host, port: options.port } });
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host;
  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
