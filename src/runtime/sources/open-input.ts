/**
 * Opens a recorded input as a byte stream: a file (`.gz` gunzipped on the fly), a FIFO, or stdin (`-`).
 * Streams are read chunk by chunk, so memory stays constant however large the file is.
 */
import { close, createReadStream, open, statSync, type ReadStream } from 'node:fs';
import { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Source, SourceEvent, SourceRecord } from '../source.js';

/**
 * Bytes per read from a file (64 KiB), so that the text a chunk's lines are decoded into stays
 * under V8's large-object size (128 KiB): on Node 20 a string of 128 KiB to 1 MiB is allocated in
 * fresh pages of its own (page faults, about 8 ns a byte on this VM, where 64 KiB strings cost
 * 0.12 ns a byte), and a 256 KiB read made the decoding of each chunk cost more than its parsing.
 */
const READ_CHUNK_BYTES = 64 * 1024;

/** An opened input: its bytes, and a counter of raw (compressed) bytes read for progress reports. */
export interface OpenedInput {
  readonly stream: Readable;
  /** Raw bytes read so far from the file (before gunzip); 0 for stdin. */
  bytesRead(): number;
  /** File size in bytes, or `undefined` for stdin and FIFOs. */
  readonly size: number | undefined;
}

/**
 * Opens `path` (`-` is stdin). @throws Error with code `ENOENT`/`EISDIR`/`EACCES` when the file
 * cannot be read (checked at once, so bad usage is reported before the run starts).
 */
export function openInput(path: string): OpenedInput {
  const gz = path.endsWith('.gz');
  if (path === '-') {
    const stream = gz ? process.stdin.pipe(createGunzip()) : process.stdin;
    return { stream, bytesRead: () => 0, size: undefined };
  }
  const stat = statSync(path);
  if (stat.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  if (stat.isFIFO()) return openFifo(path, gz);
  const file: ReadStream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const stream = gz ? file.pipe(createGunzip()) : file;
  if (gz) file.on('error', (e) => stream.destroy(e));
  return { stream, bytesRead: () => file.bytesRead, size: stat.size };
}

/**
 * A FIFO read by fs.createReadStream blocks a thread of the pool on every read until its writer
 * writes or closes, and so does closing it (a SIGTERM would wait for the writer). Instead it is
 * opened (in the pool: that waits for a writer, as a FIFO does) and then read as a socket, which
 * libuv polls without blocking and which closes at once. Ends when the last writer closes it.
 */
function openFifo(path: string, gz: boolean): OpenedInput {
  const out = new PassThrough();
  let socket: Socket | null = null;
  // A plain descriptor, not a FileHandle: the socket owns it (a FileHandle would close it when collected).
  open(path, 'r', (error, fd) => {
    if (error !== null) {
      out.destroy(error);
      return;
    }
    if (out.destroyed) {
      close(fd);
      return;
    }
    socket = new Socket({ fd, readable: true, writable: false });
    socket.on('error', (e) => out.destroy(e));
    out.on('close', () => socket?.destroy());
    socket.pipe(out);
  });
  const stream = gz ? out.pipe(createGunzip()) : out;
  if (gz) out.on('error', (e) => stream.destroy(e));
  return { stream, bytesRead: () => (socket as Socket | null)?.bytesRead ?? 0, size: undefined };
}

/**
 * One event read from a line of a file (NDJSON line or CSV row). `position` is built on demand
 * (`file:line`), so the hot path allocates no string for it.
 */
export class FileEvent implements SourceEvent {
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

/**
 * What the file sources (NDJSON, CSV: the formats of `formats.ts`) share: one watermark input named
 * by the path, the file opened on the first iteration, the records one by one from the subclass's
 * {@link batches}, how far the file has been read (for the progress bar), and closing.
 */
export abstract class FileSource implements Source {
  readonly inputs: readonly string[];
  private opened: OpenedInput | null = null;

  /** `path`: a file (`.gz` gunzipped) or `-` for stdin; it is also the watermark input id. */
  constructor(protected readonly path: string) {
    this.inputs = [path];
  }

  /**
   * The records of each chunk read, as one array, in file order: an event per record read, a bad
   * record per record that could not be (never a throw for bad data).
   * @throws Error (`ENOENT`, ...) from opening the file, on the first iteration.
   */
  abstract batches(): AsyncIterable<SourceRecord[]>;

  /** The same records one by one. @throws as {@link batches}. */
  async *records(): AsyncGenerator<SourceRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Raw bytes read so far (for the progress bar). */
  bytesRead(): number {
    return this.opened?.bytesRead() ?? 0;
  }

  /** File size in bytes, `undefined` for stdin or before reading starts. */
  get size(): number | undefined {
    return this.opened?.size;
  }

  async close(): Promise<void> {
    this.opened?.stream.destroy();
  }

  /** Opens the input for a subclass's read loop. @throws Error (`ENOENT`, ...) from opening the file. */
  protected open(): OpenedInput {
    this.opened = openInput(this.path);
    return this.opened;
  }
}
