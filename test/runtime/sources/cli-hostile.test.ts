/**
 * Hostile input through the real `cep run` (built CLI when dist/ exists): the damaged record is one
 * bad record at its own line, and the alerts are those of the clean run (issue 12, items 3 and 4).
 * The fixtures and how they were made: test/fixtures/sources/README.md.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cep } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-hostile-'));
const RULES = 'examples/rules/ssh.cep';
const CLEAN = 'examples/data/ssh-auth.ndjson';
const INVALID_UTF8 = 'test/fixtures/sources/ssh-invalid-utf8.ndjson';
const STRAY_QUOTE = 'test/fixtures/sources/ssh-stray-quote.csv';

function run(input: string, stdin?: Buffer, ...more: string[]) {
  const r = cep(['run', RULES, '--input', input, '--no-progress', ...more], stdin);
  expect(r.status).toBe(0);
  return r;
}

describe('cep run on invalid UTF-8 (NDJSON)', () => {
  const clean = readFileSync(CLEAN);
  const hostile = readFileSync(INVALID_UTF8);

  it('the fixture is the clean file with one more line, line 101, holding a byte 0xFF', () => {
    const lines = hostile.toString('latin1').split('\n');
    expect(Buffer.from([...lines.slice(0, 100), ...lines.slice(101)].join('\n'), 'latin1').equals(clean)).toBe(true);
    expect(Buffer.from(lines[100], 'latin1').includes(0xff)).toBe(true);
  });

  it('makes that line one bad record at its line; the alerts equal the clean run', () => {
    const expected = run(CLEAN);
    expect(expected.stderr).toMatch(/cep: 2,000 events, 0 bad records, 0 late events, 180 alerts/);
    for (const [input, stdin] of [[INVALID_UTF8, undefined], ['-', hostile]] as const) {
      const r = run(input, stdin);
      expect(r.stderr).toContain(`cep: bad record at ${input}:101: invalid UTF-8\n`);
      expect(r.stderr).toMatch(/cep: 2,000 events, 1 bad record, 0 late events, 180 alerts/);
      expect(r.stdout).toBe(expected.stdout);
    }
  }, 120_000);

  it('(why it matters: the same bytes decoded with U+FFFD add a break-in alert for a host that is not in the data)', () => {
    const lossy = join(dir, 'lossy.ndjson');
    writeFileSync(lossy, hostile.toString('utf8'));
    const r = run(lossy);
    expect(r.stderr).toMatch(/cep: 2,001 events, 0 bad records, 0 late events, 181 alerts/);
    expect(r.stdout).toContain('"host":"evil\ufffd.example"');
  }, 60_000);
});

describe('cep run on a stray quote (CSV)', () => {
  it('costs the row at line 101 only; the other 999 rows are read and the alerts equal the clean run', () => {
    const fixture = readFileSync(STRAY_QUOTE, 'utf8');
    const lines = fixture.split('\n');
    expect(lines[100]).toBe('pam_failure,2015-12-10T07:28:37Z,24275,100,,"112.95.230.3,root,,,,');
    expect(fixture.indexOf('"')).toBe(fixture.lastIndexOf('"')); // no other quote in the file
    // The clean run: the same file without the stray quote (a pam_failure row, which no rule reads).
    const cleanPath = join(dir, 'clean.csv');
    writeFileSync(cleanPath, [...lines.slice(0, 100), lines[100].replace('"', ''), ...lines.slice(101)].join('\n'));
    const expected = run(cleanPath);
    expect(expected.stderr).toMatch(/cep: 1,000 events, 0 bad records, 0 late events, 120 alerts/);

    const dead = join(dir, 'dead.ndjson');
    const r = run(STRAY_QUOTE, undefined, '--dead-letter', dead);
    expect(r.stderr).toContain(`cep: bad record at ${STRAY_QUOTE}:101: a quoted field is not closed before the end of the input\n`);
    expect(r.stderr).toMatch(/cep: 999 events, 1 bad record, 0 late events, 120 alerts/);
    expect(r.stdout).toBe(expected.stdout);
    expect(readFileSync(dead, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))).toEqual([
      { position: `${STRAY_QUOTE}:101`, reason: 'a quoted field is not closed before the end of the input', raw: lines[100] },
    ]);

    const piped = run('-', Buffer.from(fixture), '--format', 'csv');
    expect(piped.stderr).toContain('cep: bad record at -:101: a quoted field is not closed before the end of the input\n');
    expect(piped.stdout).toBe(expected.stdout);
  }, 120_000);
});
