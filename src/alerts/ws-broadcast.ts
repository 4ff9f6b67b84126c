/**
 * The fan-out of the alert feed: alerts and engine counters to every connected client, in order,
 * without ever holding the event loop for long and without letting a slow client grow the memory.
 *
 * 1. Batch. `write` serialises an alert once and appends it to the pending batch; `stats` marks the
 *    counters pending. Nothing is sent yet.
 * 2. Round. In a later turn of the event loop the pending batch is sealed: its alerts enter the
 *    replay ring, and the clients connected at that moment become the round's targets.
 *    Each target gets one frame with the alerts its subscription accepts (`alert` for one, `alerts`
 *    for several), then the counters if they were pending (alerts before the counters that count
 *    them). A frame is built and UTF-8 encoded once per distinct subscription and shared as one
 *    Buffer by all its clients (the sockets write it without copying; a lagging client holds a
 *    reference, not a copy). Rounds never overlap: alerts written during a round wait for the next,
 *    so under load batches grow and frames grow fewer, while the bytes per client stay the same.
 *    Rounds start at least {@link ROUND_INTERVAL_MS} apart, and at least twice the CPU time of the
 *    previous round apart: sends (one system call each) stay at most 20 per client per second
 *    however the engine spreads its alerts over turns of the event loop, and the broadcast takes at
 *    most half of the event loop however many clients there are (the other half is the engine's
 *    and new clients'). A lone alert after a quiet spell leaves at once.
 * 3. Slices. A round runs in slices of about {@link SLICE_MS} with a setImmediate between them, so
 *    the event loop's poll phase runs between slices. This is what keeps connection setup going
 *    while alerts flow: the libuv of Node 20 (1.46) accepts one connection per event-loop iteration
 *    (libuv PR #3696, "don't accept() connections in a loop"), so a broadcast done in one long turn
 *    let in one new client per broadcast, and the kernel's accept queue overflowed.
 * 4. New client. `add` sends the replay (the ring, i.e. the alerts of batches already sealed,
 *    filtered by the client's subscription, in one frame, cached per subscription until the ring
 *    changes), then `ready`, then the last counters. The client is a target of every round sealed
 *    after that, whose alerts are exactly those written after its replay: none lost, none twice.
 * 5. Backpressure. Before each send, a client whose `bufferedAmount` (bytes accepted by `send` and
 *    not yet taken by the kernel) passes `maxBufferedBytes` is terminated and counted in
 *    `droppedClients`. The engine is never slowed by a client.
 */
import { WebSocket } from 'ws';
import { alertJson, type Alert } from './alert.js';
import type { EngineStats } from './sink.js';
import { accepts, alertsFrame, statsFrame, subscriptionKey, type Subscription } from './ws-protocol.js';
import { Ring } from './ws-ring.js';

/** Length of one slice of a round, ms, before the event loop gets a turn (step 3). */
export const SLICE_MS = 2;
/** Least time between the starts of two rounds, ms (step 2): the latency a steady stream adds. */
export const ROUND_INTERVAL_MS = 50;
/** Most of the event loop's time the rounds take (step 2). */
const BROADCAST_SHARE = 0.5;
/** Clients served between two looks at the clock. */
const CLOCK_EVERY = 16;

/** A connected client of the feed. */
export interface Client {
  readonly ws: WebSocket;
  subscription: Subscription;
  /** {@link subscriptionKey} of `subscription`: clients with equal keys share frames. */
  key: string;
  /** Whether the client answered the last heartbeat ping (kept by the lifecycle). */
  alive: boolean;
}

interface Sealed {
  readonly rule: string;
  readonly severity: Alert['severity'];
  /** The alert's JSON text, serialised once. */
  readonly json: string;
}

/** A batch being delivered (step 2). */
interface Round {
  readonly alerts: readonly Sealed[];
  /** The counters frame, when counters were pending. */
  readonly stats: Buffer | null;
  /** The clients connected when the batch was sealed. */
  readonly targets: readonly Client[];
  /** Index of the next target. */
  next: number;
  /** performance.now() when it was sealed. */
  readonly start: number;
  /** Time spent in its slices so far, ms. */
  busyMs: number;
  /** Frame per subscription key; null when no alert of the batch passes the subscription. */
  readonly frames: Map<string, Buffer | null>;
}

/** Clients and the alerts and counters they receive (steps 1-5 above). */
export class Broadcaster {
  private readonly clientsByWs = new Map<WebSocket, Client>();
  private readonly ring: Ring<Sealed>;
  /** Replay frame per subscription key, valid until the ring changes (step 4). */
  private readonly replays = new Map<string, { readonly frame: Buffer | null; readonly count: number }>();
  private pending: Sealed[] = [];
  private pendingStats = false;
  private lastStats: EngineStats | null = null;
  private round: Round | null = null;
  /** performance.now() before which the next round may not start (step 2). */
  private nextRoundAt = -Infinity;
  private scheduled = false;
  /** Alerts written so far. */
  alerts = 0;
  /** Clients terminated because their unsent bytes passed `maxBufferedBytes` (step 5). */
  droppedClients = 0;

  constructor(private readonly options: { readonly replay: number; readonly maxBufferedBytes: number }) {
    this.ring = new Ring<Sealed>(options.replay);
  }

  /** Clients connected now. */
  get size(): number {
    return this.clientsByWs.size;
  }

  /** The connected clients (the heartbeat walks them). */
  clients(): IterableIterator<Client> {
    return this.clientsByWs.values();
  }

  /** Registers an open socket and sends it the replay, `ready` and the last counters (step 4). */
  add(ws: WebSocket, subscription: Subscription): Client {
    const client: Client = { ws, subscription, key: subscriptionKey(subscription), alive: true };
    this.clientsByWs.set(ws, client);
    const { frame, count } = this.replayFor(client);
    if (frame !== null) this.send(client, frame);
    this.send(client, JSON.stringify({ type: 'ready', replayed: count }));
    if (this.lastStats !== null) this.send(client, statsFrame(this.lastStats, this.serverCounters()));
    return client;
  }

  /** Takes a new subscription; it applies to the frames built from now on. */
  resubscribe(client: Client, subscription: Subscription): void {
    client.subscription = subscription;
    client.key = subscriptionKey(subscription);
  }

  /** Forgets a client (its socket closed or is being closed). */
  remove(ws: WebSocket): void {
    this.clientsByWs.delete(ws);
  }

  /** Sends one frame to one client, unless it lags too far behind: then it is dropped (step 5). */
  send(client: Client, frame: Buffer | string): void {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.options.maxBufferedBytes) {
      if (this.clientsByWs.delete(ws)) this.droppedClients++;
      ws.terminate();
      return;
    }
    ws.send(frame, { binary: false });
  }

  /** Step 1: queues an alert for the clients connected now. */
  write(alert: Alert): void {
    this.alerts++;
    this.pending.push({ rule: alert.rule, severity: alert.severity, json: alertJson(alert) });
    if (this.clientsByWs.size === 0) this.seal(); // nobody to send to: straight into the ring
    else this.schedule();
  }

  /** Step 1: queues the engine's counters (the latest win) after the alerts written before them. */
  stats(stats: EngineStats): void {
    this.lastStats = stats;
    this.pendingStats = true;
    if (this.clientsByWs.size > 0) this.schedule();
  }

  /** Delivers the round under way and what is pending now, in one go (at close). */
  drain(): void {
    while (this.round !== null || this.pending.length > 0 || this.pendingStats) this.step(Infinity);
  }

  /** The server's counters that travel in a stats frame. */
  serverCounters(): { clients: number; droppedClients: number } {
    return { clients: this.clientsByWs.size, droppedClients: this.droppedClients };
  }

  /** Runs the next slice in a later turn: at once within a round, else when the interval has passed. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.round === null ? this.nextRoundAt - performance.now() : 0;
    if (wait >= 1) setTimeout(this.run, wait);
    else setImmediate(this.run);
  }

  /** One slice (step 3), then another turn if the round is not done or more is pending. */
  private readonly run = (): void => {
    this.scheduled = false;
    if (this.step(SLICE_MS)) this.schedule();
  };

  /**
   * Seals a round if none is under way and serves its targets for about `sliceMs`.
   * @returns whether work remains.
   */
  private step(sliceMs: number): boolean {
    const round = this.round ?? this.seal();
    if (round === null) return false;
    this.round = round;
    const start = performance.now();
    const { targets } = round;
    while (round.next < targets.length) {
      const client = targets[round.next++];
      if (this.clientsByWs.get(client.ws) !== client) continue; // gone since the round was sealed
      const frame = this.frameFor(round, client);
      if (frame !== null) this.send(client, frame);
      if (round.stats !== null) this.send(client, round.stats);
      if (round.next % CLOCK_EVERY === 0 && round.next < targets.length && performance.now() - start >= sliceMs) {
        round.busyMs += performance.now() - start;
        return true;
      }
    }
    round.busyMs += performance.now() - start;
    this.nextRoundAt = round.start + Math.max(ROUND_INTERVAL_MS, round.busyMs / BROADCAST_SHARE);
    this.round = null;
    return this.pending.length > 0 || this.pendingStats;
  }

  /** Step 2: the pending alerts enter the ring and become a round for the clients connected now. */
  private seal(): Round | null {
    if (this.pending.length === 0 && !this.pendingStats) return null;
    const alerts = this.pending;
    this.pending = [];
    if (alerts.length > 0 && this.options.replay > 0) {
      for (const alert of alerts) this.ring.push(alert);
      this.replays.clear();
    }
    const stats = this.pendingStats && this.lastStats !== null ? Buffer.from(statsFrame(this.lastStats, this.serverCounters())) : null;
    this.pendingStats = false;
    if (this.clientsByWs.size === 0) return null;
    return { alerts, stats, targets: [...this.clientsByWs.values()], next: 0, start: performance.now(), busyMs: 0, frames: new Map() };
  }

  /** The frame of a round's alerts that a client's subscription accepts, built once per subscription. */
  private frameFor(round: Round, client: Client): Buffer | null {
    let frame = round.frames.get(client.key);
    if (frame === undefined) {
      const jsons = round.alerts.filter((a) => accepts(client.subscription, a.rule, a.severity)).map((a) => a.json);
      frame = jsons.length === 0 ? null : Buffer.from(alertsFrame(jsons));
      round.frames.set(client.key, frame);
    }
    return frame;
  }

  /** The replay frame for a client's subscription and how many alerts it holds (step 4). */
  private replayFor(client: Client): { readonly frame: Buffer | null; readonly count: number } {
    let replay = this.replays.get(client.key);
    if (replay === undefined) {
      const jsons = this.ring.toArray().filter((a) => accepts(client.subscription, a.rule, a.severity)).map((a) => a.json);
      replay = { frame: jsons.length === 0 ? null : Buffer.from(alertsFrame(jsons)), count: jsons.length };
      this.replays.set(client.key, replay);
    }
    return replay;
  }
}
