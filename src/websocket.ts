/**
 * `cep-engine/websocket`: the WebSocket alert server with its live dashboard (ws), kept out of the
 * package root so that importing `cep-engine` does not load ws. Protocol: `alerts/ws-protocol.ts`.
 *
 * ```ts
 * import { startAlertServer } from 'cep-engine/websocket';
 * const server = await startAlertServer({ port: 8080 }); // an AlertSink; open server.dashboardUrl
 * ```
 */
export { startAlertServer, dashboardNotice } from './alerts/ws-sink.js';
export type { AlertServer, AlertServerCounters } from './alerts/ws-sink.js';
export type { AlertServerOptions } from './alerts/ws-options.js';
