/**
 * A poisoned clock on Kafka (DSL.md section 5): one record stamped a month ahead of the wall clock
 * would make every later event of its partition late. With `--max-future 1h` (measured on Kafka
 * against the wall clock, not the largest event time) that record is one bad record and the
 * matches around it come out; without it they are lost as late events. Real broker, `cep run` as a
 * user types it, stopped with SIGINT once it has read what the check needs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokers, committedOffsets, createTopics, produce, uniqueName, until } from './kafka-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-poisoned-kafka-'));
const RULES = join(dir, 'ab.cep');
writeFileSync(RULES, 'rule ab\n  key by id\n  pattern a -> b\n  within 1h\n');

/** What a run printed and wrote: its stderr and its alert lines. */
interface Run {
  readonly stderr: string;
  readonly alerts: string[];
}

/**
 * Runs `cep run` over `topic` with `extra` options (and its late events to a file) until `done`
 * says so, polled with the run's consumer group and late-events file, then SIGINT.
 */
async function runUntil(topic: string, extra: readonly string[], what: string, done: (group: string, late: string) => Promise<boolean>): Promise<Run> {
  const group = uniqueName('cep');
  const out = join(dir, `${group}.ndjson`);
  const late = join(dir, `${group}.late.ndjson`);
  const cli = spawn(
    process.execPath,
    ['dist/runtime/cli.js', 'run', RULES, '--kafka-brokers', brokers()[0], '--kafka-topics', topic, '--kafka-group', group, '--out', out, '--late', late, '--no-progress', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(cli, 'exit');
  try {
    await until(what, async () => {
      if (cli.exitCode !== null) throw new Error(`cep run exited with ${cli.exitCode}: ${stderr}`);
      return (await done(group, late)) ? true : undefined;
    });
  } finally {
    cli.kill('SIGINT');
  }
  const [code] = await exited;
  expect(code, stderr).toBe(0);
  return { stderr, alerts: lines(out) };
}

/** The non-empty lines of `file` (none when it does not exist yet). */
function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : [];
}

/** Whether `group` has committed `offset` of partition 0 of `topic` (the records before it were fed, set aside or counted late). */
async function hasCommitted(group: string, topic: string, offset: number): Promise<boolean> {
  try {
    return (await committedOffsets(group, topic)).get(0) === offset;
  } catch (e) {
    if ((e as { retriable?: boolean }).retriable === true) return false; // the group's coordinator still loading
    throw e;
  }
}

describe('a poisoned clock on Kafka', () => {
  it('--max-future sets a record stamped a month ahead of the wall clock aside; without it the matches after it are late', async () => {
    const topic = uniqueName('poisoned');
    await createTopics([topic]);
    const now = Date.now();
    const events = [
      // First, so that only the wall clock can tell it is ahead (no event time has been seen yet).
      { type: 'x', id: 'k9', ts: now + 30 * 86_400_000 },
      { type: 'a', id: 'k1', ts: now - 60_000 },
      { type: 'b', id: 'k1', ts: now - 50_000 },
      { type: 'a', id: 'k2', ts: now - 40_000 },
      { type: 'b', id: 'k2', ts: now - 30_000 },
      // Moves the watermark past the second b, so that it is fed; it waits for a later one itself.
      { type: 'x', id: 'k3', ts: now - 1_000 },
    ];
    const last = events.length - 1;
    await produce(topic, events.map((e) => ({ key: e.id, value: JSON.stringify(e) })));

    const guarded = await runUntil(topic, ['--max-future', '1h'], 'the records before the last committed', (group) => hasCommitted(group, topic, last));
    expect(guarded.stderr).toContain('time too far ahead');
    expect(guarded.stderr).toContain('is more than --max-future after the wall clock');
    expect(guarded.stderr).toMatch(/5 events, 1 bad record, 0 late events, 2 alerts/);
    expect(guarded.alerts.map((l) => (JSON.parse(l) as { key: string }).key).sort()).toEqual(['k1', 'k2']);

    // Every record after the poisoned one is late (the poisoned one waits for a later watermark).
    const unguarded = await runUntil(topic, [], 'the five late events', async (_, late) => lines(late).length === 5);
    expect(unguarded.stderr).toMatch(/6 events, 0 bad records, 5 late events, 0 alerts/);
    expect(unguarded.alerts).toEqual([]);
  }, 120_000);
});
