/**
 * The "to add a sink" recipe of src/alerts/README.md, done once.
 *
 * Step 1, the sink: an object with `write`, `stats` and `close` (here delivering asynchronously, as
 * a network sink does) runs in the real engine over the SSH log, and the contract of
 * src/alerts/sink.ts holds: every alert once, in order; counters pushed before `close`, the last
 * ones final (every input ended, the engine's totals); `close` called once, after the last write
 * settled; a rejected write stops the run with that error.
 *
 * Step 2, its entry in the connectors' table (src/runtime/commands/connectors.ts), and nothing
 * else: `cep run` then offers its options (help, a value parsed by its kind, a combination checked:
 * bad usage), `cep serve` accepts them as config keys (a bad value reported at file:line:col), and
 * from either command the sink receives the run's alerts, the same as `--out` writes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { AlertSink, EngineStats } from '../../src/alerts/sink.js';
import { CONNECTORS, connector, type Connector } from '../../src/runtime/commands/connectors.js';
import { registerRun } from '../../src/runtime/commands/run.js';
import { registerServe } from '../../src/runtime/commands/serve.js';
import { runEngine } from '../../src/runtime/engine.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import { ConfigError, loadServeConfig } from '../../src/runtime/service/config-file.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';

const SSH_LOG = join(import.meta.dirname, '..', '..', 'examples', 'data', 'ssh-auth.ndjson');
const SSH_RULES = join(import.meta.dirname, '..', '..', 'examples', 'rules', 'ssh.cep');
const rules = (): ReturnType<typeof loadRules> => loadRules([SSH_RULES]);

/** The recipe's step 1: a sink whose writes are delivered a turn later (a promise each). */
class DelayedSink implements AlertSink {
  readonly delivered: Alert[] = [];
  readonly counters: EngineStats[] = [];
  readonly events: string[] = [];
  private inFlight = 0;

  constructor(private readonly failAt = Infinity) {}

  write(alert: Alert): Promise<void> {
    this.inFlight++;
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        this.inFlight--;
        if (this.delivered.length === this.failAt) return reject(new Error('the far end refused the alert'));
        this.delivered.push(alert);
        resolve();
      }),
    );
  }

  stats(stats: EngineStats): void {
    this.counters.push(stats);
  }

  close(): Promise<void> {
    this.events.push(`close with ${this.inFlight} writes in flight`);
    return Promise.resolve();
  }
}

describe('adding a sink, step 1: the sink (src/alerts/README.md)', () => {
  it('gets every alert once in order, the final counters, then close', async () => {
    const sink = new DelayedSink();
    const reference: Alert[] = [];
    const summary = await runEngine({
      rules: rules(),
      sources: [new NdjsonSource(SSH_LOG)],
      sinks: [sink, { write: (a) => void reference.push(a), close: async () => undefined }],
    });
    expect(summary.alerts).toBeGreaterThan(20);
    expect(sink.delivered).toEqual(reference);
    expect(sink.events).toEqual(['close with 0 writes in flight']);
    const last = sink.counters[sink.counters.length - 1];
    expect(last).toMatchObject({ watermark: Infinity, alerts: summary.alerts, events: summary.events, alertsByRule: summary.alertsByRule });
  });

  it('stops the run with the error of a rejected write', async () => {
    const sink = new DelayedSink(5);
    const run = runEngine({ rules: rules(), sources: [new NdjsonSource(SSH_LOG)], sinks: [sink] });
    await expect(run).rejects.toThrow('the far end refused the alert');
    expect(sink.delivered).toHaveLength(5);
  });
});

describe('adding a sink, step 2: its entry in the connectors table', () => {
  /** The sinks the test-only entry opened, by the name given to `--delayed-sink`. */
  const opened = new Map<string, DelayedSink>();
  const entry: Connector = connector({
    name: 'delayed sink (test only)',
    options: [
      { flag: '--delayed-sink <name>', key: 'delayedSink', kind: 'string', description: 'deliver alerts a turn late to the test sink NAME' },
      { flag: '--delayed-sink-fail-at <n>', key: 'delayedSinkFailAt', kind: 'positive-integer', description: 'refuse the alert after the first N' },
    ],
    check(o) {
      if (o.delayedSinkFailAt !== undefined && o.delayedSink === undefined) throw new TypeError('--delayed-sink-fail-at needs --delayed-sink NAME');
    },
    async open(o, context) {
      if (o.delayedSink === undefined) return;
      const sink = new DelayedSink(o.delayedSinkFailAt);
      opened.set(o.delayedSink, sink);
      context.addSink(sink);
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'cep-sink-recipe-'));

  beforeAll(() => {
    CONNECTORS.push(entry);
  });
  afterAll(() => {
    CONNECTORS.splice(CONNECTORS.indexOf(entry), 1);
    process.exitCode = undefined;
  });

  /** Runs `cep ARGS` in this process as cli.ts does (a commander error is bad usage, exit 2), without exiting: the exit code, and the usage error. */
  async function cep(args: string[]): Promise<{ exitCode: number | undefined; usage?: string }> {
    const program = new Command('cep').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerRun(program);
    registerServe(program);
    process.exitCode = undefined;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (error) {
      if (error instanceof CommanderError) return { exitCode: 2, usage: error.message };
      throw error;
    }
    return { exitCode: process.exitCode as number | undefined };
  }

  /** The alerts `--out` wrote, as plain JSON values. */
  const written = (path: string): unknown[] => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
  const asJson = (alerts: readonly Alert[]): unknown[] => alerts.map((a) => JSON.parse(JSON.stringify(a)) as unknown);

  it('cep run: the option is in the help, and the sink gets the same alerts as --out', async () => {
    const program = new Command('cep');
    registerRun(program);
    expect(program.commands[0].helpInformation().replace(/\s+/g, ' ')).toContain('--delayed-sink <name> deliver alerts a turn late to the test sink NAME');
    const out = join(dir, 'run.ndjson');
    expect(await cep(['run', SSH_RULES, '--input', SSH_LOG, '--out', out, '--no-progress', '--delayed-sink', 'from-run'])).toEqual({ exitCode: 0 });
    const sink = opened.get('from-run')!;
    expect(sink.delivered.length).toBeGreaterThan(20);
    expect(asJson(sink.delivered)).toEqual(written(out));
    expect(sink.events).toEqual(['close with 0 writes in flight']);
  });

  it('cep run: a bad value of its kind and a bad combination are bad usage (exit 2); a refused write fails the run (exit 1)', async () => {
    expect(await cep(['run', SSH_RULES, '--input', SSH_LOG, '--delayed-sink', 'x', '--delayed-sink-fail-at', 'none'])).toMatchObject({ exitCode: 2, usage: expect.stringContaining("'none' is not a whole number ≥ 1") });
    expect(await cep(['run', SSH_RULES, '--input', SSH_LOG, '--no-progress', '--delayed-sink-fail-at', '3'])).toMatchObject({ exitCode: 2, usage: 'error: --delayed-sink-fail-at needs --delayed-sink NAME' });
    expect(await cep(['run', SSH_RULES, '--input', SSH_LOG, '--out', join(dir, 'failing.ndjson'), '--no-progress', '--delayed-sink', 'failing', '--delayed-sink-fail-at', '3'])).toEqual({ exitCode: 1 });
    expect(opened.get('failing')!.delivered).toHaveLength(3);
  });

  it('cep serve: its options are config keys, checked at file:line:col, and the sink gets the same alerts as out:', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `rules: [${SSH_RULES}]\ndelayed-sink: x\ndelayed-sink-fail-at: none\n`);
    expect(() => loadServeConfig(bad)).toThrow(ConfigError);
    expect(() => loadServeConfig(bad)).toThrow(`${bad}:3:23: delayed-sink-fail-at: expected a whole number ≥ 1`);
    const config = join(dir, 'serve.yaml');
    writeFileSync(config, `rules: [${SSH_RULES}]\ninput: ${SSH_LOG}\nout: serve.ndjson\nlinger: false\nprogress: false\ndelayedSink: from-serve\n`);
    expect(await cep(['serve', config])).toEqual({ exitCode: 0 });
    const sink = opened.get('from-serve')!;
    expect(sink.delivered.length).toBeGreaterThan(20);
    expect(asJson(sink.delivered)).toEqual(written(join(dir, 'serve.ndjson')));
  });
});
