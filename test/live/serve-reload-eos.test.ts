/**
 * `cep serve` with `--exactly-once` on the test broker: a hot reload is a consistent cut of the
 * state kept in Kafka. A partial match of the unchanged rule survives the reload and a restart
 * (restored from the state topic); the changed rule's old partial match is gone from the state topic
 * too, so the restarted service does not hand it to the new rule of the same name.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliArgs } from '../runtime/support/cli.js';
import { samples, scrape } from '../runtime/support/metrics.js';
import { brokers, createTopics, produce, uniqueName, until } from './kafka-helpers.js';

const rule = (name: string, within: string): string => `rule ${name}\n  key by k\n  pattern a -> b\n  within ${within}\n`;

/** A `cep serve` process: its JSON log records and its alerts (stdout). */
function serve(config: string): { child: ChildProcessWithoutNullStreams; logs: Record<string, unknown>[]; alerts: string[]; stderr: () => string } {
  const child = spawn(process.execPath, [...cliArgs(), 'serve', config], { stdio: ['pipe', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  const alerts: string[] = [];
  let err = '';
  let all = '';
  child.stderr.on('data', (d: Buffer) => {
    all += d.toString();
    err += d.toString();
    const lines = err.split('\n');
    err = lines.pop()!;
    for (const line of lines) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      const alert = JSON.parse(line) as { rule: string; key: unknown };
      alerts.push(`${alert.rule}:${String(alert.key)}`);
    }
  });
  return { child, logs, alerts, stderr: () => all };
}

describe('cep serve --exactly-once: hot reload', () => {
  it('keeps the unchanged rule\'s partial match across the reload and a restart, and the changed rule\'s old one nowhere', async () => {
    const [input, output] = [uniqueName('reload-in'), uniqueName('reload-out')];
    await createTopics([input, output]);
    const dir = mkdtempSync(join(tmpdir(), 'cep-reload-eos-'));
    writeFileSync(join(dir, 'kept.cep'), rule('kept', '1h'));
    writeFileSync(join(dir, 'changed.cep'), rule('changed', '1h'));
    const config = join(dir, 'serve.yaml');
    writeFileSync(
      config,
      [`rules: ["*.cep"]`, `kafka-brokers: [${brokers()[0]}]`, `kafka-topics: [${input}]`, `kafka-group: ${uniqueName('cep-reload')}`, `kafka-topic: ${output}`, 'exactly-once: true', 'commit-interval: 200ms', 'metrics: 127.0.0.1:0', 'log-format: json', 'progress: false', ''].join('\n'),
    );
    const event = (e: Record<string, unknown>) => ({ key: e.k === undefined ? null : String(e.k), value: JSON.stringify(e) });
    const urlOf = (s: ReturnType<typeof serve>): Promise<string> =>
      until('the metrics address', async () => {
        if (s.child.exitCode !== null) throw new Error(`cep serve exited with ${s.child.exitCode}: ${s.stderr()}`);
        return s.logs.find((r) => typeof r.url === 'string')?.url as string | undefined;
      });

    const first = serve(config);
    try {
      const base = await urlOf(first);
      await produce(input, [event({ type: 'a', k: 1, ts: 1000 }), event({ type: 'x', ts: 2000 })]);
      await until('a partial match in each rule', async () => {
        const partial = samples(await scrape(base), 'cep_partial_matches');
        return partial.get('rule=kept') === 1 && partial.get('rule=changed') === 1 ? true : undefined;
      });
      writeFileSync(join(dir, 'changed.cep'), rule('changed', '2h'));
      first.child.kill('SIGHUP');
      await until('the reload', async () => first.logs.find((r) => Array.isArray(r.changed) && r.changed.includes('changed')));
      await until('the SIGHUP reload', async () => first.logs.find((r) => r.reason === 'SIGHUP'));
      first.child.kill('SIGTERM');
      expect((await once(first.child, 'exit'))[0]).toBe(0);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
    expect(first.alerts).toEqual([]);

    const second = serve(config);
    try {
      const base = await urlOf(second);
      await produce(input, [event({ type: 'b', k: 1, ts: 3000 }), event({ type: 'x', ts: 4000 })]);
      await until('the restarted service to read both events', async () => (samples(await scrape(base), 'cep_events_total').get(`input=${input}/0`) === 2 ? true : undefined));
      await until('the kept rule\'s alert', async () => (second.alerts.length > 0 ? true : undefined));
      expect(second.alerts).toEqual(['kept:1']);
      second.child.kill('SIGTERM');
      expect((await once(second.child, 'exit'))[0]).toBe(0);
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }
  }, 90_000);
});
