import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/runtime/source.js';
import { CsvSource } from '../../src/runtime/sources/csv.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { formatOf } from '../../src/runtime/sources/formats.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-sources-'));
const SSH = 'examples/data/ssh-auth.ndjson';

async function all(records: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

describe('NdjsonSource', () => {
  it('reads every line of a real file as it was written, with file:line positions', async () => {
    const lines = readFileSync(SSH, 'utf8').trim().split('\n');
    const records = await all(new NdjsonSource(SSH).records());
    expect(records).toHaveLength(lines.length);
    expect(records.every((r) => r.kind === 'event')).toBe(true);
    expect(records.map((r) => (r.kind === 'event' ? r.value : null))).toEqual(lines.map((l) => JSON.parse(l)));
    expect(records[41].position).toBe(`${SSH}:42`);
  });

  it('reads gzip files the same as plain ones', async () => {
    const path = join(dir, 'ssh.ndjson.gz');
    writeFileSync(path, gzipSync(readFileSync(SSH)));
    const plain = await all(new NdjsonSource(SSH).records());
    const zipped = await all(new NdjsonSource(path).records());
    expect(zipped.map((r) => (r.kind === 'event' ? r.value : r))).toEqual(plain.map((r) => (r.kind === 'event' ? r.value : r)));
  });

  it('sets aside garbage, binary and non-object lines, skips blank ones, accepts CRLF and a last line without newline', async () => {
    const path = join(dir, 'mixed.ndjson');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b, 0x0a]);
    writeFileSync(path, Buffer.concat([Buffer.from('{"a":1}\r\nnot json\n\n   \n[1,2]\n42\n'), binary, Buffer.from('{"a":2}')]));
    const records = await all(new NdjsonSource(path).records());
    expect(records.map((r) => [r.kind, r.position])).toEqual([
      ['event', `${path}:1`],
      ['bad', `${path}:2`],
      ['bad', `${path}:5`],
      ['bad', `${path}:6`],
      ['bad', `${path}:7`],
      ['event', `${path}:8`],
    ]);
    const bad = records.filter((r) => r.kind === 'bad');
    expect(bad.map((r) => (r.kind === 'bad' ? r.reason : ''))).toEqual([expect.stringMatching(/^not JSON/), 'not a JSON object', 'not a JSON object', 'invalid UTF-8']);
    expect(bad[0].kind === 'bad' && bad[0].raw).toBe('not json');
  });

  it('keeps exact positions of bad lines among many good ones, including lines that only look like objects', async () => {
    const path = join(dir, 'large.ndjson');
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ type: 'a', ts: i, id: `k${i % 97}` }));
    lines[4_321] = '{"type":"a","ts":';
    lines[12_000] = '{"a":1},{"b":2}';
    lines[12_001] = '{"x":"}';
    lines[12_002] = '{"}';
    lines[17_500] = '{"x":"caf\u00e9 ☕"}';
    writeFileSync(path, lines.join('\n') + '\n');
    const records = await all(new NdjsonSource(path).records());
    expect(records).toHaveLength(20_000);
    const bad = records.flatMap((r, i) => (r.kind === 'bad' ? [[i + 1, r.position]] : []));
    expect(bad).toEqual([4_322, 12_001, 12_002, 12_003].map((n) => [n, `${path}:${n}`]));
    const good = records[17_500];
    expect(good.kind === 'event' && good.value).toEqual({ x: 'café ☕' });
    expect(records[19_999].kind === 'event' && records[19_999].value).toEqual(JSON.parse(lines[19_999]));
  });

  it('sets aside lines that are bad alone even where, joined by commas, they would form objects', async () => {
    const path = join(dir, 'paired.ndjson');
    writeFileSync(path, '{"type":"a","ts":1}\n{"a":[{}\n{}]}\n{},{}\n{"type":"a","ts":2}\n');
    const records = await all(new NdjsonSource(path).records());
    expect(records.map((r) => [r.kind, r.position])).toEqual([
      ['event', `${path}:1`],
      ['bad', `${path}:2`],
      ['bad', `${path}:3`],
      ['bad', `${path}:4`],
      ['event', `${path}:5`],
    ]);
  });

  it('reads a file across many chunks as it was written, and stops at close() without reading further', async () => {
    const path = join(dir, 'chunks.ndjson');
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ type: 'a', ts: i, id: `k${i}`, text: 'x'.repeat(i % 50) }));
    writeFileSync(path, lines.join('\n'));
    const source = new NdjsonSource(path);
    const records = await all(source.records());
    expect(records.map((r) => (r.kind === 'event' ? r.value : r))).toEqual(lines.map((l) => JSON.parse(l)));
    expect(source.bytesRead()).toBe(source.size);
    const stopped = new NdjsonSource(path);
    let read = 0;
    for await (const batch of stopped.batches()) {
      read += batch.length;
      await stopped.close();
    }
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(lines.length);
  });

  it('fails on a missing file with ENOENT', async () => {
    await expect(all(new NdjsonSource(join(dir, 'nope.ndjson')).records())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('CsvSource', () => {
  it('reads rows under the header with typed cells and sets aside rows of the wrong width', async () => {
    const path = join(dir, 'events.csv');
    writeFileSync(path, 'type,ts,ip,port,ok,note\nauth_failure,2015-12-10T06:55:48Z,1.2.3.4,38926,false,"a, b"\nauth_failure,2015-12-10T06:55:49Z,1.2.3.4\nauth_success,2015-12-10T06:56:00Z,1.2.3.4,22,true,\n');
    const records = await all(new CsvSource(path).records());
    const events = records.filter((r) => r.kind === 'event');
    expect(events.map((r) => (r.kind === 'event' ? r.value : null))).toEqual([
      { type: 'auth_failure', ts: '2015-12-10T06:55:48Z', ip: '1.2.3.4', port: 38926, ok: false, note: 'a, b' },
      { type: 'auth_success', ts: '2015-12-10T06:56:00Z', ip: '1.2.3.4', port: 22, ok: true, note: null },
    ]);
    expect(events.map((r) => r.position)).toEqual([`${path}:2`, `${path}:4`]);
    const bad = records.filter((r) => r.kind === 'bad');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ position: `${path}:3`, reason: expect.stringMatching(/length/i) });
  });

  it('picks the format by extension', () => {
    expect(formatOf('a.csv')).toBe('csv');
    expect(formatOf('a.CSV.gz')).toBe('csv');
    expect(formatOf('a.ndjson')).toBe('ndjson');
    expect(formatOf('a.json.gz')).toBe('ndjson');
    expect(formatOf('-')).toBe('ndjson');
  });
});
