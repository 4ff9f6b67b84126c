/**
 * Cuts a byte stream into complete lines and decodes them strictly, chunk by chunk: what the
 * NDJSON and CSV sources share. Lines end at `\n` (a `\r` before it is left in the text for the
 * reader to drop). A line that is not valid UTF-8, or longer than the limit, is set aside on its
 * own as a bad line; the lines around it are unaffected. A compressed input that is damaged (zlib
 * fails) ends there with one bad line.
 *
 * The bytes are read into one buffer, reused from read to read: the unfinished line at the end of
 * a read is moved to the buffer's start and the next read lands right after it, so no chunk is
 * allocated or copied per read (a file is read straight into it, see `open-input.ts`). The buffer
 * grows only for a line longer than a read.
 *
 * Fast path: the complete lines of a chunk are checked and decoded as one piece
 * ({@link decodeUtf8Strict}); only a chunk that fails is decoded again line by line, to find the
 * bad lines. Newline bytes never occur inside a multi-byte UTF-8 sequence, so cutting at them is
 * safe. Memory is bounded by the chunk size plus about twice the longest accepted line.
 */
import { MAX_RAW_CHARS } from '../source.js';
import { decodeUtf8Strict } from './utf8.js';

/** Longest accepted line, bytes (16 MiB); longer ones are set aside as bad lines. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Bytes per read (64 KiB), so that the text a chunk's lines are decoded into stays under V8's
 * large-object size (128 KiB): on Node 20 a string of 128 KiB to 1 MiB is allocated in fresh
 * pages of its own (page faults, about 8 ns a byte on this VM, where 64 KiB strings cost 0.12 ns a
 * byte), and a 256 KiB read made the decoding of each chunk cost more than its parsing.
 */
export const READ_CHUNK_BYTES = 64 * 1024;

/** An input read into a buffer the reader owns: how {@link readLines} reads a file (see `open-input.ts`). */
export interface ByteReader {
  /**
   * Reads up to `length` bytes of the input into `into` from `offset` on and resolves with how many
   * were read: 0 at the end of the input, and only there. {@link readLines} asks for
   * {@link READ_CHUNK_BYTES} at a time.
   */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  /** Releases the input; a read after it finds the end. */
  close(): void | Promise<void>;
}

/** What {@link readLines} reads: a {@link ByteReader}, or a stream's chunks (copied into its buffer). */
export type ByteInput = ByteReader | AsyncIterable<Buffer>;

/** The complete lines read from one chunk of input. */
export interface LineChunk {
  /**
   * The lines, each followed by `\n` (also the input's last line when it had none). A bad line is
   * an empty line here and is listed in {@link bad}. A UTF-8 byte order mark opening the input is
   * removed.
   */
  readonly text: string;
  /** The lines set aside, in order; `index` 0 is the first line of {@link text}. Usually empty. */
  readonly bad: readonly BadLine[];
}

/** A line that could not be read as text. */
export interface BadLine {
  readonly index: number;
  /** The line as far as it could be read (invalid bytes shown as U+FFFD), for reports only. */
  readonly raw: string;
  readonly reason: string;
}

/**
 * The lines of `input`, one {@link LineChunk} per read that completes at least one line.
 * Line numbers are the reader's to count (a chunk's lines follow the previous chunk's). The input
 * is released (`close`, or a stream's `return`) when reading stops, at its end or early.
 */
export async function* readLines(input: ByteInput, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineChunk> {
  const reader = Symbol.asyncIterator in input ? chunksAsBytes(input[Symbol.asyncIterator]()) : input;
  let buf: Buffer = Buffer.allocUnsafe(2 * READ_CHUNK_BYTES);
  let rest = 0; // buf[0, rest): an unfinished line carried over to the next read
  let skipping: BadLine | null = null; // an over-long line, skipped up to its newline
  let first = true;
  let damaged: string | null = null; // why a compressed input could not be read on
  try {
    for (;;) {
      if (buf.length - rest < READ_CHUNK_BYTES) buf = grown(buf, rest);
      let n: number;
      try {
        n = await reader.read(buf, rest, READ_CHUNK_BYTES);
      } catch (error) {
        damaged = zlibDamage(error);
        if (damaged === null) throw error;
        break;
      }
      if (n === 0) break;
      let from = 0; // where this read's text starts in buf (after a byte order mark)
      const end = rest + n;
      if (first) {
        if (end < 3 && buf.subarray(0, end).indexOf(10) < 0) {
          rest = end; // too short to tell whether it opens with a byte order mark
          continue;
        }
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from = 3;
      }
      rest = 0;
      const view = buf.subarray(from, end);
      let start = 0;
      let head: BadLine | null = null; // an over-long line that ends in this chunk
      if (skipping !== null) {
        const nl = view.indexOf(10);
        if (nl < 0) continue;
        head = skipping;
        skipping = null;
        start = nl + 1;
      }
      const last = view.lastIndexOf(10);
      const tail = last >= start ? last + 1 : start;
      if (tail > start) yield decodeLines(view, start, tail, head, maxLineBytes);
      else if (head !== null) yield { text: '\n', bad: [head] };
      if (tail < view.length) {
        if (view.length - tail > maxLineBytes) {
          skipping = { index: 0, raw: view.toString('utf8', tail, tail + MAX_RAW_CHARS), reason: `line longer than ${maxLineBytes} bytes` };
        } else {
          rest = buf.copy(buf, 0, from + tail, end);
        }
      }
    }
    if (damaged !== null) {
      // The line the damage cut, and all after it, as one bad line where that line starts.
      const raw = skipping !== null ? skipping.raw : buf.toString('utf8', 0, Math.min(rest, MAX_RAW_CHARS));
      yield { text: '\n', bad: [{ index: 0, raw, reason: `compressed input damaged (${damaged}): nothing from this line on could be read` }] };
    } else if (skipping !== null) {
      yield { text: '\n', bad: [skipping] };
    } else if (rest > 0) {
      if (buf.length === rest) buf = grown(buf, rest);
      buf[rest] = 10;
      yield decodeLines(buf, 0, rest + 1, null, maxLineBytes);
    }
  } finally {
    await reader.close();
  }
}

/**
 * The message of a zlib error (a `.gz` input truncated, or followed by bytes that are not gzip), or
 * null for any other error. The lines before the damage were read; the rest of the input cannot be,
 * and it is one bad line, not the end of the run: a fatal error lost the alerts the end of the
 * input would have completed (absences, timeouts, the events still in the reorder buffer).
 */
function zlibDamage(error: unknown): string | null {
  return isZlibError(error) ? (error as Error).message : null;
}

/** A zlib error (its code `Z_...`): the compressed bytes are damaged; any other error is not the data's. */
export function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** A buffer with room for a read after the `rest` bytes at `buf`'s start, which it holds. */
function grown(buf: Buffer, rest: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(2 * buf.length, rest + READ_CHUNK_BYTES));
  buf.copy(bigger, 0, 0, rest);
  return bigger;
}

/** A stream's chunks as a {@link ByteReader}: each read copies what is left of the current chunk, up to `length`; `close` ends the stream's iteration. */
function chunksAsBytes(chunks: AsyncIterator<Buffer>): ByteReader {
  let chunk: Buffer = Buffer.alloc(0);
  let at = 0;
  return {
    async read(into, offset, length) {
      while (at === chunk.length) {
        const next = await chunks.next();
        if (next.done === true) return 0;
        chunk = next.value;
        at = 0;
      }
      const n = chunk.copy(into, offset, at, Math.min(chunk.length, at + length));
      at += n;
      return n;
    },
    async close() {
      await chunks.return?.();
    },
  };
}

/**
 * Decodes the complete lines `buf[start, end)` (`end` just after a `\n`), `head` a bad line before
 * them. Line by line only when the whole is not UTF-8, or is so long that a line in it may be too.
 */
function decodeLines(buf: Buffer, start: number, end: number, head: BadLine | null, maxLineBytes: number): LineChunk {
  const text = end - start > maxLineBytes ? null : decodeUtf8Strict(buf, start, end);
  if (text !== null) return head === null ? { text, bad: [] } : { text: '\n' + text, bad: [head] };
  const parts: string[] = [];
  const bad: BadLine[] = [];
  if (head !== null) {
    parts.push('');
    bad.push(head);
  }
  for (let s = start; s < end; ) {
    const nl = buf.indexOf(10, s);
    const line = nl - s > maxLineBytes ? undefined : decodeUtf8Strict(buf, s, nl);
    if (line === undefined || line === null) {
      const reason = line === undefined ? `line longer than ${maxLineBytes} bytes` : 'invalid UTF-8';
      bad.push({ index: parts.length, raw: buf.toString('utf8', s, Math.min(nl, s + MAX_RAW_CHARS)), reason });
      parts.push('');
    } else {
      parts.push(line);
    }
    s = nl + 1;
  }
  parts.push('');
  return { text: parts.join('\n'), bad };
}
