/**
 * A poisoned clock (issue 12, DSL.md section 5): one event of the SSH log stamped 2099 would make
 * every later event late. Without `--max-future` the summary names the event's file and line; with
 * it, that event is one bad record at its line and the alerts are those of the log without it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cep, cepAsync } from './support/cli.js';

const RULES = 'examples/rules/ssh.cep';
const dir = mkdtempSync(join(tmpdir(), 'cep-poisoned-'));
const lines = readFileSync('examples/data/ssh-auth.ndjson', 'utf8').split('\n').filter((l) => l.length > 0);
/** Line 500 of the log, stamped 2099. */
const POISONED = join(dir, 'ssh-poisoned.ndjson');
writeFileSync(POISONED, lines.map((l, i) => (i === 499 ? JSON.stringify({ ...JSON.parse(l), ts: '2099-01-01T00:00:00.000Z' }) : l)).join('\n') + '\n');
/** The log without line 500: the clean run. */
const WITHOUT = join(dir, 'ssh-without-line-500.ndjson');
writeFileSync(WITHOUT, lines.filter((_, i) => i !== 499).join('\n') + '\n');

const sorted = (ndjson: string): string[] => ndjson.split('\n').filter((l) => l.length > 0).sort();

describe('a poisoned clock', () => {
  it('without --max-future: late events follow, and the summary names the event that moved the watermark', () => {
    const r = cep(['run', RULES, '--input', POISONED, '--no-progress']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/1,500 late events/);
    expect(r.stderr).toContain(`cep: warning: the event at ${POISONED}:500 moved the watermark 30,338 days ahead and 1,500 late events followed`);
  });

  it('with --max-future 1d: that event is one bad record at its line, and the alerts are the clean run\'s', () => {
    const r = cep(['run', RULES, '--input', POISONED, '--no-progress', '--max-future', '1d']);
    const clean = cep(['run', RULES, '--input', WITHOUT, '--no-progress']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`cep: bad record at ${POISONED}:500: time too far ahead: 2099-01-01T00:00:00.000Z is more than --max-future after the largest event time seen so far`);
    expect(r.stderr).toMatch(/1,999 events, 1 bad record, 0 late events, 179 alerts/);
    expect(r.stderr).not.toMatch(/poisoned clock/);
    expect(sorted(r.stdout)).toEqual(sorted(clean.stdout));
    expect(sorted(r.stdout)).toHaveLength(179);
  });

  it('under --speed, a wait of more than a minute for one event names it: the replay seemed to hang, silently', async () => {
    const input = join(dir, 'paced.ndjson');
    const T = Date.UTC(2024, 4, 1, 10);
    writeFileSync(input, [T, T + 1000, Date.UTC(2099, 0, 1)].map((ts, i) => JSON.stringify({ type: 'auth_failure', ts, ip: `10.0.0.${i}`, user: 'u' })).join('\n') + '\n');
    const child = cepAsync(['run', RULES, '--input', input, '--no-progress', '--speed', '2']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    while (!stderr.includes('waiting')) await new Promise((ok) => setTimeout(ok, 50));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`cep: warning: --speed 2: waiting 1[0-9],[0-9]{3} days for the event at ${input.replace(/[.]/g, '[.]')}:3, stamped 2099-01-01T00:00:00.000Z, 27,2[0-9]{2} days after the latest before it \\(a clock error\\? --max-future D sets such events aside\\)`));
  });

  it('a bad --max-future is bad usage', () => {
    const r = cep(['run', RULES, '--input', WITHOUT, '--max-future', '0s']);
    expect(r.status).toBe(2);
  });
});
