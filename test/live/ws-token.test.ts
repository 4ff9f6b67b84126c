/**
 * The WebSocket token never reaches a log: not the CLI's dashboard line, not an error message, its
 * fields or its cause, not a crash report. A token given by the user (`--ws-token`, `CEP_WS_TOKEN`)
 * is never printed; a generated one only to a terminal. Tried as an attacker would: wrong tokens,
 * the token in a request target that is not a URL (which used to crash the server and print the
 * target), bad subscriptions, oversized messages, a port already taken; then the same through the
 * CLI (`dist/`, built by `npm run build`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { resolveAlertServerOptions } from '../../src/alerts/ws-options.js';
import { dashboardNotice, startAlertServer, type AlertServer } from '../../src/alerts/ws-sink.js';
import { openLive } from '../../src/runtime/commands/live-options.js';
import { sshAlerts } from './fixtures.js';

const SECRET = 'never-log-me-7f3a9c';
const closers: (() => Promise<unknown>)[] = [];
/** Everything written to stdout, stderr or the console while a test runs. */
let output = '';

beforeEach(() => {
  output = '';
  const capture = (chunk: unknown): boolean => {
    output += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, level).mockImplementation((...args) => void capture(args.map(String).join(' ')));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(closers.splice(0).map((close) => close()));
  delete process.env.CEP_WS_TOKEN;
});

/** The text of an error as a crash report would show it: message, stack, fields and causes. */
const report = (error: unknown): string => inspect(error, { depth: 10, showHidden: true });

/** Sends one raw HTTP request and resolves the status line of the answer (or '' if the socket just closed). */
async function raw(port: number, request: string): Promise<string> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('connect', () => socket.write(request));
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  await once(socket, 'close');
  return answer.split('\r\n')[0];
}

/** Opens the feed; resolves 'open' (then closes it) or the HTTP status of the refusal. */
async function attempt(url: string, protocols?: string[]): Promise<string> {
  const ws = new WebSocket(url, protocols);
  const outcome = await new Promise<string>((ok) => {
    ws.once('open', () => ok('open'));
    ws.once('unexpected-response', (_req, res) => ok(`HTTP ${res.statusCode}`));
    ws.once('error', (e) => ok(`error ${e.message}`));
  });
  ws.terminate();
  return outcome;
}

async function hostileSession(s: AlertServer): Promise<void> {
  const base = `ws://127.0.0.1:${s.port}/ws`;
  expect(await attempt(s.feedUrl)).toBe('open');
  expect(await attempt(base, ['cep.v1', `cep.token.${SECRET}`])).toBe('open');
  expect(await attempt(`${base}?token=${SECRET}x`)).toBe('HTTP 401');
  expect(await attempt(`${base}?token=${SECRET}&severities=${SECRET}`)).toBe('HTTP 400');
  const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
  expect(await raw(s.port, `GET http://[?token=${SECRET} HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`)).toBe('HTTP/1.1 400 Bad Request');
  expect(await raw(s.port, `GET http://[?token=${SECRET} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 404 Not Found');
  const big = new WebSocket(s.feedUrl);
  await once(big, 'open');
  big.send(JSON.stringify({ type: 'subscribe', rules: Array.from({ length: 2000 }, () => SECRET) }));
  expect((await once(big, 'close'))[0]).toBe(1009);
  s.write(sshAlerts()[0]);
}

describe('the token in logs', () => {
  it('a token given with --ws-token or CEP_WS_TOKEN is in no line the CLI logs', async () => {
    const lines: string[] = [];
    const { sinks } = await openLive({ ws: '127.0.0.1:0', wsToken: SECRET }, (line) => lines.push(line));
    closers.push(() => Promise.all(sinks.map((s) => s.close())));
    process.env.CEP_WS_TOKEN = SECRET;
    const fromEnv = await openLive({ ws: '127.0.0.1:0' }, (line) => lines.push(line));
    closers.push(() => Promise.all(fromEnv.sinks.map((s) => s.close())));
    expect((fromEnv.sinks[0] as AlertServer).token).toBe(SECRET);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^cep: live dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(add \?token= with the token of --ws-token or CEP_WS_TOKEN\)$/);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('a generated token is printed to a terminal only (the only way to learn it), never to a log', async () => {
    const lines: string[] = [];
    const { sinks } = await openLive({ ws: '127.0.0.1:0' }, (line) => lines.push(line));
    closers.push(() => Promise.all(sinks.map((s) => s.close())));
    const server = sinks[0] as AlertServer;
    expect(server.tokenGenerated).toBe(true);
    expect(process.stderr.isTTY).not.toBe(true); // the test's stderr is a pipe, like a log
    expect(lines).toEqual([expect.stringMatching(/^cep: live dashboard at http:\/\/127\.0\.0\.1:\d+\/; its token was generated and is not printed .*: set CEP_WS_TOKEN/)]);
    expect(lines[0]).not.toContain(server.token);
    expect(dashboardNotice(server, true)).toContain(`?token=${server.token}`);
  });

  it('no error, error field, cause or crash report carries the token', async () => {
    const s = await startAlertServer({ token: SECRET });
    closers.push(() => s.close());
    const taken = await startAlertServer({ token: SECRET, port: s.port }).catch((e: unknown) => e);
    expect(taken).toMatchObject({ code: 'CEP_WS_LISTEN' });
    const viaCli = await openLive({ ws: `127.0.0.1:${s.port}`, wsToken: SECRET }, () => undefined).catch((e: unknown) => e);
    expect(viaCli).toMatchObject({ code: 'CEP_WS_LISTEN' });
    const badTokens = ['short', 'has space in it', `${SECRET}/`].map((token) => {
      try {
        resolveAlertServerOptions({ token }, {});
      } catch (error) {
        return { token, error };
      }
      throw new Error(`token ${token} was accepted`);
    });
    const envToken = (() => {
      try {
        return resolveAlertServerOptions({}, { CEP_WS_TOKEN: `${SECRET} ` });
      } catch (error) {
        return error;
      }
    })();
    for (const error of [taken, viaCli, envToken]) expect(report(error)).not.toContain(SECRET);
    for (const { token, error } of badTokens) expect(report(error)).not.toContain(token);
  });

  it('a hostile session writes nothing with the token, and the server stays up', async () => {
    const crashes: unknown[] = [];
    const onCrash = (e: unknown): void => void crashes.push(e);
    process.on('uncaughtException', onCrash);
    try {
      const s = await startAlertServer({ token: SECRET, maxPayload: 1024 });
      closers.push(() => s.close());
      await hostileSession(s);
      expect(await attempt(s.feedUrl)).toBe('open'); // still serving
    } finally {
      process.off('uncaughtException', onCrash);
    }
    expect(crashes.map(report)).toEqual([]);
    expect(output).not.toContain(SECRET);
  });
});

describe('the token in the CLI\'s output', () => {
  /** Runs `cep run` with the feed until SIGINT; returns what it wrote on stdout and stderr. */
  async function cli(args: string[], env: NodeJS.ProcessEnv, session: (port: number) => Promise<void>): Promise<string> {
    const child = spawn(process.execPath, ['dist/runtime/cli.js', 'run', 'examples/rules/ssh.cep', '--input', 'examples/data/ssh-auth.ndjson', '--linger', '--no-progress', '--ws', '127.0.0.1:0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)),
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const exited = once(child, 'exit');
    try {
      let port: string | undefined;
      for (let i = 0; i < 200 && port === undefined; i++) {
        if (child.exitCode !== null) throw new Error(`cep run exited with ${child.exitCode}: ${text}`);
        await new Promise((r) => setTimeout(r, 100));
        port = /live dashboard at http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)?.[1];
      }
      if (port === undefined) throw new Error(`no dashboard line: ${text}`);
      await session(Number(port));
    } finally {
      child.kill('SIGINT');
    }
    expect((await exited)[0]).toBe(0);
    return text;
  }

  const session = async (port: number): Promise<void> => {
    expect(await attempt(`ws://127.0.0.1:${port}/ws?token=${SECRET}`)).toBe('open');
    expect(await attempt(`ws://127.0.0.1:${port}/ws?token=${SECRET}x`)).toBe('HTTP 401');
    expect(await raw(port, `GET http://[?token=${SECRET} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 404 Not Found');
  };

  it('never prints a token given with --ws-token or CEP_WS_TOKEN, nor a generated one to a pipe', async () => {
    const withOption = await cli(['--ws-token', SECRET], {}, session);
    expect(withOption).toMatch(/\d alerts/); // the run's summary: the output is all there
    expect(withOption).not.toContain(SECRET);
    expect(await cli([], { CEP_WS_TOKEN: SECRET }, session)).not.toContain(SECRET);
    // A client without the generated token is refused. The answer also shows that the CLI's start-up,
    // which sets its SIGINT handler in the same turn as it prints the dashboard line, is over: a
    // SIGINT sent as soon as the line shows could come before the handler on a loaded machine.
    const refused = async (port: number): Promise<void> => expect(await attempt(`ws://127.0.0.1:${port}/ws`)).toBe('HTTP 401');
    const generated = await cli([], { CEP_WS_TOKEN: undefined }, refused);
    expect(generated).toMatch(/its token was generated and is not printed/);
    expect(generated).not.toMatch(/token=/);
  }, 60_000);
});
