/**
 * `cep run` with its live options, as a user types it: events from a Kafka topic
 * (`--kafka-topics`, `--kafka-group`), alerts to a Kafka topic (`--kafka-topic`) and to the
 * WebSocket feed (`--ws`, `--ws-token`), stopped with SIGINT. The reference is the SSH example's
 * expected alerts (examples/expected/ssh.ndjson, derived without the engine).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Alert } from '../../src/alerts/alert.js';
import { readEvents } from './fixtures.js';
import { brokers, createTopics, produce, readTopic, uniqueName, until } from './kafka-helpers.js';

const TOKEN = 'live-test-token';
const identity = (a: Alert): string => JSON.stringify([a.rule, a.kind, a.key, a.start, a.end]);
const expected = readFileSync('examples/expected/ssh.ndjson', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => identity(JSON.parse(l) as Alert))
  .sort();

describe('cep run with live options', () => {
  it('reads events from Kafka and writes the expected alerts to Kafka and to the WebSocket feed', async () => {
    const [input, out] = [uniqueName('ssh'), uniqueName('ssh-alerts')];
    await createTopics([input, out]);
    const events = readEvents('ssh-auth.ndjson');
    // A last event a day later (no ip: no rule's key) moves the watermark past every SSH event.
    const flush: Record<string, unknown> = { type: 'other', ts: '2015-12-11T12:00:00Z' };
    await produce(input, [...events, flush].map((e) => ({ key: String(e.ip ?? '-'), value: JSON.stringify(e) })));

    const cli = spawn(
      process.execPath,
      ['dist/runtime/cli.js', 'run', 'examples/rules/ssh.cep', '--kafka-brokers', brokers()[0], '--kafka-topics', input, '--kafka-group', uniqueName('cep'), '--kafka-topic', out, '--ws', '127.0.0.1:0', '--ws-token', TOKEN, '--no-progress'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(cli, 'exit');
    try {
      const port = await until('the dashboard line', async () => {
        if (cli.exitCode !== null) throw new Error(`cep run exited with ${cli.exitCode}: ${stderr}`);
        return /live dashboard at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1];
      });
      const fromFeed: Alert[] = [];
      const feed = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
      feed.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; alert?: Alert; alerts?: Alert[] };
        if (msg.type === 'alert' && msg.alert) fromFeed.push(msg.alert);
        if (msg.type === 'alerts' && msg.alerts) fromFeed.push(...msg.alerts);
      });
      await once(feed, 'open');

      const records = await until('the alerts in the output topic', async () => {
        const got = await readTopic(out);
        return got.length >= expected.length ? got : undefined;
      });
      expect(records.map((r) => identity(JSON.parse(r.value) as Alert)).sort()).toEqual(expected);
      // The feed replays its last 100 alerts to a new client, then streams: what it got is a part of the set.
      expect(fromFeed.length).toBeGreaterThan(0);
      for (const alert of fromFeed) expect(expected).toContain(identity(alert));
      feed.close();
    } finally {
      cli.kill('SIGINT');
    }
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stderr).toMatch(/2,001 events, 0 bad records, 0 late events, 180 alerts/);
    // Node 23+ warns of kafkajs's negative timeouts (its request queue's throttle check, which Node
    // clamps to 1 ms as it always did); the run's log is only the engine's lines.
    expect(stderr).not.toContain('TimeoutNegativeWarning');
  }, 90_000);

  it('rejects live options that do not fit together as bad usage (exit 2)', async () => {
    const cli = spawn(process.execPath, ['dist/runtime/cli.js', 'run', 'examples/rules/ssh.cep', '--kafka-topics', 'x'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(cli, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--kafka-topic and --kafka-topics need --kafka-brokers HOST:PORT');
  });
});
