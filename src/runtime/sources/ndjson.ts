/**
 * The NDJSON source: one JSON object per line, from a file, a `.gz` file or stdin (`-`).
 * Lines are cut from the byte chunks directly (no `readline`) and parsed with one `JSON.parse`
 * each; memory is bounded by the chunk size plus the longest line. A line that is not a JSON
 * object (garbage, binary, an array, a line longer than {@link MAX_LINE_BYTES}) is a bad record,
 * never fatal. Blank lines are skipped.
 */
import type { Source, SourceBadRecord, SourceEvent, SourceRecord } from '../source.js';
import { openInput, type OpenedInput } from './open-input.js';

/** Longest accepted line, bytes (16 MiB); longer ones are set aside as bad records. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** At most this many characters of a bad line are kept in its record. */
const MAX_RAW_CHARS = 64 * 1024;

/**
 * One NDJSON event. `position` is built on demand (`file:line`), so the hot path allocates no
 * string for it.
 */
class NdjsonEvent implements SourceEvent {
  readonly kind = 'event' as const;
  constructor(
    readonly input: string,
    readonly line: number,
    readonly value: Record<string, unknown>,
  ) {}
  get position(): string {
    return `${this.input}:${this.line}`;
  }
}

export class NdjsonSource implements Source {
  readonly inputs: readonly string[];
  private opened: OpenedInput | null = null;

  /** `path`: a file (`.gz` gunzipped) or `-` for stdin; it is also the watermark input id. */
  constructor(private readonly path: string) {
    this.inputs = [path];
  }

  /** Raw bytes read so far (for the progress bar). */
  bytesRead(): number {
    return this.opened?.bytesRead() ?? 0;
  }

  /** File size in bytes, `undefined` for stdin or before `records()` starts. */
  get size(): number | undefined {
    return this.opened?.size;
  }

  /** @throws Error (`ENOENT`, ...) from opening the file, on the first iteration. */
  async *records(): AsyncGenerator<SourceRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /**
   * The records of each chunk read (256 KiB), as one array: the engine's fast path, which saves
   * an async iteration step per record. Same records, same order as {@link records}.
   */
  async *batches(): AsyncGenerator<SourceRecord[]> {
    const opened = openInput(this.path);
    this.opened = opened;
    const input = this.path;
    let line = 0;
    let rest: Buffer | null = null;
    let skipping = false; // inside an over-long line, up to its newline
    for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
      const batch: SourceRecord[] = [];
      let buf: Buffer = rest === null ? chunk : Buffer.concat([rest, chunk]);
      rest = null;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        line++;
        if (skipping) {
          skipping = false;
        } else {
          const record = parseLine(input, line, buf, start, nl);
          if (record !== null) batch.push(record);
        }
        start = nl + 1;
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
      const record = parseLine(input, line + 1, rest, 0, rest.length);
      if (record !== null) yield [record];
    }
  }

  async close(): Promise<void> {
    this.opened?.stream.destroy();
  }
}

function parseLine(input: string, line: number, buf: Buffer, start: number, end: number): SourceRecord | null {
  if (end > start && buf[end - 1] === 13) end--; // CRLF
  const text = buf.toString('utf8', start, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    if (text.trim() === '') return null;
    return bad(input, line, text, `not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(input, line, text, 'not a JSON object');
  }
  return new NdjsonEvent(input, line, value as Record<string, unknown>);
}

function bad(input: string, line: number, raw: string, reason: string): SourceBadRecord {
  return { kind: 'bad', input, position: `${input}:${line}`, raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw, reason };
}
