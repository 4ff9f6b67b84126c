/**
 * An alert whose JSON would be longer than V8's longest string (about 512 MiB) is reported and left
 * out; the run goes on and the other alerts are written. It needs over a gigabyte of memory, hence
 * a long test (`npm run test:long`). Before, the RangeError of `toAlert` crashed the run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cep } from './support/cli.js';

describe('an alert too large to write', () => {
  it('is reported on stderr and left out; the run ends normally with the other alerts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cep-too-large-'));
    const rules = join(dir, 'concat.cep');
    // 38 copies of a 14 MB text: a 532 MB string (a rope, cheap), whose JSON passes 2^29 - 24 characters.
    writeFileSync(rules, `rule c key by k pattern a as x -> b as y emit { s: ${Array.from({ length: 38 }, () => 'x.v').join(' + ')} }\n`);
    const input = join(dir, 'big.ndjson');
    writeFileSync(input, [
      JSON.stringify({ type: 'a', ts: 1, k: 'big\u009b2J', v: 'v'.repeat(14_000_000) }),
      JSON.stringify({ type: 'b', ts: 2, k: 'big\u009b2J' }),
      JSON.stringify({ type: 'a', ts: 3, k: 'small', v: 'v' }),
      JSON.stringify({ type: 'b', ts: 4, k: 'small' }),
    ].join('\n') + '\n');
    const r = cep(['run', rules, '--input', input, '--no-progress']);
    expect(r.status).toBe(0);
    // The key is quoted as JSON, its C1 control (U+009B, a one-character ESC [) escaped as well.
    expect(r.stderr).toContain('cep: error: rule c, key "big\\u009b2J": a match alert too large to write (Invalid string length: its JSON would pass 512 MiB) is left out\n');
    expect(r.stderr).toMatch(/cep: 4 events, 0 bad records, 0 late events, 1 alert \(c 1\)/);
    const alerts = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; fields: { s: string } });
    expect(alerts.map((a) => [a.key, a.fields.s])).toEqual([['small', 'v'.repeat(38)]]);
  }, 120_000);
});
