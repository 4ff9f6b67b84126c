import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { FileSink } from '../../src/alerts/file-sink.js';

const alert = (i: number): Alert => ({ rule: 'r', severity: 'low', kind: 'match', key: `k${i}`, start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:00:01.000Z', fields: { i, text: 'x'.repeat(100) }, events: {}, id: `id${i}` });

describe('FileSink', () => {
  it('writes one JSON line per alert, in order, and ends the file on close', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cep-sink-')), 'alerts.ndjson');
    const sink = new FileSink({ path });
    for (let i = 0; i < 2000; i++) await sink.write(alert(i));
    await sink.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(Array.from({ length: 2000 }, (_, i) => alert(i)));
  });

  it('writes lines longer than a chunk and non-ASCII text across chunk ends as UTF-8', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cep-sink-')), 'alerts.ndjson');
    const sink = new FileSink({ path });
    const alerts = Array.from({ length: 600 }, (_, i) => ({ ...alert(i), fields: { text: i % 100 === 7 ? 'é😀'.repeat(40_000) : `李\u2028${'ü'.repeat(i)}\ud800` } }));
    for (const a of alerts) await sink.write(a);
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(alerts.map((a) => JSON.stringify(a) + '\n').join(''));
  });

  it('returns a promise while the stream applies backpressure, resolved on drain', async () => {
    const chunks: string[] = [];
    let release: (() => void) | null = null;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        release = cb;
      },
    });
    const sink = new FileSink({ stream: slow });
    let pending: void | Promise<void> = undefined;
    for (let i = 0; i < 2000 && pending === undefined; i++) pending = sink.write(alert(i));
    expect(pending).toBeInstanceOf(Promise);
    let drained = false;
    void (pending as Promise<void>).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    while (release !== null) {
      const cb: () => void = release;
      release = null;
      cb();
      await new Promise((r) => setImmediate(r));
    }
    await pending;
    expect(drained).toBe(true);
    expect(chunks.join('').split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });

  it('fails close with the error of a file that cannot be opened', async () => {
    const sink = new FileSink({ path: join(tmpdir(), 'no-such-dir-cep', 'x.ndjson') });
    sink.write(alert(1));
    await expect(sink.close()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
