/**
 * The CSV source: the first record names the columns, each further record becomes an object of
 * those columns (RFC 4180, `,` separated, `"` quoted, from a file, `.csv.gz` or stdin `-`). Cells
 * are typed the way a JSON event would be: an unquoted numeric cell becomes a number (an integer
 * beyond ±2^53 stays text: its digits would be lost),
 * `true`/`false` booleans, an empty cell `null` (a missing key, DSL.md section 1); a quoted cell
 * and everything else stays text.
 *
 * A malformed record costs exactly its own row (DSL.md section 7): a stray quote, broken quoting,
 * a row of the wrong width or a line that is not valid UTF-8 is one bad record at its own line,
 * and reading goes on at the next line. Lines are numbered from the file's first line (the header
 * is line 1, blank lines count); a record spanning lines is reported at its first line. Where a
 * record may span lines is said in `csv-record.ts`: a quoted field may hold newlines only if it
 * closes properly, and a spanning record that is malformed, or of the wrong width, costs its first
 * line only. A bad header is reported like any bad record and the next record is taken as the
 * header: a malformed one, or one naming a column twice ({@link duplicateColumn}). Line ends are `\n` or `\r\n` (a lone `\r`, old Mac files, is not a line end).
 *
 * Why not csv-parse (the library used before): it cannot go back to the next line after a broken
 * quote (with `skip_records_with_error` a stray `"` swallowed every row up to the file's next
 * quote), and its per-cell `cast` hook made it much slower than this reader (bench/README.md). Here the
 * bytes are cut into lines and decoded strictly by {@link readLines}; a line without a quote
 * (most lines of most files) is split at its commas directly; a record with a quote is read by
 * {@link readQuotedRecord}. Memory is bounded by the chunk size plus the longest record.
 */
import { shorten } from '../../dsl/errors.js';
import { rawOf, type SourceBadRecord, type SourceRecord } from '../source.js';
import { readQuotedRecord } from './csv-record.js';
import { type LineChunk, MAX_LINE_BYTES, readLines } from './lines.js';
import { FileEvent, FileSource } from './open-input.js';

/**
 * Longest record spanning lines, characters (1 Mi): a quoted field still open after that is
 * malformed. It bounds what a stray quote holds back (and keeps in memory) before the rows after
 * it are read; a single line may still be as long as {@link MAX_LINE_BYTES}.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;


/** A CSV input (see the file comment): `records()`/`batches()` yield one event per data row, or a bad record at its line. */
export class CsvSource extends FileSource {

  /**
   * The records of each chunk read (64 KiB, `READ_CHUNK_BYTES` of lines.ts), as one array: the engine's fast path. Same records,
   * same order as {@link records}.
   */
  async *batches(): AsyncGenerator<SourceRecord[]> {
    const reader = new CsvReader(this.path);
    for await (const chunk of readLines(this.open().bytes)) {
      const batch: SourceRecord[] = [];
      reader.push(chunk, batch);
      if (batch.length > 0) yield batch;
    }
    const batch: SourceRecord[] = [];
    reader.end(batch);
    if (batch.length > 0) yield batch;
  }
}

/** A line set aside by the line reader, by its number in the file. */
interface BadLine {
  readonly line: number;
  readonly raw: string;
  readonly reason: string;
}

/**
 * Turns decoded lines into records; holds the header and a record left open at a chunk's end.
 * `push` each chunk of {@link readLines} in order, then `end`; records are appended to `out`.
 */
export class CsvReader {
  private columns: Columns | null = null;
  /** Number of the last line turned into records. */
  private line = 0;
  /** The text of a record still open at the end of the last chunk (from its first line), else ''. */
  private pending = '';
  /** Lines the line reader set aside that reading has not reached yet, in order, from `next`. */
  private badLines: BadLine[] = [];
  private next = 0;

  constructor(private readonly input: string) {}

  push(chunk: LineChunk, out: SourceRecord[]): void {
    if (chunk.bad.length > 0) {
      const first = this.line + 1 + countLines(this.pending); // the number of chunk.text's first line
      if (this.next === this.badLines.length) {
        this.badLines = [];
        this.next = 0;
      }
      for (const b of chunk.bad) this.badLines.push({ line: first + b.index, raw: b.raw, reason: b.reason });
    }
    const text = this.pending === '' ? chunk.text : this.pending + chunk.text;
    this.pending = '';
    this.read(text, false, out);
  }

  /** At the end of the input: a record still open is malformed. */
  end(out: SourceRecord[]): void {
    const text = this.pending;
    this.pending = '';
    if (text !== '') this.read(text, true, out);
  }

  /** Reads the records of `text` (whole lines, its first line is `this.line + 1`). */
  private read(text: string, atEnd: boolean, out: SourceRecord[]): void {
    let quote = nextQuote(text, 0);
    for (let pos = 0; pos < text.length; ) {
      const lf = text.indexOf('\n', pos);
      const line = this.line + 1;
      const lineEnd = lf > pos && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
      const badLine = this.next < this.badLines.length ? this.badLines[this.next] : null;
      if (badLine !== null && badLine.line === line) {
        this.next++;
        out.push(this.bad(line, badLine.raw, badLine.reason));
      } else if (quote > lf) {
        // No quote on this line: split it at its commas.
        if (lineEnd > pos) {
          const raw = text.slice(pos, lineEnd);
          this.record(line, raw.split(','), null, raw, out);
        }
      } else {
        const scan = readQuotedRecord(text, pos);
        if (scan === 'more' && !atEnd && text.length - pos <= MAX_RECORD_CHARS) {
          this.pending = text.slice(pos); // the record may close in the next chunk
          return;
        }
        if (scan === 'more') {
          const where = atEnd ? 'before the end of the input' : `within ${MAX_RECORD_CHARS} characters`;
          out.push(this.bad(line, text.slice(pos, lineEnd), `a quoted field is not closed ${where}`));
        } else if ('malformed' in scan) {
          out.push(this.bad(line, text.slice(pos, lineEnd), scan.malformed));
        } else if (scan.end === lf + 1) {
          this.record(line, scan.cells, scan.quoted, text.slice(pos, lineEnd), out);
        } else {
          // A quoted field ran across lines. Kept only when nothing is wrong with the record;
          // otherwise it costs its first line and reading goes on at the next line.
          const last = line + countLines(text.slice(pos, scan.end - 1));
          const width = this.columns?.names.length;
          let malformed: string | null = null;
          if (badLine !== null && badLine.line <= last) {
            malformed = `a quoted field runs on into line ${badLine.line}, which is a bad line (${badLine.reason})`;
          } else if (width !== undefined && scan.cells.length !== width) {
            malformed = `a quoted field runs on to line ${last}, and the record then has ${scan.cells.length} cells, the header ${width}`;
          }
          if (malformed !== null) {
            out.push(this.bad(line, text.slice(pos, lineEnd), malformed));
          } else {
            this.record(line, scan.cells, scan.quoted, text.slice(pos, scan.end - 1), out);
            this.line = last;
            pos = scan.end;
            if (quote < pos) quote = nextQuote(text, pos);
            continue;
          }
        }
      }
      this.line = line;
      pos = lf + 1;
      if (quote < pos) quote = nextQuote(text, pos);
    }
  }

  /** One record's cells: the header, an event, or a bad record of the wrong width. */
  private record(line: number, cells: string[], quoted: boolean[] | null, raw: string, out: SourceRecord[]): void {
    if (this.columns === null) {
      const duplicate = duplicateColumn(cells);
      if (duplicate === null) this.columns = new Columns(cells);
      else out.push(this.bad(line, raw, duplicate));
    } else if (cells.length !== this.columns.names.length) {
      out.push(this.bad(line, raw, `invalid record length: ${cells.length} cells, the header has ${this.columns.names.length}`));
    } else {
      out.push(new FileEvent(this.input, line, this.columns.object(cells, quoted)));
    }
  }

  private bad(line: number, raw: string, reason: string): SourceBadRecord {
    return { kind: 'bad', input: this.input, position: `${this.input}:${line}`, raw: rawOf(raw), reason };
  }
}

/** The header's column names, and how a row of cells becomes an event object. */
class Columns {
  /** A column named `__proto__` must be defined, not assigned, to become an own field (as `JSON.parse` does). */
  private readonly define: boolean;

  constructor(readonly names: readonly string[]) {
    this.define = names.includes('__proto__');
  }

  object(cells: readonly string[], quoted: readonly boolean[] | null): Record<string, unknown> {
    const { names } = this;
    const value: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const cell = quoted !== null && quoted[i] ? cells[i] : typed(cells[i]);
      if (this.define) Object.defineProperty(value, names[i], { value: cell, enumerable: true, writable: true, configurable: true });
      else value[names[i]] = cell;
    }
    return value;
  }
}

/**
 * Why a header cannot be used, or null: it names a column twice (`k,type,ts,k`), so each row's second
 * cell would overwrite its first and every event lose that field (its key) without a word. The name
 * is quoted as JSON in at most 40 characters. Empty names may repeat (the trailing commas of a
 * spreadsheet export): no rule can read a field named `''`.
 */
function duplicateColumn(names: readonly string[]): string | null {
  const first = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name === '') continue;
    const at = first.get(name);
    if (at !== undefined) return `the header names the column ${shorten(JSON.stringify(name))} twice (columns ${at + 1} and ${i + 1})`;
    first.set(name, i);
  }
  return null;
}

/**
 * An unquoted cell's value: `null` for empty, a number, a boolean, or the text itself. An integer
 * written with more digits than a number holds exactly (beyond ±2^53) stays text.
 */
function typed(cell: string): unknown {
  if (cell === '') return null;
  const c = cell.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 46) {
    if (NUMBER.test(cell)) {
      const n = Number(cell);
      // Digits past 2^53 are not kept by a number: two ids (card numbers, 19 digits) would become one.
      if (Number.isFinite(n) && (Number.isSafeInteger(n) || !Number.isInteger(n) || !INTEGER.test(cell))) return n;
    }
    return cell;
  }
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  return cell;
}

/** Index of the next `"` at or after `from`, or past the end of `text` when there is none. */
function nextQuote(text: string, from: number): number {
  const q = text.indexOf('"', from);
  return q < 0 ? text.length : q;
}

/** Number of `\n` in `text`. */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
