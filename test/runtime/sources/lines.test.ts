/**
 * `readLines`: however the bytes are cut into chunks, the same lines come out; a line that is not
 * UTF-8, or too long, is set aside alone at its own index; a byte order mark is dropped.
 */
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ByteReader, type LineChunk, readLines } from '../../../src/runtime/sources/lines.js';

/** The lines read from `bytes` cut into chunks of the given sizes (cycled), as `[text | {bad}]` per line. */
async function linesOf(bytes: Buffer, sizes: number[], maxLineBytes?: number): Promise<(string | { bad: string; raw: string })[]> {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const size = sizes[i % sizes.length];
      yield bytes.subarray(at, at + size);
      at += size;
    }
  }
  const out: (string | { bad: string; raw: string })[] = [];
  for await (const chunk of readLines(chunks(), maxLineBytes)) out.push(...flatten(chunk));
  return out;
}

function flatten(chunk: LineChunk): (string | { bad: string; raw: string })[] {
  expect(chunk.text.endsWith('\n')).toBe(true);
  const lines: (string | { bad: string; raw: string })[] = chunk.text.slice(0, -1).split('\n');
  for (const b of chunk.bad) {
    expect(lines[b.index]).toBe('');
    lines[b.index] = { bad: b.reason, raw: b.raw };
  }
  return lines;
}

describe('readLines', () => {
  const parts = [Buffer.from('{"a":"café ☕ 😀"}\r\nplain\n\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from('é'.repeat(50) + '\nlast 😀')];
  const bytes = Buffer.concat(parts);
  const expected = ['{"a":"café ☕ 😀"}\r', 'plain', '', { bad: 'invalid UTF-8', raw: 'a\ufffdb' }, 'é'.repeat(50), 'last 😀'];

  it.each([[[1]], [[2]], [[3, 1, 7]], [[5, 13]], [[bytes.length]], [[1 << 16]]])('gives the same lines for chunks of sizes %j', async (sizes) => {
    expect(await linesOf(bytes, sizes)).toEqual(expected);
  });

  it('drops a UTF-8 byte order mark at the start only, even when it arrives one byte at a time', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const withBom = Buffer.concat([bom, Buffer.from('a\n'), bom, Buffer.from('b\n')]);
    expect(await linesOf(withBom, [1])).toEqual(['a', '\ufeffb']);
    expect(await linesOf(withBom, [64])).toEqual(['a', '\ufeffb']);
    expect(await linesOf(Buffer.from('x\n'), [1])).toEqual(['x']);
  });

  it('sets aside a line longer than the limit and reads the lines around it', async () => {
    const long = 'x'.repeat(100);
    const input = Buffer.from(`short\n${long}\nafter\n${long}`);
    for (const sizes of [[7], [30], [1000]]) {
      const lines = await linesOf(input, sizes, 50);
      expect(lines).toEqual(['short', { bad: 'line longer than 50 bytes', raw: expect.stringMatching(/^x+$/) }, 'after', { bad: 'line longer than 50 bytes', raw: expect.stringMatching(/^x+$/) }]);
    }
  });

  it('reads an empty input as nothing, and one without a final newline to its end', async () => {
    expect(await linesOf(Buffer.alloc(0), [1])).toEqual([]);
    expect(await linesOf(Buffer.from('a\nb'), [1])).toEqual(['a', 'b']);
    expect(await linesOf(Buffer.from([0x61, 0x0a, 0xc3]), [1])).toEqual(['a', { bad: 'invalid UTF-8', raw: '\ufffd' }]);
  });

  it('gives the same lines from a ByteReader, however many bytes each read returns, and closes it at the end', async () => {
    const bytes = Buffer.from('\ufeff{"a":1}\n' + 'é'.repeat(70_000) + '\nb\nlast');
    const expected = ['{"a":1}', 'é'.repeat(70_000), 'b', 'last'];
    for (const most of [1, 7, 1 << 16]) {
      let at = 0;
      let closed = false;
      const reader: ByteReader = {
        read: async (into, offset, length) => {
          const n = bytes.copy(into, offset, at, Math.min(bytes.length, at + Math.min(length, most)));
          at += n;
          return n;
        },
        close: () => {
          closed = true;
        },
      };
      const lines: (string | { bad: string; raw: string })[] = [];
      for await (const chunk of readLines(reader)) lines.push(...flatten(chunk));
      expect(lines).toEqual(expected);
      expect(closed).toBe(true);
    }
  });

  it('releases its input (a stream, a ByteReader) when the reader stops early', async () => {
    let ended = false;
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        for (;;) yield Buffer.from('line\n');
      } finally {
        ended = true;
      }
    }
    for await (const chunk of readLines(chunks())) {
      expect(chunk.text).toBe('line\n');
      break;
    }
    expect(ended).toBe(true);
    let closed = false;
    const reader: ByteReader = {
      read: async (into, offset) => into.write('line\n', offset),
      close: () => {
        closed = true;
      },
    };
    for await (const chunk of readLines(reader)) {
      expect(chunk.text).toBe('line\n');
      break;
    }
    expect(closed).toBe(true);
  });

  it('ends a damaged gzip input with one bad line where the cut line starts; any other read error still throws', async () => {
    const whole = gzipSync(Buffer.from('one\ntwo\nthree\nfour\n'));
    const read = async (bytes: Buffer) => {
      const out: (string | { bad: string; raw: string })[] = [];
      for await (const chunk of readLines(Readable.from([bytes]).pipe(createGunzip()))) out.push(...flatten(chunk));
      return out;
    };
    const truncated = await read(whole.subarray(0, whole.length - 12));
    expect(truncated.at(-1)).toEqual({ bad: 'compressed input damaged (unexpected end of file): nothing from this line on could be read', raw: expect.any(String) as string });
    expect(['one', 'two', 'three', 'four'].slice(0, truncated.length - 1)).toEqual(truncated.slice(0, -1));
    // Bytes after the gzip member that are not gzip: the bad line (Node's gunzip drops the output of
    // its last step before the error, here all of it: hostile.md in the audit's notes).
    const trailing = await read(Buffer.concat([whole, Buffer.from('garbage\n')]));
    expect(trailing.at(-1)).toEqual({ bad: 'compressed input damaged (incorrect header check): nothing from this line on could be read', raw: '' });
    const failing: ByteReader = {
      read: () => Promise.reject(Object.assign(new Error('i/o error'), { code: 'EIO' })),
      close: () => {},
    };
    await expect(async () => {
      for await (const chunk of readLines(failing)) expect(chunk).toBeUndefined();
    }).rejects.toThrow('i/o error');
  });
});
