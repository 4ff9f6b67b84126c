/** `cep run` and `cep test` as a user runs them (DSL.md section 7): streams, files and exit codes. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cep, cepAsync } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-cli-'));
const SSH = 'examples/data/ssh-auth.ndjson';
const RULES = 'examples/rules/ssh.cep';
const expected = readFileSync('examples/expected/ssh.ndjson', 'utf8').split('\n').filter(Boolean);

describe('cep run', () => {
  it('writes only alerts on stdout, the summary on stderr', () => {
    const r = cep(['run', RULES, '--input', SSH, '--no-progress']);
    expect(r.status).toBe(0);
    const alerts = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(alerts).toHaveLength(expected.length);
    expect(alerts.every((a) => a.rule === 'ssh_brute_force' || a.rule === 'ssh_break_in')).toBe(true);
    expect(r.stderr).toMatch(/cep: 2,000 events, 0 bad records, 0 late events, \d+ alerts \(ssh_brute_force \d+, ssh_break_in \d+\), [\d,]+ events\/s/);
  }, 60_000);

  it('reads gzip from stdin (-), writes --out, --late and --dead-letter files', () => {
    const input = readFileSync(SSH, 'utf8').split('\n').filter(Boolean);
    const early = input.slice(0, 1500);
    // A line from the start again after 1,500 lines is late; two lines are bad.
    const data = [...early, 'garbage', input[0], '{"type":"x"}', ...input.slice(1500)].join('\n') + '\n';
    const gz = join(dir, 'in.ndjson.gz');
    writeFileSync(gz, gzipSync(data));
    const out = join(dir, 'alerts.ndjson');
    const late = join(dir, 'late.ndjson');
    const dead = join(dir, 'dead.ndjson');
    const r = cep(['run', RULES, '--input', gz, '--out', out, '--late', late, '--dead-letter', dead, '--no-progress']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(late, 'utf8')).toBe(JSON.stringify(JSON.parse(input[0])) + '\n');
    const bad = readFileSync(dead, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(bad.map((b) => [b.position, b.raw])).toEqual([
      [`${gz}:1501`, 'garbage'],
      [`${gz}:1503`, '{"type":"x"}'],
    ]);
    expect(r.stderr).toContain(`cep: bad record at ${gz}:1501: not JSON`);
    expect(r.stderr).toMatch(/2,001 events, 2 bad records, 1 late event,/);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(0);

    const piped = cep(['run', RULES, '--input', '-', '--no-progress'], readFileSync(SSH));
    expect(piped.status).toBe(0);
    expect(piped.stdout.split('\n').filter(Boolean)).toHaveLength(expected.length);
  }, 60_000);

  it('exits 1 on a rule error, printing file:line:col and a caret', () => {
    const rules = join(dir, 'broken.cep');
    writeFileSync(rules, 'rule r\n  key by ip\n  pattern auth_failure as a -> auth_success as b\n  emit { x: nope.user }\n');
    const r = cep(['run', rules, '--input', SSH, '--no-progress']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${rules}:4:`);
    expect(r.stderr).toContain('^');
  }, 60_000);
});

describe('cep run on a live stdin', () => {
  it('stops on SIGINT: alerts so far are flushed, the summary says interrupted, exit 0', async () => {
    const child = cepAsync(['run', RULES, '--input', '-', '--no-progress']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Lines up to the first break-in alert's failure and a later event, so the watermark passes it.
    child.stdin.write(readFileSync(SSH, 'utf8').split('\n').slice(0, 10).join('\n') + '\n');
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout.split('\n')[0])).toMatchObject({ rule: 'ssh_break_in', key: '173.234.31.186' });
    expect(stderr).toMatch(/10 events, .*\(interrupted\)/);
  }, 60_000);
});

describe('cep test', () => {
  it('exits 1 with a readable diff when alerts differ', () => {
    const changed = expected.map((l) => JSON.parse(l));
    const brute = changed.findIndex((a) => a.rule === 'ssh_brute_force');
    changed[brute].fields = { ...changed[brute].fields, attempts: 6 };
    const dropped = changed.pop();
    changed.push({ ...dropped, key: '10.0.0.1' });
    const file = join(dir, 'expected.ndjson');
    writeFileSync(file, changed.map((a) => JSON.stringify(a)).join('\n') + '\n');
    const r = cep(['test', RULES, '--input', SSH, '--expect', file, '--no-progress']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL: ${expected.length - 2} alerts as expected, 1 missing, 1 unexpected, 1 different`);
    expect(r.stdout).toContain('fields.attempts: expected 6, got 5');
    expect(r.stdout).toContain('key="10.0.0.1"');
  }, 60_000);
});

describe('cep conventions (DSL.md section 7)', () => {
  it('--version prints the package version on stdout and exits 0', () => {
    const r = cep(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('help on request exits 0', () => {
    expect(cep(['help', 'run']).status).toBe(0);
    expect(cep(['run', '--help']).status).toBe(0);
  });

  it('cep test exits 3 on a rule error, 1 on a difference', () => {
    const bad = join(dir, 'bad.cep');
    writeFileSync(bad, 'rule broken\n  key by ip\n  pattern auth_failure ->\n');
    expect(cep(['test', bad, '--input', SSH, '--expect', 'examples/expected/ssh.ndjson', '--no-progress']).status).toBe(3);
    const fewer = join(dir, 'fewer.ndjson');
    writeFileSync(fewer, expected.slice(1).join('\n') + '\n');
    expect(cep(['test', RULES, '--input', SSH, '--expect', fewer, '--no-progress']).status).toBe(1);
  });

  it('cep test exits 2, not 3 (rule errors), when the run fails midway (its --out device full)', () => {
    // A damaged input is a bad record, not a failed run (1dac5c7); a sink that fails is one.
    const r = cep(['test', RULES, '--input', SSH, '--expect', 'examples/expected/ssh.ndjson', '--out', '/dev/full', '--no-progress']);
    expect(r.stderr).toContain('cep: error: ENOSPC');
    expect(r.status).toBe(2);
  });
});
