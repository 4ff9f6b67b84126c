/**
 * One accepted WebSocket of the alert feed, from join to close (the role of ws's `websocket.js`
 * beside its `websocket-server.js`): its messages change its subscription, a bad one gets an
 * `error` frame and the connection stays; its close or error takes it out of the broadcast; it
 * must answer each heartbeat ping before the next; and the server's shutdown closes it with 1001.
 */
import type { WebSocket } from 'ws';
import type { Broadcaster } from './ws-broadcast.js';
import { parseClientMessage, type Subscription } from './ws-protocol.js';

/** How long a client closed with 1001 has to answer before it is terminated, ms. */
const CLOSE_TIMEOUT_MS = 1000;

/** Joins an accepted socket to the feed (which sends it the replay): its messages change its subscription; its close or error removes it. */
export function connect(feed: Broadcaster, ws: WebSocket, subscription: Subscription): void {
  const client = feed.add(ws, subscription);
  ws.on('pong', () => { client.alive = true; });
  ws.on('close', () => feed.remove(ws));
  ws.on('error', () => feed.remove(ws)); // e.g. a message over maxPayload: ws closes with 1009
  ws.on('message', (data, isBinary) => {
    try {
      if (isBinary) throw new TypeError('binary messages are not accepted; send JSON text');
      feed.resubscribe(client, parseClientMessage(data.toString()));
    } catch (error) {
      feed.send(client, JSON.stringify({ type: 'error', message: (error as Error).message }));
    }
  });
}

/**
 * Pings every client each `periodMs`; a client that did not answer the previous ping is removed,
 * counted with `onDead` and terminated. Returns the (unref'd) timer; clear it to stop.
 */
export function startHeartbeat(feed: Broadcaster, periodMs: number, onDead: () => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const client of feed.clients()) {
      if (!client.alive) {
        feed.remove(client.ws);
        onDead();
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, periodMs);
  return timer.unref();
}

/** Closes every client with 1001 ("going away"); resolves when each has closed, or was terminated after {@link CLOSE_TIMEOUT_MS}. */
export async function closeClients(feed: Broadcaster): Promise<void> {
  const closed = [...feed.clients()].map(
    ({ ws }) =>
      new Promise<void>((ok) => {
        ws.once('close', () => ok());
        ws.close(1001, 'server shutting down');
        setTimeout(() => { ws.terminate(); ok(); }, CLOSE_TIMEOUT_MS).unref();
      }),
  );
  await Promise.all(closed);
}
