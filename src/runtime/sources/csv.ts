/**
 * The CSV source (csv-parse): the first row names the columns, each further row becomes an object
 * of those columns. Cells are typed the way a JSON event would be: numeric text becomes a number,
 * `true`/`false` booleans, an empty cell `null` (a missing key, DSL.md section 1); everything else
 * stays text. A row of the wrong width or with broken quoting is a bad record (DSL.md section 7),
 * never fatal. Streams (file, `.csv.gz`, stdin), so memory stays constant.
 */
import { parse, type CsvError } from 'csv-parse';
import type { SourceBadRecord, SourceRecord } from '../source.js';
import { FileEvent, FileSource } from './open-input.js';

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;


export class CsvSource extends FileSource {

  /** @throws Error (`ENOENT`, ...) from opening the file, on the first iteration. */
  async *records(): AsyncGenerator<SourceRecord> {
    const opened = this.open();
    const input = this.path;
    const skipped: SourceBadRecord[] = [];
    const parser = opened.stream.pipe(
      parse({
        columns: true,
        bom: true,
        info: true,
        raw: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        cast: castCell,
        on_skip: (err: CsvError | undefined, raw: string | undefined) => {
          const line = (err as { lines?: number } | undefined)?.lines ?? 0;
          skipped.push({ kind: 'bad', input, position: `${input}:${line}`, raw: raw ?? '', reason: err?.message ?? 'bad CSV row' });
          return undefined;
        },
      }),
    );
    opened.stream.on('error', (e) => parser.destroy(e));
    for await (const item of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
      while (skipped.length > 0) yield skipped.shift()!;
      yield new FileEvent(input, item.info.lines, item.record);
    }
    while (skipped.length > 0) yield skipped.shift()!;
  }
}

function castCell(value: string, context: { header: boolean; quoting: boolean }): unknown {
  if (context.header || context.quoting) return value;
  if (value === '') return null;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (NUMBER.test(value)) {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return value;
}
