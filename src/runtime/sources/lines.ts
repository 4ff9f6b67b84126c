/**
 * Cuts a byte stream into complete lines and decodes them strictly, chunk by chunk: what the
 * NDJSON and CSV sources share. Lines end at `\n` (a `\r` before it is left in the text for the
 * reader to drop). A line that is not valid UTF-8, or longer than the limit, is set aside on its
 * own as a bad line; the lines around it are unaffected.
 *
 * Fast path: the complete lines of a chunk are checked and decoded as one piece
 * ({@link decodeUtf8Strict}); only a chunk that fails is decoded again line by line, to find the
 * bad lines. Newline bytes never occur inside a multi-byte UTF-8 sequence, so cutting at them is
 * safe. Memory is bounded by the chunk size plus the longest accepted line.
 */
import { decodeUtf8Strict } from './utf8.js';

/** Longest accepted line, bytes (16 MiB); longer ones are set aside as bad lines. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** At most this many characters of a bad line are kept as its raw text. */
export const MAX_RAW_CHARS = 64 * 1024;

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
 * The lines of `stream`, one {@link LineChunk} per chunk read that completes at least one line.
 * Line numbers are the reader's to count (a chunk's lines follow the previous chunk's).
 */
export async function* readLines(stream: AsyncIterable<Buffer>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineChunk> {
  let rest: Buffer | null = null; // an unfinished line carried over to the next chunk
  let skipping: BadLine | null = null; // an over-long line, skipped up to its newline
  let first = true;
  for await (const chunk of stream) {
    let buf: Buffer = rest === null ? chunk : Buffer.concat([rest, chunk]);
    rest = null;
    if (first) {
      if (buf.length < 3 && buf.indexOf(10) < 0) {
        rest = buf; // too short to tell whether it opens with a byte order mark
        continue;
      }
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    let start = 0;
    let head: BadLine | null = null; // an over-long line that ends in this chunk
    if (skipping !== null) {
      const nl = buf.indexOf(10);
      if (nl < 0) continue;
      head = skipping;
      skipping = null;
      start = nl + 1;
    }
    const last = buf.lastIndexOf(10);
    const tail = last >= start ? last + 1 : start;
    if (tail > start) yield decodeLines(buf, start, tail, head, maxLineBytes);
    else if (head !== null) yield { text: '\n', bad: [head] };
    if (tail < buf.length) {
      if (buf.length - tail > maxLineBytes) {
        skipping = { index: 0, raw: buf.toString('utf8', tail, tail + MAX_RAW_CHARS), reason: `line longer than ${maxLineBytes} bytes` };
      } else {
        rest = buf.subarray(tail);
      }
    }
  }
  if (skipping !== null) {
    yield { text: '\n', bad: [skipping] };
  } else if (rest !== null) {
    yield decodeLines(Buffer.concat([rest, NEWLINE]), 0, rest.length + 1, null, maxLineBytes);
  }
}

const NEWLINE = Buffer.from('\n');

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
