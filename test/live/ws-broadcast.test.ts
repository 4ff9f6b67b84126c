/**
 * The broadcast alone (`ws-broadcast.ts`), with stand-in sockets that record what is sent: one shared
 * frame per subscription, rounds at most every ROUND_INTERVAL_MS, rounds cut into time slices that give
 * the event loop turns, a client joining mid-round that gets every alert exactly once, counters after
 * the alerts they count, a lagging client dropped.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Alert } from '../../src/alerts/alert.js';
import type { EngineStats } from '../../src/alerts/sink.js';
import { Broadcaster, ROUND_INTERVAL_MS } from '../../src/alerts/ws-broadcast.js';
import { subscriptionFromQuery, type Subscription } from '../../src/alerts/ws-protocol.js';
import { sshAlerts } from './fixtures.js';

/** What a client that sends no filter receives: every rule, every severity. */
const EVERYTHING: Subscription = { rules: null, severities: null };

/** A stand-in for an open `ws` socket: records frames; `sendMs` of busy work per send. */
class FakeSocket {
  readyState = 1; // OPEN
  bufferedAmount = 0;
  terminated = false;
  readonly frames: (Buffer | string)[] = [];
  constructor(private readonly sendMs = 0) {}
  send(frame: Buffer | string): void {
    const until = performance.now() + this.sendMs;
    while (performance.now() < until);
    this.frames.push(frame);
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  /** The messages received, parsed. */
  messages(): { type: string; alert?: Alert; alerts?: Alert[]; replayed?: number; stats?: { alerts: number } }[] {
    return this.frames.map((f) => JSON.parse(f.toString()));
  }
  alerts(): Alert[] {
    return this.messages().flatMap((m) => (m.type === 'alert' ? [m.alert!] : m.type === 'alerts' ? m.alerts! : []));
  }
}

const ws = (s: FakeSocket): WebSocket => s as unknown as WebSocket;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Resolves once `done()` holds (checked every ROUND_INTERVAL_MS) or after `timeoutMs`, whichever comes first. */
const settle = async (done: () => boolean, timeoutMs: number): Promise<void> => {
  for (const deadline = Date.now() + timeoutMs; !done() && Date.now() < deadline; ) await wait(ROUND_INTERVAL_MS);
};
const alerts = sshAlerts();
const stats = (n: number): EngineStats => ({
  events: n, eventsPerSecond: 0, badRecords: 0, lateEvents: 0, alerts: n, alertsByRule: {}, watermark: 0, watermarkLag: 0, partialMatches: 0, keys: 0,
});

describe('Broadcaster', () => {
  it('sends one frame per round, the same Buffer to every client with an equal subscription', async () => {
    const feed = new Broadcaster({ replay: 0, maxBufferedBytes: 1 << 20 });
    const [a, b, c] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    feed.add(ws(a), EVERYTHING);
    feed.add(ws(b), subscriptionFromQuery(new URLSearchParams()));
    feed.add(ws(c), subscriptionFromQuery(new URLSearchParams('severities=critical')));
    for (const alert of alerts.slice(0, 50)) feed.write(alert);
    await wait(ROUND_INTERVAL_MS);
    const [fa, fb, fc] = [a.frames.at(-1), b.frames.at(-1), c.frames.at(-1)];
    expect(a.frames).toHaveLength(2); // ready, then the round
    expect(fa).toBe(fb);
    expect(fa).not.toBe(fc);
    expect(a.alerts()).toEqual(alerts.slice(0, 50));
    expect(c.alerts()).toEqual(alerts.slice(0, 50).filter((x) => x.severity === 'critical'));
  });

  it('starts rounds at most every ROUND_INTERVAL_MS under a steady stream; a lone alert leaves at once', async () => {
    const feed = new Broadcaster({ replay: 0, maxBufferedBytes: 1 << 20 });
    const a = new FakeSocket();
    feed.add(ws(a), EVERYTHING);
    await wait(ROUND_INTERVAL_MS + 5);
    feed.write(alerts[0]);
    await turn();
    await turn();
    expect(a.alerts()).toEqual([alerts[0]]); // no timer in the way of a lone alert
    const start = performance.now();
    let written = 1;
    while (performance.now() - start < 6 * ROUND_INTERVAL_MS) {
      feed.write(alerts[written++ % alerts.length]);
      await turn();
    }
    await wait(2 * ROUND_INTERVAL_MS);
    const rounds = a.frames.length - 2; // minus ready and the lone alert's
    expect(a.alerts()).toHaveLength(written);
    expect(written).toBeGreaterThan(20);
    expect(rounds).toBeLessThanOrEqual(8); // 6 intervals, give or take the ends
  });

  it('cuts a long round into slices that let the event loop turn, and a client that joins mid-round gets each alert once', async () => {
    const feed = new Broadcaster({ replay: 100, maxBufferedBytes: 1 << 20 });
    const slow = Array.from({ length: 300 }, () => new FakeSocket(0.1)); // one round: ~30 ms of sends
    for (const s of slow) feed.add(ws(s), EVERYTHING);
    for (const alert of alerts.slice(0, 10)) feed.write(alert);
    let midRound = 0; // turns of the event loop taken while the round was part done
    let late: FakeSocket | null = null;
    const ticker = (): void => {
      const served = slow.filter((s) => s.frames.length >= 2).length; // ready, then the round's frame
      if (served > 0 && served < slow.length) {
        midRound++;
        if (late === null) {
          late = new FakeSocket();
          feed.add(ws(late), EVERYTHING); // the round's alerts come in its replay
          feed.write(alerts[10]); // for the next round
        }
      }
      if (slow.at(-1)!.frames.length < 3) setImmediate(ticker);
    };
    setImmediate(ticker);
    // Both rounds have reached the last slow client and the late one: polled, since on a loaded
    // machine the two rounds can take longer than a fixed number of intervals.
    const joinedLate = (): FakeSocket | null => late;
    await settle(() => slow.at(-1)!.alerts().length >= 11 && (joinedLate()?.alerts().length ?? 0) >= 11, 10_000);
    expect(midRound).toBeGreaterThanOrEqual(3);
    for (const s of [slow[0], slow.at(-1)!]) expect(s.alerts()).toEqual(alerts.slice(0, 11));
    const joined = late! as FakeSocket;
    expect(joined.messages()[1]).toEqual({ type: 'ready', replayed: 10 });
    expect(joined.alerts()).toEqual(alerts.slice(0, 11));
  });

  it('sends the counters after the alerts written before them', async () => {
    const feed = new Broadcaster({ replay: 0, maxBufferedBytes: 1 << 20 });
    const a = new FakeSocket();
    feed.add(ws(a), EVERYTHING);
    feed.write(alerts[0]);
    feed.stats(stats(1));
    feed.write(alerts[1]);
    await wait(ROUND_INTERVAL_MS);
    expect(a.messages().map((m) => m.type)).toEqual(['ready', 'alerts', 'stats']);
    const late = new FakeSocket();
    feed.add(ws(late), EVERYTHING);
    expect(late.messages().map((m) => m.type)).toEqual(['ready', 'stats']);
  });

  it('drops a client whose unsent bytes pass maxBufferedBytes, keeps the others', async () => {
    const feed = new Broadcaster({ replay: 0, maxBufferedBytes: 1024 });
    const [fast, lagging] = [new FakeSocket(), new FakeSocket()];
    feed.add(ws(fast), EVERYTHING);
    feed.add(ws(lagging), EVERYTHING);
    lagging.bufferedAmount = 1025;
    feed.write(alerts[0]);
    await wait(ROUND_INTERVAL_MS);
    expect(lagging.terminated).toBe(true);
    expect(feed.droppedClients).toBe(1);
    expect(feed.size).toBe(1);
    expect(fast.alerts()).toEqual([alerts[0]]);
  });

  it('delivers everything pending at once on drain', () => {
    const feed = new Broadcaster({ replay: 0, maxBufferedBytes: 1 << 20 });
    const slow = Array.from({ length: 50 }, () => new FakeSocket(0.1));
    for (const s of slow) feed.add(ws(s), EVERYTHING);
    for (const alert of alerts.slice(0, 5)) feed.write(alert);
    feed.drain();
    for (const s of slow) expect(s.alerts()).toEqual(alerts.slice(0, 5));
  });
});
