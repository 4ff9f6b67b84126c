/**
 * The CSV source on hostile input (DSL.md section 7): a malformed row (a stray quote, broken
 * quoting, the wrong width, invalid UTF-8) is one bad record at its own line, and the rows after it
 * are read as usual. Lines are the file's lines: the header is line 1.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../../src/runtime/source.js';
import { CsvReader, CsvSource, MAX_RECORD_CHARS } from '../../../src/runtime/sources/csv.js';
import { readLines } from '../../../src/runtime/sources/lines.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-csv-'));
const STRAY = 'test/fixtures/sources/ssh-stray-quote.csv';
const SSH = 'examples/data/ssh-auth.ndjson';

async function read(path: string): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of new CsvSource(path).records()) out.push(r);
  return out;
}

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `[line, value]` of each event, `[line, reason]` of each bad record. */
function outcome(records: SourceRecord[]): { events: [number, Record<string, unknown>][]; bad: [number, string][] } {
  const line = (r: SourceRecord) => Number(r.position.slice(r.position.lastIndexOf(':') + 1));
  return {
    events: records.flatMap((r) => (r.kind === 'event' ? [[line(r), r.value] as [number, Record<string, unknown>]] : [])),
    bad: records.flatMap((r) => (r.kind === 'bad' ? [[line(r), r.reason] as [number, string]] : [])),
  };
}

describe('CsvSource on malformed rows', () => {
  it('a stray quote at line 101 of a 1,000-row file costs that row only (fixture)', async () => {
    const { events, bad } = outcome(await read(STRAY));
    expect(bad).toEqual([[101, 'a quoted field is not closed before the end of the input']]);
    expect(events).toHaveLength(999);
    // Event n of the NDJSON file is on line n + 1 of the CSV; every one but the 100th is read as written.
    const ssh = readFileSync(SSH, 'utf8').split('\n').slice(0, 1000).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map(([line]) => line)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2).filter((l) => l !== 101));
    // Cells are typed as CSV cells are: a user named 0101 is read as the number 101.
    const typed = (v: unknown) => (v === undefined ? null : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v);
    const differing = events.filter(([line, value]) => Object.keys(value).some((key) => value[key] !== typed(ssh[line - 2][key])));
    expect(differing).toEqual([]);
  });

  it('each kind of malformed row is one bad record at its own line; the good rows around it are read', async () => {
    const path = write('mixed.csv', Buffer.concat([
      Buffer.from('\ufefftype,ts,id,note,n\n'), // 1: header, after a byte order mark
      Buffer.from('a,1,k1,"hello, world",1\n'), // 2
      Buffer.from('a,2,k2,ab"c,2\n'), // 3: quote inside an unquoted field
      Buffer.from('a,3,k3,"ab"c,3\n'), // 4: text after a closing quote
      Buffer.from('a,4,k4,"x ""quoted"" y","5"\n'), // 5: escaped quotes; a quoted number stays text
      Buffer.from('a,5,k5,"two\nlines",6\n'), // 6-7: one record across two lines
      Buffer.from('\n'), // 8: blank, skipped
      Buffer.from('a,7,k7,x\n'), // 9: too few cells
      Buffer.from('a,8,k8,x,8,extra\n'), // 10: too many
      Buffer.from('a,9,k9,'), Buffer.from([0xff]), Buffer.from(',9\n'), // 11: invalid UTF-8
      Buffer.from('a,10,k10,,\n'), // 12: empty cells are null
      Buffer.from('a,11,k11,"",""\n'), // 13: quoted empty cells are text
      Buffer.from('a,12,k12,"open,12\n'), // 14: a quote never closed on its line (the next one, line 16, is not a proper close)
      Buffer.from('a,13,k13,fine,13\r\n'), // 15: CRLF
      Buffer.from('a,14,k14,"never closed'), // 16: open at the end of the input
    ]));
    const { events, bad } = outcome(await read(path));
    expect(events).toEqual([
      [2, { type: 'a', ts: 1, id: 'k1', note: 'hello, world', n: 1 }],
      [5, { type: 'a', ts: 4, id: 'k4', note: 'x "quoted" y', n: '5' }],
      [6, { type: 'a', ts: 5, id: 'k5', note: 'two\nlines', n: 6 }],
      [12, { type: 'a', ts: 10, id: 'k10', note: null, n: null }],
      [13, { type: 'a', ts: 11, id: 'k11', note: '', n: '' }],
      [15, { type: 'a', ts: 13, id: 'k13', note: 'fine', n: 13 }],
    ]);
    expect(bad).toEqual([
      [3, 'a quote inside the unquoted field of column 4'],
      [4, 'the closing quote of column 4 is followed by "c", not by a comma or the end of the line'],
      [9, 'invalid record length: 4 cells, the header has 5'],
      [10, 'invalid record length: 6 cells, the header has 5'],
      [11, 'invalid UTF-8'],
      [14, 'the closing quote of column 4 is followed by "n", not by a comma or the end of the line'],
      [16, 'a quoted field is not closed before the end of the input'],
    ]);
    const records = await read(path);
    const raw = records.flatMap((r) => (r.kind === 'bad' ? [r.raw] : []));
    expect(raw[0]).toBe('a,2,k2,ab"c,2');
    expect(raw[4]).toBe('a,9,k9,\ufffd,9');
    expect(raw[5]).toBe('a,12,k12,"open,12');
  });

  it('a quoted field that runs across lines and then breaks costs its first line only', async () => {
    const path = write('runs-on.csv', [
      'a,b,c', // 1
      '1,"x,2', // 2: stray quote; the next quote (line 4) is not a proper close
      '3,4,5', // 3
      '6,"q",7', // 4
      '8,"y', // 5: closes properly on line 6, but the record then has 4 cells
      'z",9,10', // 6: alone, a quote inside an unquoted field
      '11,12,13', // 7
      '14,"p', // 8: closes properly on line 9 with the header's width: one record (RFC 4180)
      'q",15', // 9
      '16,17,18', // 10
    ].join('\n') + '\n');
    const { events, bad } = outcome(await read(path));
    expect(events).toEqual([
      [3, { a: 3, b: 4, c: 5 }],
      [4, { a: 6, b: 'q', c: 7 }],
      [7, { a: 11, b: 12, c: 13 }],
      [8, { a: 14, b: 'p\nq', c: 15 }],
      [10, { a: 16, b: 17, c: 18 }],
    ]);
    expect(bad).toEqual([
      [2, 'the closing quote of column 2 is followed by "q", not by a comma or the end of the line'],
      [5, 'a quoted field runs on to line 6, and the record then has 4 cells, the header 3'],
      [6, 'a quote inside the unquoted field of column 1'],
    ]);
  });

  it('a quoted field running into a line that is not UTF-8 costs its first line; that line is a bad record too', async () => {
    const path = write('runs-into-binary.csv', Buffer.concat([Buffer.from('a,b\n1,"x\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('",2\n3,4\n')]));
    const { events, bad } = outcome(await read(path));
    expect(bad).toEqual([
      [2, 'a quoted field runs on into line 3, which is a bad line (invalid UTF-8)'],
      [3, 'invalid UTF-8'],
      [4, 'a quoted field is not closed before the end of the input'],
    ]);
    expect(events).toEqual([[5, { a: 3, b: 4 }]]);
  });

  it('a stray quote with no other quote after it in a large file: held back at most MAX_RECORD_CHARS, then the rest is read', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `e,${i},k${i % 1000},${i * 3}`);
    rows[50_000] = `e,50000,"k0,150000`;
    const path = write('large-stray.csv', ['type,ts,id,v', ...rows].join('\n') + '\n');
    expect(rows.join('\n').length - rows.slice(0, 50_000).join('\n').length).toBeGreaterThan(2 * MAX_RECORD_CHARS);
    const { events, bad } = outcome(await read(path));
    expect(bad).toEqual([[50_002, `a quoted field is not closed within ${MAX_RECORD_CHARS} characters`]]);
    expect(events).toHaveLength(199_999);
    expect(events.at(-1)).toEqual([200_001, { type: 'e', ts: 199_999, id: 'k999', v: 599_997 }]);
    expect(events.every(([line, value]) => value.ts === line - 2)).toBe(true);
  });

  it('a header with a column named __proto__ gives an own field, as JSON.parse does', async () => {
    const { events } = outcome(await read(write('proto.csv', 'type,__proto__\na,1\n')));
    expect(events).toHaveLength(1);
    const value = events[0][1];
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['type', '__proto__']);
    expect(value.__proto__).toBe(1);
  });
});

describe('CsvSource on a header naming a column twice', () => {
  it('is a bad header record naming the column, and the next record is taken as the header; the second k overwrote the first in every row', async () => {
    const { events, bad } = outcome(await read(write('duplicate.csv', 'k,type,ts,k\nk,type,ts\nx,a,1\n')));
    expect(bad).toEqual([[1, 'the header names the column "k" twice (columns 1 and 4)']]);
    expect(events).toEqual([[3, { k: 'x', type: 'a', ts: 1 }]]);
  });

  it('a long name is quoted in 40 characters; empty names (trailing commas of a spreadsheet export) may repeat', async () => {
    const long = 'c'.repeat(10_000);
    expect(outcome(await read(write('long.csv', `${long},type,${long}\n`))).bad).toEqual([[1, `the header names the column ${'"'}${'c'.repeat(31)}…(10,002 characters) twice (columns 1 and 3)`]]);
    expect(outcome(await read(write('empty-names.csv', 'type,ts,,\na,1,,\n')))).toEqual({ events: [[2, { type: 'a', ts: 1, '': null }]], bad: [] });
  });
});

describe('CsvSource cell types', () => {
  it('an integer cell beyond 2^53 stays text: two 19-digit card numbers were one rounded number, one key', async () => {
    const { events } = outcome(await read(write('big-integers.csv', 'type,card,n\na,4111111111111111111,9007199254740991\na,4111111111111111112,-9007199254740993\na,9007199254740993,1e300\n')));
    expect(events.map(([, v]) => [v.card, v.n])).toEqual([
      ['4111111111111111111', 9007199254740991],
      ['4111111111111111112', '-9007199254740993'],
      ['9007199254740993', 1e300],
    ]);
  });
});

describe('CsvSource on valid files', () => {
  it('reads what csv-parse reads, record for record, at each record\'s first line, across chunk boundaries', async () => {
    // A seeded file of about 1.3 MB (five 256 KiB chunks): quoted cells with commas, escaped
    // quotes, newlines and non-ASCII text, CRLF and LF line ends, blank lines.
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16_777_216;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const cell = (): string => {
      const r = rnd();
      if (r < 0.3) return String(Math.floor(rnd() * 1e6));
      if (r < 0.4) return pick(['', 'true', 'false', '-1.5e3', '.5', '007', 'NaN']);
      if (r < 0.7) return pick(['alpha', 'beta', 'café', '☕', '😀x', 'a b']);
      return `"${pick(['a,b', 'say ""hi""', 'two\nlines', 'three\r\nline\nbreaks', 'é,😀', '', '42', '""'])}"`;
    };
    const lines: string[] = ['c1,c2,c3,c4,c5'];
    const starts: number[] = []; // first line of each record
    let line = 1;
    for (let size = 0; size < 1_300_000; size += lines[lines.length - 1].length + 1) {
      if (rnd() < 0.01) {
        lines.push('');
        line++;
        continue;
      }
      const record = Array.from({ length: 5 }, cell).join(',') + (rnd() < 0.3 ? '\r' : '');
      starts.push(line + 1);
      line += record.split('\n').length;
      lines.push(record);
    }
    const text = lines.join('\n') + '\n';
    const path = write('valid.csv', text);
    const expected = parse(text, {
      columns: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      cast: (value: string, context: { header: boolean; quoting: boolean }) => {
        if (context.header || context.quoting) return value;
        if (value === '') return null;
        if (value === 'true' || value === 'false') return value === 'true';
        return /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value) ? Number(value) : value;
      },
    }) as Record<string, unknown>[];
    const { events, bad } = outcome(await read(path));
    expect(bad).toEqual([]);
    expect(events.length).toBe(expected.length);
    expect(events.map(([l]) => l)).toEqual(starts);
    expect(events.map(([, v]) => v)).toEqual(expected);
  });
});

describe('CsvReader', () => {
  it('gives the same records however the input is cut into chunks (records left open at a chunk end)', async () => {
    const content = Buffer.concat([
      Buffer.from('a,b,c\r\n1,"x\ny",2\r\n3,"open\n4,5,6\n'),
      Buffer.from([0xe2, 0x82]), // a line with a truncated €
      Buffer.from('\n7,"p\n""q""\n",8\n9,10,"11"\n12,"never'),
    ]);
    const readWith = async (sizes: number[]): Promise<string[]> => {
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let at = 0, i = 0; at < content.length; i++) {
          yield content.subarray(at, at + sizes[i % sizes.length]);
          at += sizes[i % sizes.length];
        }
      }
      const reader = new CsvReader('in.csv');
      const out: SourceRecord[] = [];
      for await (const chunk of readLines(chunks())) reader.push(chunk, out);
      reader.end(out);
      return out.map((r) => `${r.position} ${r.kind === 'event' ? JSON.stringify(r.value) : `bad: ${r.reason}`}`);
    };
    const whole = await readWith([content.length]);
    expect(whole).toEqual([
      'in.csv:2 {"a":1,"b":"x\\ny","c":2}',
      'in.csv:4 bad: the closing quote of column 2 is followed by "p", not by a comma or the end of the line',
      'in.csv:5 {"a":4,"b":5,"c":6}',
      'in.csv:6 bad: invalid UTF-8',
      'in.csv:7 {"a":7,"b":"p\\n\\"q\\"\\n","c":8}',
      'in.csv:10 {"a":9,"b":10,"c":"11"}',
      'in.csv:11 bad: a quoted field is not closed before the end of the input',
    ]);
    for (const sizes of [[1], [2, 3], [5, 1, 8], [16], [31]]) expect(await readWith(sizes)).toEqual(whole);
  });
});
