/**
 * The WebSocket alert server with real `ws` clients over TCP: token authentication, replay ring,
 * subscriptions, dropping a stalled client while a fast one keeps receiving, heartbeat, payload
 * limit, and the dashboard's static files.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Alert } from '../../src/alerts/alert.js';
import type { EngineStats } from '../../src/alerts/sink.js';
import { startAlertServer, type AlertServer } from '../../src/alerts/ws-sink.js';
import { sshAlerts } from './fixtures.js';

const TOKEN = 'test-token-0123456789';
const servers: AlertServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Parameters<typeof startAlertServer>[0] = {}): Promise<AlertServer> {
  const s = await startAlertServer({ token: TOKEN, ...options });
  servers.push(s);
  return s;
}

interface Feed {
  readonly ws: WebSocket;
  readonly messages: { type: string; alert?: Alert; alerts?: Alert[]; stats?: Record<string, unknown>; replayed?: number; message?: string }[];
  alerts(): Alert[];
  /** Resolves once `pred` holds over the messages received so far. */
  until(pred: () => boolean, timeoutMs?: number): Promise<void>;
}

/** Connects a client and records every message; resolves once open (rejects with the HTTP status if refused). */
async function connect(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}, protocols?: string[]): Promise<Feed> {
  const ws = new WebSocket(url, protocols, options);
  sockets.push(ws);
  const messages: Feed['messages'] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', fail);
  });
  const until = async (pred: () => boolean, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`condition not reached; ${messages.length} messages`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const alerts = (): Alert[] => messages.flatMap((m) => (m.type === 'alert' ? [m.alert!] : m.type === 'alerts' ? m.alerts! : []));
  return { ws, messages, alerts, until };
}

const withoutToken = (s: AlertServer): string => `ws://127.0.0.1:${s.port}/ws`;

describe('token authentication', () => {
  it('answers 401 without a token or with a wrong one, and sends nothing', async () => {
    const s = await server();
    await expect(connect(withoutToken(s))).rejects.toThrow('HTTP 401');
    await expect(connect(`${withoutToken(s)}?token=wrong-token-0123456789`)).rejects.toThrow('HTTP 401');
    await expect(connect(withoutToken(s), {}, ['cep.v1', 'cep.token.nope-nope-nope'])).rejects.toThrow('HTTP 401');
    expect(s.counters().rejectedUpgrades).toBe(3);
    expect(s.counters().clients).toBe(0);
  });

  it('accepts the token in the query or as a subprotocol, and delivers alerts', async () => {
    const s = await server();
    const byQuery = await connect(s.feedUrl);
    const byProtocol = await connect(withoutToken(s), {}, ['cep.v1', `cep.token.${TOKEN}`]);
    expect(byProtocol.ws.protocol).toBe('cep.v1');
    const alerts = sshAlerts().slice(0, 20);
    for (const a of alerts) s.write(a);
    await byQuery.until(() => byQuery.alerts().length === 20);
    await byProtocol.until(() => byProtocol.alerts().length === 20);
    expect(byQuery.alerts()).toEqual(alerts);
    expect(byProtocol.alerts()).toEqual(alerts);
  });

  it('takes the token from CEP_WS_TOKEN, or generates one that the URLs carry', async () => {
    const generated = await startAlertServer({});
    servers.push(generated);
    expect(generated.tokenGenerated).toBe(true);
    expect(generated.token).toMatch(/^[0-9a-f]{48}$/);
    expect(generated.feedUrl).toContain(`token=${generated.token}`);
    await expect(connect(withoutToken(generated))).rejects.toThrow('HTTP 401');
    await connect(generated.feedUrl);
  });
});

describe('feed', () => {
  it('sends a new client the last N alerts, then ready, then the live feed', async () => {
    const s = await server({ replay: 5 });
    const alerts = sshAlerts().slice(0, 12);
    for (const a of alerts.slice(0, 10)) s.write(a);
    const late = await connect(s.feedUrl);
    await late.until(() => late.messages.some((m) => m.type === 'ready'));
    for (const a of alerts.slice(10)) s.write(a);
    await late.until(() => late.alerts().length === 7);
    expect(late.messages[0].alerts).toEqual(alerts.slice(5, 10)); // the replay, in one frame
    expect(late.messages[1]).toEqual({ type: 'ready', replayed: 5 });
    expect(late.alerts()).toEqual([...alerts.slice(5, 10), ...alerts.slice(10)]);
  });

  it('sends a burst of alerts written in one turn as one frame, each alert serialised once', async () => {
    const s = await server({ replay: 0 });
    const a = await connect(s.feedUrl);
    const b = await connect(s.feedUrl);
    const alerts = sshAlerts().slice(0, 100);
    const stringify = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => { calls++; return stringify(...args); }) as typeof stringify;
    try {
      for (const x of alerts) s.write(x);
    } finally {
      JSON.stringify = stringify;
    }
    expect(calls).toBe(100);
    await a.until(() => a.alerts().length === 100);
    await b.until(() => b.alerts().length === 100);
    expect(a.messages.filter((m) => m.type === 'alerts')).toEqual([{ type: 'alerts', alerts }]);
    s.write(alerts[0]);
    await a.until(() => a.alerts().length === 101);
    expect(a.messages.at(-1)).toEqual({ type: 'alert', alert: alerts[0] });
  });

  it('filters by the subscription given in the URL or in a subscribe message', async () => {
    const s = await server({ replay: 0 });
    const all = sshAlerts();
    const critical = await connect(`${s.feedUrl}&severities=critical`);
    const failures = await connect(s.feedUrl);
    failures.ws.send(JSON.stringify({ type: 'subscribe', rules: ['ssh_failure'], severities: ['high', 'medium'] }));
    const bad = await connect(s.feedUrl);
    bad.ws.send('{"type":"subscribe","severities":["urgent"]}');
    await bad.until(() => bad.messages.some((m) => m.type === 'error'));
    expect(bad.messages.find((m) => m.type === 'error')!.message).toMatch(/unknown severity "urgent"/);
    // The subscribe message is handled before the alerts below: the server reads one client's messages
    // in order, so its error for a message it does not know, sent after, shows the subscribe was handled.
    failures.ws.send('{"type":"unsubscribe"}');
    await failures.until(() => failures.messages.some((m) => m.type === 'error'));
    for (const a of all) s.write(a);
    const expectedCritical = all.filter((a) => a.severity === 'critical');
    const expectedFailures = all.filter((a) => a.rule === 'ssh_failure');
    expect(expectedCritical.length).toBeGreaterThan(0);
    await critical.until(() => critical.alerts().length === expectedCritical.length);
    await failures.until(() => failures.alerts().length === expectedFailures.length);
    expect(critical.alerts()).toEqual(expectedCritical);
    expect(failures.alerts()).toEqual(expectedFailures);
    await expect(connect(`${s.feedUrl}&severities=urgent`)).rejects.toThrow('HTTP 400');
  });

  it('pushes the engine counters to every client, infinite watermarks as strings', async () => {
    const s = await server();
    const c = await connect(s.feedUrl);
    const stats: EngineStats = {
      events: 2000, eventsPerSecond: 1500, badRecords: 0, lateEvents: 3, alerts: 2, alertsByRule: { ssh_failure: 2 },
      watermark: Infinity, watermarkLag: null, partialMatches: 7, keys: 4,
    };
    s.stats!(stats);
    await c.until(() => c.messages.some((m) => m.type === 'stats'));
    const got = c.messages.find((m) => m.type === 'stats')!.stats!;
    expect(got).toMatchObject({ events: 2000, lateEvents: 3, partialMatches: 7, watermark: 'Infinity', watermarkLag: null, clients: 1, droppedClients: 0 });
    const next = await connect(s.feedUrl);
    await next.until(() => next.messages.some((m) => m.type === 'stats'));
  });
});

describe('slow and dead clients', () => {
  it('drops a client that stops reading while a fast client keeps receiving everything', async () => {
    const s = await server({ replay: 0, maxBufferedBytes: 256 * 1024 });
    const fast = await connect(s.feedUrl);
    const slow = await connect(s.feedUrl);
    const slowClosed = new Promise<number>((ok) => slow.ws.once('close', (code) => ok(code)));
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const alerts = sshAlerts();
    let sent = 0;
    // Write until the stalled client's bytes fill the kernel buffers and then the server's bound.
    // Each batch goes out once the fast client has read the one before: its unsent bytes are then
    // none whatever the machine's load, while the stalled client's grow by a batch per round.
    while (s.counters().droppedClients === 0 && sent < 200_000) {
      for (let i = 0; i < 1000; i++) s.write(alerts[sent++ % alerts.length]);
      await fast.until(() => fast.alerts().length === sent || s.counters().droppedClients > 0, 30_000);
    }
    expect(s.counters().droppedClients).toBe(1);
    expect(s.counters().clients).toBe(1);
    for (let i = 0; i < 50; i++) s.write(alerts[sent++ % alerts.length]);
    await fast.until(() => fast.alerts().length === sent, 30_000);
    expect(fast.alerts().slice(-50)).toEqual(Array.from({ length: 50 }, (_, i) => alerts[(sent - 50 + i) % alerts.length]));
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slowClosed).toBe(1006);
  });

  it('terminates a client that does not answer the heartbeat, keeps one that does', async () => {
    // The live client answers from this process: a heartbeat of a few event-loop stalls on a loaded
    // machine, not 50 ms, or its pong can come after the next ping.
    const heartbeatMs = 250;
    const s = await server({ heartbeatMs });
    const dead = await connect(s.feedUrl, { autoPong: false });
    const alive = await connect(s.feedUrl);
    await new Promise<void>((ok) => dead.ws.once('close', () => ok()));
    expect(s.counters().deadClients).toBe(1);
    await new Promise((r) => setTimeout(r, 6 * heartbeatMs)); // six more heartbeats
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(s.counters()).toMatchObject({ clients: 1, deadClients: 1 });
  });

  it('closes a client whose message passes maxPayload with 1009', async () => {
    const s = await server({ maxPayload: 128 });
    const c = await connect(s.feedUrl);
    const closed = new Promise<number>((ok) => c.ws.once('close', (code) => ok(code)));
    c.ws.send(JSON.stringify({ type: 'subscribe', rules: Array.from({ length: 50 }, (_, i) => `rule_${i}`) }));
    expect(await closed).toBe(1009);
  });
});

describe('HTTP', () => {
  it('serves the dashboard and chart.js, nothing else', async () => {
    const s = await server();
    const base = `http://127.0.0.1:${s.port}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<canvas id="chart">');
    const chart = await fetch(`${base}/vendor/chart.umd.min.js`);
    expect(chart.status).toBe(200);
    expect((await chart.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/app.js`, { method: 'POST' })).status).toBe(405);
  });

  it('fails with CEP_WS_LISTEN when the port is taken', async () => {
    const s = await server();
    await expect(startAlertServer({ token: TOKEN, port: s.port })).rejects.toMatchObject({ code: 'CEP_WS_LISTEN', retriable: true, port: s.port });
  });

  it('refuses writes after close', async () => {
    const s = await startAlertServer({ token: TOKEN });
    await s.close();
    expect(() => s.write(sshAlerts()[0])).toThrow(/CEP_SINK_CLOSED/);
  });
});
