/**
 * Hostile field values through the real `cep run` (built CLI when dist/ exists): an event time, a
 * type or a record nesting that the engine cannot take is one bad record at its own line (or, where
 * DSL.md says so, an event no rule matches), never a crash, and the good records around it give
 * the alerts they give alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cep } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-hostile-values-'));

/** `a` then `b` of one key within an hour; and an absence, whose alert's end is its deadline. */
const RULES = join(dir, 'rules.cep');
writeFileSync(RULES, ['rule ab key by k pattern a as x -> b as y within 1h', 'rule quiet key by k pattern a as x -> not b within 1h'].join('\n'));

/** The good records: key g gives one `ab` alert; key q gives one `quiet` alert (and one `ab`-less partial match). */
const GOOD = [
  { type: 'a', ts: '2024-05-01T10:00:00Z', k: 'g' },
  { type: 'b', ts: '2024-05-01T10:00:05Z', k: 'g' },
  { type: 'a', ts: '2024-05-01T10:00:06Z', k: 'q' },
];

/** Writes `lines` (objects as JSON, strings as they are) as an NDJSON file and runs `cep run` on it. */
function run(name: string, lines: readonly (string | object)[], ...more: string[]) {
  const input = join(dir, `${name}.ndjson`);
  const dead = join(dir, `${name}.dead.ndjson`);
  writeFileSync(input, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  const r = cep(['run', RULES, '--input', input, '--no-progress', '--dead-letter', dead, ...more]);
  const deadLetters = readFileSync(dead, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { position: string; reason: string });
  return { ...r, input, deadLetters };
}

describe('event times outside the years 0000 to 9999', () => {
  it('are bad records at their lines, and the good records give their alerts (they crashed the run)', () => {
    const clean = run('clean', GOOD);
    expect(clean.status).toBe(0);
    expect(clean.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    // 1e300: adding `within` does not change it (past 2^53), and the timer crashed the matcher;
    // ±8.64e15 (year ±275760): the absence's deadline is past what an alert can write.
    const times = ['1e300', '8640000000000000', '-8640000000000000', '253402300800000', '-62167219200001'];
    const hostile = times.flatMap((ts) => [`{"type":"a","ts":${ts},"k":"h${ts}"}`, `{"type":"b","ts":${ts},"k":"h${ts}"}`]);
    const r = run('times', [...GOOD.slice(0, 2), ...hostile, GOOD[2]]);
    expect(r.stderr).not.toContain('cep: error');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(clean.stdout);
    expect(r.stderr).toMatch(/cep: 3 events, 10 bad records, 0 late events, 2 alerts/);
    expect(r.deadLetters.map((d) => [d.position, d.reason])).toEqual(
      times.flatMap((ts, i) => [3 + 2 * i, 4 + 2 * i].map((line) => [`${r.input}:${line}`, `event time ${JSON.stringify(Number(ts))} is outside the years 0000 to 9999`])),
    );
  });

  it('the first and last millisecond of those years are taken', () => {
    const r = run('edges', [
      { type: 'a', ts: '0000-01-01T00:00:00Z', k: 'first' },
      { type: 'a', ts: -62167219200000, k: 'first-ms' },
      { type: 'a', ts: '9999-12-31T23:59:59.999Z', k: 'last' },
      { type: 'a', ts: 253402300799999, k: 'last-ms' },
    ]);
    expect(r.status).toBe(0);
    expect(r.deadLetters).toEqual([]);
    const alerts = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; start: string; end: string });
    expect(alerts.map((a) => [a.key, a.start, a.end])).toEqual([
      ['first', '0000-01-01T00:00:00.000Z', '0000-01-01T01:00:00.000Z'],
      ['first-ms', '0000-01-01T00:00:00.000Z', '0000-01-01T01:00:00.000Z'],
      ['last', '9999-12-31T23:59:59.999Z', '+010000-01-01T00:59:59.999Z'],
      ['last-ms', '9999-12-31T23:59:59.999Z', '+010000-01-01T00:59:59.999Z'],
    ]);
  });

  it('with --max-future, a time past the year 9999 is a bad record too, not a crash', () => {
    const r = run('max-future', [...GOOD, { type: 'a', ts: 1e300, k: 'h' }], '--max-future', '1d');
    expect(r.status).toBe(0);
    expect(r.deadLetters.map((d) => d.reason)).toEqual(['event time 1e+300 is outside the years 0000 to 9999']);
  });
});

describe('a type field that is an object or an array', () => {
  it('names no type: no crash on an own toString, and ["a"] is not type a', () => {
    const clean = run('types-clean', GOOD);
    const hostile = [
      '{"type":{"toString":1},"ts":"2024-05-01T10:00:01Z","k":"obj"}',
      '{"type":{"toString":"a","valueOf":"a"},"ts":"2024-05-01T10:00:01Z","k":"obj"}',
      '{"type":["a"],"ts":"2024-05-01T10:00:01Z","k":"arr"}',
      '{"type":"b","ts":"2024-05-01T10:00:02Z","k":"arr"}',
      '{"type":"b","ts":"2024-05-01T10:00:02Z","k":"obj"}',
    ];
    const r = run('types', [GOOD[0], ...hostile, ...GOOD.slice(1)]);
    expect(r.stderr).not.toContain('cep: error');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(clean.stdout);
    expect(r.stderr).toMatch(/cep: 8 events, 0 bad records, 0 late events, 2 alerts/);
  });
});

describe('a record nested deeper than 512 levels', () => {
  const deep = (levels: number) => `${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}`;

  it('is a bad record, wherever the engine would write it: an alert, a bad time, a late event (JSON.stringify overflowed the stack)', () => {
    const clean = run('deep-clean', GOOD);
    const hostile = [
      `{"type":"a","ts":"2024-05-01T10:00:01Z","k":"alert","v":${deep(200_000)}}`,
      '{"type":"b","ts":"2024-05-01T10:00:02Z","k":"alert"}',
      `{"type":"a","ts":{"x":${deep(200_000)}},"k":"bad-time"}`,
      `{"type":"a","ts":"2024-05-01T09:00:00Z","k":"late","v":${deep(513)}}`,
    ];
    const late = join(dir, 'deep.late.ndjson');
    const r = run('deep', [GOOD[0], ...hostile, ...GOOD.slice(1)], '--late', late);
    expect(r.stderr).not.toContain('cep: error');
    expect(r.status).toBe(0);
    expect(r.deadLetters.map((d) => [d.position, d.reason])).toEqual([3, 5, 6].map((line) => [`${r.input}:${line - 1}`, 'nested deeper than 512 levels']));
    // The `b` of key `alert` has no `a` left to complete.
    expect(r.stdout).toBe(clean.stdout);
    expect(readFileSync(late, 'utf8')).toBe('');
  });

  it('512 levels are an event, written whole in its alert and to --late', () => {
    const value = JSON.parse(deep(511)) as unknown;
    const late = join(dir, 'deep512.late.ndjson');
    const r = run('deep512', [{ ...GOOD[0], v: value }, GOOD[1], { ...GOOD[2], ts: '2024-05-01T09:00:00Z', v: value }], '--late', late);
    expect(r.status).toBe(0);
    expect(r.deadLetters).toEqual([]);
    const alert = JSON.parse(r.stdout) as { events: { x: { v: unknown } } };
    expect(alert.events.x.v).toEqual(value);
    expect(JSON.parse(readFileSync(late, 'utf8'))).toEqual({ ...GOOD[2], ts: '2024-05-01T09:00:00Z', v: value });
  });
});

describe('cep test on an expectation file nested deeper than an alert can be', () => {
  it('is a usage error naming its line (sorting its members for the comparison overflowed the stack)', () => {
    const input = join(dir, 'expect-input.ndjson');
    writeFileSync(input, GOOD.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const expect1 = join(dir, 'deep-expect.ndjson');
    writeFileSync(expect1, `{"rule":"ab","kind":"match"}\n{"rule":"ab","kind":"match","fields":{"v":${'['.repeat(100_000)}${']'.repeat(100_000)}}}\n`);
    const r = cep(['test', RULES, '--input', input, '--expect', expect1, '--no-progress']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${expect1}:2: nested deeper than 515 levels`);
    expect(r.stderr).not.toContain('    at ');
  });
});

describe('terminal control sequences in a record', () => {
  it('reach stderr escaped, in a bad record\'s reason and in a "did you mean" (they cleared and recoloured the terminal)', () => {
    const r = run('escapes', [
      '\x1b[2J\x1b[31mPWNED\x1b[0m',
      { type: 'b\x1bc', ts: '2024-05-01T10:00:00Z', k: 'e' },
      ...GOOD,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stderr).toContain(`cep: bad record at ${r.input}:1: not JSON (Unexpected token '\\u001b', "\\u001b[2J\\u001b[31mPWNED\\u001b[0m" is not valid JSON)`);
    // The dead-letter file keeps the reason as it was: JSON escapes it.
    expect(r.deadLetters[0].reason).toContain('"\x1b[2J\x1b[31mPWNED\x1b[0m"');

    const rules = join(dir, 'login.cep');
    writeFileSync(rules, 'rule l key by k pattern authentication_failure');
    const input = join(dir, 'escapes-type.ndjson');
    writeFileSync(input, JSON.stringify({ type: 'authentication_failure\x1b[2J', ts: 1, k: 'e' }) + '\n');
    const warned = cep(['run', rules, '--input', input, '--no-progress']);
    expect(warned.stderr).toContain("rule l names event type 'authentication_failure', which never occurred in the input; did you mean 'authentication_failure\\u001b[2J'?");
    expect(warned.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});

describe("a bad record's reason", () => {
  it('quotes the time it could not read in at most 40 characters (a 15 MB time text made 15 MB lines on stderr and in --dead-letter), a number as JavaScript writes it', () => {
    const r = run('long-time', [
      `{"type":"a","ts":"2024-05-01${' '.repeat(15_000_000)}x","k":"t"}`,
      `{"type":"a","ts":1${'0'.repeat(400)},"k":"t"}`,
      ...GOOD,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr.length).toBeLessThan(2000);
    expect(r.deadLetters.map((d) => d.reason)).toEqual([
      `event time "2024-05-01${' '.repeat(21)}…(15,000,013 characters) is neither epoch ms nor ISO-8601`,
      'event time Infinity is neither epoch ms nor ISO-8601',
    ]);
    expect(r.stdout).toBe(run('long-time-clean', GOOD).stdout);
  });
});

describe("a bad record's raw text in --dead-letter", () => {
  it('is its first 64 Ki characters, for a bad time as for a line that is not JSON (a bad time wrote the whole event, up to 16 MiB)', () => {
    const big = 'x'.repeat(1_000_000);
    const r = run('long-raw', [`{"type":"a","ts":"never","k":"t","pad":"${big}"}`, `{"type":"a","ts":1,"k":"t","pad":"${big}"`, ...GOOD]);
    expect(r.status).toBe(0);
    const raws = readFileSync(join(dir, 'long-raw.dead.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { raw: string }).raw);
    expect(raws.map((raw) => raw.length)).toEqual([64 * 1024, 64 * 1024]);
    expect(raws[0]).toBe(`{"type":"a","ts":"never","k":"t","pad":"${big}"}`.slice(0, 64 * 1024));
  });
});

describe('a truncated .gz input', () => {
  it('is one bad record where the cut line starts; the lines before it give their alerts, those the end of the input completes included (the run failed with "unexpected end of file" and lost them)', () => {
    // Each key: a, b, a a second apart; the last a's `quiet` absence completes only at the end of the input.
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ type: i % 3 === 1 ? 'b' : 'a', ts: 1_700_000_000_000 + i * 1000, k: `k${Math.floor(i / 3)}` }));
    const whole = gzipSync(Buffer.from(lines.join('\n') + '\n'));
    const gz = join(dir, 'truncated.ndjson.gz');
    writeFileSync(gz, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = cep(['run', RULES, '--input', gz, '--no-progress']);
    expect(r.stderr).not.toContain('cep: error');
    expect(r.status).toBe(0);
    const bad = /cep: bad record at .*truncated\.ndjson\.gz:(\d+): compressed input damaged \(unexpected end of file\): nothing from this line on could be read\n/.exec(r.stderr);
    expect(bad).not.toBeNull();
    const kept = Number(bad?.[1]) - 1;
    expect(kept).toBeGreaterThan(1000);
    const plain = join(dir, 'truncated-kept.ndjson');
    writeFileSync(plain, lines.slice(0, kept).join('\n') + '\n');
    const clean = cep(['run', RULES, '--input', plain, '--no-progress']);
    expect(r.stdout).toBe(clean.stdout);
    expect(r.stdout).toContain('"rule":"quiet"');
  });
});

describe('a .gz input followed by bytes that are not gzip', () => {
  it('gives every line before the damage, as zcat does, then one bad record (Node\'s gunzip dropped the output of its last step, up to 16 KiB of lines, uncounted)', () => {
    const lines = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ type: i % 3 === 1 ? 'b' : 'a', ts: 1_700_000_000_000 + i * 1000, k: `k${Math.floor(i / 3)}`, pad: 'p'.repeat(i % 50) }));
    const plain = join(dir, 'garbage-all.ndjson');
    writeFileSync(plain, lines.join('\n') + '\n');
    const clean = cep(['run', RULES, '--input', plain, '--no-progress']);
    // Two gzip members (as `cat a.gz b.gz` makes), then garbage.
    const members = [lines.slice(0, 1500), lines.slice(1500)].map((part) => gzipSync(Buffer.from(part.join('\n') + '\n')));
    const gz = join(dir, 'garbage.ndjson.gz');
    writeFileSync(gz, Buffer.concat([...members, Buffer.from('garbage\n')]));
    const r = cep(['run', RULES, '--input', gz, '--no-progress']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`cep: bad record at ${gz}:4001: compressed input damaged (incorrect header check): nothing from this line on could be read\n`);
    expect(r.stderr).toContain('cep: 4,000 events, 1 bad record');
    expect(r.stdout).toBe(clean.stdout);
  });
});

describe('a rule named __proto__', () => {
  it('has its alerts counted in the summary (a plain object by rule name took the name as its prototype)', () => {
    const rules = join(dir, 'proto-rule.cep');
    writeFileSync(rules, 'rule __proto__ key by k pattern a as x -> b as y\nrule constructor key by k pattern a as x -> b as y\n');
    const input = join(dir, 'proto-rule.ndjson');
    writeFileSync(input, GOOD.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = cep(['run', rules, '--input', input, '--no-progress']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: string }).rule)).toEqual(['__proto__', 'constructor']);
    expect(r.stderr).toMatch(/cep: 3 events, 0 bad records, 0 late events, 2 alerts \(__proto__ 1, constructor 1\)/);
  });
});
