/** `decodeUtf8Strict`: the same verdict as a fatal `TextDecoder`, without exceptions, on sub-ranges too. */
import { describe, expect, it } from 'vitest';
import { decodeUtf8Strict } from '../../../src/runtime/sources/utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What a fatal TextDecoder makes of `bytes`: the text, or null when it throws. */
function reference(bytes: Uint8Array): string | null {
  try {
    return fatal.decode(bytes);
  } catch {
    return null;
  }
}

const CASES: [string, number[]][] = [
  ['ASCII', [0x61, 0x62, 0x63]],
  ['empty', []],
  ['2-byte é', [0xc3, 0xa9]],
  ['3-byte €', [0xe2, 0x82, 0xac]],
  ['4-byte 😀', [0xf0, 0x9f, 0x98, 0x80]],
  ['byte order mark (kept)', [0xef, 0xbb, 0xbf, 0x61]],
  ['0xFF', [0x61, 0xff, 0x62]],
  ['0xFE', [0xfe]],
  ['stray continuation byte', [0x80]],
  ['truncated 2-byte', [0xc3]],
  ['truncated 3-byte', [0xe2, 0x82]],
  ['truncated 4-byte', [0xf0, 0x9f, 0x98]],
  ['overlong /', [0xc0, 0xaf]],
  ['overlong NUL', [0xc0, 0x80]],
  ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
  ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
  ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['5-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ['Latin-1 é', [0x63, 0x61, 0x66, 0xe9]],
];

describe('decodeUtf8Strict', () => {
  it.each(CASES)('%s: as a fatal TextDecoder', (_name, bytes) => {
    const buf = Buffer.from(bytes);
    expect(decodeUtf8Strict(buf)).toBe(reference(buf));
  });

  it('rejects what the lossy decoder would have replaced with U+FFFD', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x69, 0x70, 0x22, 0x3a, 0x22, 0x31, 0xff, 0x22, 0x7d]); // {"ip":"1<FF>"}
    expect(bytes.toString('utf8')).toBe('{"ip":"1\ufffd"}');
    expect(decodeUtf8Strict(bytes)).toBeNull();
  });

  it('decodes a sub-range only, and plain Uint8Arrays as Buffers', () => {
    const bytes = Buffer.from([0xff, 0x61, 0xc3, 0xa9, 0xff]);
    expect(decodeUtf8Strict(bytes, 1, 4)).toBe('aé');
    expect(decodeUtf8Strict(bytes, 0, 4)).toBeNull();
    expect(decodeUtf8Strict(bytes, 1, 3)).toBeNull(); // cuts é in half
    expect(decodeUtf8Strict(bytes, 2, 2)).toBe('');
    const plain = new Uint8Array([0x78, 0xe2, 0x82, 0xac, 0x79]).subarray(1, 4);
    expect(decodeUtf8Strict(plain)).toBe('€');
  });

  it('agrees with a fatal TextDecoder on 20,000 random byte strings', () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    let invalid = 0;
    const differing: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const length = next() % 12;
      // Mostly bytes that start or continue multi-byte sequences, so both verdicts come up often.
      const bytes = Buffer.from(Array.from({ length }, () => (next() < 64 ? next() & 0x7f : 0x80 | (next() & 0x7f))));
      const expected = reference(bytes);
      if (expected === null) invalid++;
      if (decodeUtf8Strict(bytes) !== expected) differing.push(bytes.toString('hex'));
    }
    expect(differing).toEqual([]);
    expect(invalid).toBeGreaterThan(1_000);
    expect(invalid).toBeLessThan(19_000);
  });
});
