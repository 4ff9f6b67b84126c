/**
 * The Origin policy of the alert server (`ws-origin.ts`), with real `ws` clients that send the
 * `Origin` header a browser would: a page of another origin is refused with 403 before any WebSocket
 * exists; clients without Origin and the server's own dashboard pass; `--ws-origin` adds origins;
 * bad entries are refused at construction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { resolveAlertServerOptions } from '../../src/alerts/ws-options.js';
import { originAllowed, originPolicy } from '../../src/alerts/ws-origin.js';
import { startAlertServer, type AlertServer } from '../../src/alerts/ws-sink.js';
import { openLive } from '../../src/runtime/commands/live-options.js';

const TOKEN = 'origin-test-token-0123';
const servers: AlertServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(origins?: string[]): Promise<AlertServer> {
  const s = await startAlertServer({ token: TOKEN, origins });
  servers.push(s);
  return s;
}

/** Opens the feed (by default with the token) with these headers; resolves `open` (then closes) or `HTTP <status>`, and whether any message arrived. */
async function handshake(s: AlertServer, headers: Record<string, string> = {}, url = s.feedUrl): Promise<{ outcome: string; messages: number }> {
  const ws = new WebSocket(url, { headers });
  let messages = 0;
  ws.on('message', () => messages++);
  const outcome = await new Promise<string>((ok) => {
    ws.once('open', () => ok('open'));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ok(`HTTP ${res.statusCode}`);
    });
    ws.once('error', (e) => ok(`error ${e.message}`));
  });
  if (outcome === 'open') {
    await new Promise((r) => setTimeout(r, 50)); // replay and ready
    ws.terminate();
  }
  return { outcome, messages };
}

const own = (s: AlertServer): string => `http://127.0.0.1:${s.port}`;

describe('Origin at the upgrade', () => {
  it('by default accepts clients without Origin and the server\'s own pages, refuses other origins with 403', async () => {
    const s = await server();
    expect(await handshake(s)).toMatchObject({ outcome: 'open' });
    expect(await handshake(s, { Origin: own(s) })).toMatchObject({ outcome: 'open' });
    expect(await handshake(s, { Origin: `HTTP://127.0.0.1:${s.port}` })).toMatchObject({ outcome: 'open' });
    for (const foreign of ['https://evil.example', `http://localhost:${s.port}`, `http://127.0.0.1:${s.port + 1}`, 'null', 'not a url']) {
      expect(await handshake(s, { Origin: foreign })).toEqual({ outcome: 'HTTP 403', messages: 0 });
    }
    expect(s.counters()).toMatchObject({ rejectedUpgrades: 5, clients: 0 });
  });

  it('checks the Origin before the token: a foreign page gets 403 with or without the token', async () => {
    const s = await server();
    expect((await handshake(s, { Origin: 'https://evil.example' })).outcome).toBe('HTTP 403');
    expect((await handshake(s, { Origin: 'https://evil.example' }, `ws://127.0.0.1:${s.port}/ws`)).outcome).toBe('HTTP 403');
    expect((await handshake(s, {}, `ws://127.0.0.1:${s.port}/ws`)).outcome).toBe('HTTP 401');
  });

  it('with --ws-origin accepts the listed origins too, and * accepts any', async () => {
    const s = await server(['https://ops.example.com', 'http://LOCALHOST:8080/']);
    expect((await handshake(s, { Origin: 'https://ops.example.com' })).outcome).toBe('open');
    expect((await handshake(s, { Origin: 'https://ops.example.com:443' })).outcome).toBe('open');
    expect((await handshake(s, { Origin: 'http://localhost:8080' })).outcome).toBe('open');
    expect((await handshake(s, { Origin: own(s) })).outcome).toBe('open');
    expect((await handshake(s)).outcome).toBe('open');
    expect((await handshake(s, { Origin: 'http://ops.example.com' })).outcome).toBe('HTTP 403');
    expect((await handshake(s, { Origin: 'https://evil.example' })).outcome).toBe('HTTP 403');
    const any = await server(['*']);
    expect((await handshake(any, { Origin: 'https://evil.example' })).outcome).toBe('open');
  });

  it('refuses the dashboard files to a foreign origin\'s request, serves them to a navigation (no Origin)', async () => {
    const s = await server();
    const base = `http://127.0.0.1:${s.port}`;
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/app.js`, { headers: { Origin: own(s) } })).status).toBe(200);
    expect((await fetch(`${base}/app.js`, { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
  });
});

describe('originAllowed', () => {
  it('compares serialised origins and the Host header', () => {
    const none = originPolicy(undefined);
    expect(originAllowed(none, undefined, 'x:1')).toBe(true);
    expect(originAllowed(none, 'http://example.com', 'example.com')).toBe(true);
    expect(originAllowed(none, 'http://example.com', 'example.com:80')).toBe(true);
    expect(originAllowed(none, 'https://example.com', 'example.com')).toBe(true); // behind a TLS proxy that keeps Host
    expect(originAllowed(none, 'http://[::1]:9000', '[::1]:9000')).toBe(true);
    expect(originAllowed(none, 'http://example.com', undefined)).toBe(false);
    expect(originAllowed(none, 'http://example.com', 'example.com:8080')).toBe(false);
    expect(originAllowed(none, 'file://', 'example.com')).toBe(false);
    expect(originAllowed(none, 'http://example.com', 'bad host/')).toBe(false);
  });
});

describe('origins option', () => {
  const resolve = (origins: unknown): unknown => resolveAlertServerOptions({ token: TOKEN, origins } as never, {}).origins;

  it('normalises the list; none given is the default policy', () => {
    expect(resolve(undefined)).toBeUndefined();
    expect(resolve([])).toBeUndefined();
    expect(resolve(['HTTPS://Ops.Example.com:443', 'http://localhost:8080/', '*'])).toEqual(['https://ops.example.com', 'http://localhost:8080', '*']);
  });

  it.each([
    ['https://ops.example.com', /must be a list of origins/],
    [['ops.example.com'], /"ops.example.com" is not an origin; write scheme:\/\/host\[:port\]/],
    [['https://ops.example.com/dashboard'], /is not an origin/],
    [['https://ops.example.com?x'], /is not an origin/],
    [['https://user@ops.example.com'], /is not an origin/],
    [['ftp://ops.example.com'], /is not an origin/],
    [[42], /42 is not an origin/],
    [['null'], /cannot allow the origin "null"/],
  ])('refuses %j', (origins, message) => {
    expect(() => resolve(origins)).toThrow(message);
  });
});

describe('--ws-origin', () => {
  it('reaches the server from the CLI options; a bad value or a missing --ws is bad usage', async () => {
    const { sinks } = await openLive({ ws: '127.0.0.1:0', wsToken: TOKEN, wsOrigin: ['https://ops.example.com'] }, () => undefined);
    const s = sinks[0] as AlertServer;
    servers.push(s);
    expect((await handshake(s, { Origin: 'https://ops.example.com' })).outcome).toBe('open');
    expect((await handshake(s, { Origin: 'https://evil.example' })).outcome).toBe('HTTP 403');
    await expect(openLive({ ws: '127.0.0.1:0', wsToken: TOKEN, wsOrigin: ['ops.example.com'] }, () => undefined)).rejects.toMatchObject({
      code: 'commander.invalidArgument',
      message: expect.stringMatching(/"ops.example.com" is not an origin/),
    });
    await expect(openLive({ wsOrigin: ['https://ops.example.com'] }, () => undefined)).rejects.toThrow('--ws-token and --ws-origin need --ws [HOST:]PORT');
  });
});
