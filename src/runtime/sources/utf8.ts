/**
 * Strict UTF-8 decoding for every source (files, stdin, Kafka): a record whose bytes are not valid
 * UTF-8 becomes a bad record ("invalid UTF-8", DSL.md section 7), never text with U+FFFD in it, so
 * that a damaged byte can never quietly change a key or a field.
 *
 * Validity is checked by Node's `buffer.isUtf8` (simdutf: overlong forms, UTF-16 surrogates,
 * code points above U+10FFFF, truncated sequences and stray continuation bytes are all invalid, as
 * with `new TextDecoder('utf-8', { fatal: true })`), then the bytes are decoded as usual. On valid
 * input this costs a few percent over a lossy `toString`; there is no exception on the failure path.
 */
import { isUtf8 } from 'node:buffer';

/**
 * Decodes `bytes[start, end)` as UTF-8, strictly: the text, or `null` when those bytes are not
 * valid UTF-8. A byte order mark is kept (as U+FEFF), nothing is replaced. `start`/`end` are byte
 * offsets (default: all of `bytes`).
 */
export function decodeUtf8Strict(bytes: Uint8Array, start = 0, end = bytes.length): string | null {
  const view = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
  if (!isUtf8(view)) return null;
  const buffer = Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return buffer.toString('utf8');
}
