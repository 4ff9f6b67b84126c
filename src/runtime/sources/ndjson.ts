/**
 * The NDJSON source: one JSON object per line, from a file, a `.gz` file or stdin (`-`).
 * Lines are cut from the byte chunks directly (no `readline`); the complete lines of a chunk are
 * decoded as one string and, when every line looks like an object, parsed with one `JSON.parse`
 * of the chunk as an array ({@link parseChunk}); otherwise, or when that fails, line by line, so a
 * bad record keeps its exact line. Memory is bounded by the chunk size plus the longest line. A line that is not a JSON
 * object (garbage, binary, an array, a line longer than {@link MAX_LINE_BYTES}) is a bad record,
 * never fatal. Blank lines are skipped.
 */
import type { SourceBadRecord, SourceRecord } from '../source.js';
import { FileEvent, FileSource } from './open-input.js';

/** Longest accepted line, bytes (16 MiB); longer ones are set aside as bad records. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** At most this many characters of a bad line are kept in its record. */
const MAX_RAW_CHARS = 64 * 1024;


export class NdjsonSource extends FileSource {

  /** @throws Error (`ENOENT`, ...) from opening the file, on the first iteration. */
  async *records(): AsyncGenerator<SourceRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /**
   * The records of each chunk read (256 KiB), as one array: the engine's fast path, which saves
   * an async iteration step per record. Same records, same order as {@link records}.
   */
  async *batches(): AsyncGenerator<SourceRecord[]> {
    const opened = this.open();
    const input = this.path;
    let line = 0;
    let rest: Buffer | null = null;
    let skipping = false; // inside an over-long line, up to its newline
    for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
      const batch: SourceRecord[] = [];
      let buf: Buffer = rest === null ? chunk : Buffer.concat([rest, chunk]);
      rest = null;
      let start = 0;
      if (skipping) {
        const nl = buf.indexOf(10);
        if (nl >= 0) {
          line++;
          skipping = false;
          start = nl + 1;
        } else {
          start = buf.length;
        }
      }
      const last = skipping ? -1 : buf.lastIndexOf(10);
      if (last >= start) {
        // Newline bytes never occur inside a multi-byte UTF-8 sequence: the cut is safe.
        line = parseChunk(input, line, buf.toString('utf8', start, last), batch);
        start = last + 1;
      }
      if (start < buf.length && !skipping) {
        buf = buf.subarray(start);
        if (buf.length > MAX_LINE_BYTES) {
          skipping = true;
          batch.push(bad(input, line + 1, buf.toString('utf8', 0, MAX_RAW_CHARS), `line longer than ${MAX_LINE_BYTES} bytes`));
        } else {
          rest = buf;
        }
      }
      if (batch.length > 0) yield batch;
    }
    if (rest !== null && !skipping) {
      const record = parseLine(input, line + 1, rest.toString('utf8'));
      if (record !== null) yield [record];
    }
  }
}

/**
 * Parses the complete lines of a chunk (`text`: lines joined by `\n`, without the last newline),
 * the first being line `lastLine + 1`, appending their records to `out`; returns the number of
 * the last line. Fast path: when every line starts with `{` and ends with `}`, the chunk is parsed
 * as one JSON array (one `JSON.parse` call instead of one per line: about a tenth less CPU and
 * far fewer short-lived strings), accepted only when it gives one object per line. A string
 * cannot run across the `\n` separators (raw newlines are not allowed in JSON strings); a chunk
 * where the fast path fails is parsed again line by line, so that each bad line is reported at its
 * own position. Known limit: malformed lines crafted to pair up (`{"a":[{}` and `{}]}` beside
 * `{},{}`) would pass as the objects they form together; truncation and garbage never do.
 */
function parseChunk(input: string, lastLine: number, text: string, out: SourceRecord[]): number {
  let lines = 0;
  let objectLike = true;
  for (let start = 0; ; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    lines++;
    const close = end > start && text.charCodeAt(end - 1) === 13 ? end - 2 : end - 1; // CRLF
    if (text.charCodeAt(start) !== 123 || text.charCodeAt(close) !== 125 || close <= start) objectLike = false;
    if (nl < 0) break;
    start = nl + 1;
  }
  if (objectLike) {
    let values: unknown[] | null = null;
    try {
      values = JSON.parse('[' + text.replaceAll('\n', '\n,') + ']') as unknown[];
    } catch {
      values = null; // some line is not JSON: find it line by line below
    }
    if (values !== null && values.length === lines && values.every(isObject)) {
      for (let i = 0; i < lines; i++) out.push(new FileEvent(input, lastLine + 1 + i, values[i] as Record<string, unknown>));
      return lastLine + lines;
    }
  }
  let line = lastLine;
  for (let start = 0; ; ) {
    const nl = text.indexOf('\n', start);
    line++;
    const record = parseLine(input, line, text.slice(start, nl < 0 ? text.length : nl));
    if (record !== null) out.push(record);
    if (nl < 0) return line;
    start = nl + 1;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line's record: an event, a bad record, or `null` for a blank line. */
function parseLine(input: string, line: number, raw: string): SourceRecord | null {
  const text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw; // CRLF
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    if (text.trim() === '') return null;
    return bad(input, line, text, `not JSON (${(e as Error).message})`);
  }
  if (!isObject(value)) return bad(input, line, text, 'not a JSON object');
  return new FileEvent(input, line, value as Record<string, unknown>);
}

function bad(input: string, line: number, raw: string, reason: string): SourceBadRecord {
  return { kind: 'bad', input, position: `${input}:${line}`, raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw, reason };
}
