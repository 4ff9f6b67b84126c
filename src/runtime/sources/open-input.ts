/**
 * Opens a recorded input for the line reader (`lines.ts`): a regular file is read straight into the
 * reader's buffer; a `.gz` file (gunzipped on the fly), a FIFO or stdin (`-`) as a stream. Either
 * way the input is read chunk by chunk, so memory stays constant however large the file is.
 */
import { close, closeSync, createReadStream, open, openSync, readSync, statSync, type ReadStream } from 'node:fs';
import { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Source, SourceEvent, SourceRecord } from '../source.js';
import { type ByteInput, type ByteReader, READ_CHUNK_BYTES } from './lines.js';

/** An opened input: its bytes, and a counter of raw (compressed) bytes read for progress reports. */
export interface OpenedInput {
  /** The input's bytes, for `readLines` (which releases them when it stops). */
  readonly bytes: ByteInput;
  /** Raw bytes read so far from the file (before gunzip); 0 for stdin. */
  bytesRead(): number;
  /** File size in bytes, or `undefined` for stdin and FIFOs. */
  readonly size: number | undefined;
  /** Stops reading and releases the file (a read after it finds the end of the input). */
  close(): void;
}

/**
 * Opens `path` (`-` is stdin). @throws Error with code `ENOENT`/`EISDIR`/`EACCES` when the file
 * cannot be read (checked at once, so bad usage is reported before the run starts).
 */
export function openInput(path: string): OpenedInput {
  const gz = path.endsWith('.gz');
  if (path === '-') {
    const stream = gz ? process.stdin.pipe(createGunzip()) : process.stdin;
    return streamInput(stream, () => 0, undefined);
  }
  const stat = statSync(path);
  if (stat.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  if (stat.isFIFO()) return openFifo(path, gz);
  if (stat.isFile() && !gz) return openFile(path, stat.size);
  const file: ReadStream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const stream = gz ? file.pipe(createGunzip()) : file;
  if (gz) file.on('error', (e) => stream.destroy(e));
  return streamInput(stream, () => file.bytesRead, stat.size);
}

function streamInput(stream: Readable, bytesRead: () => number, size: number | undefined): OpenedInput {
  return { bytes: stream, bytesRead, size, close: () => stream.destroy() };
}

/**
 * A regular file, read with one `readSync` per read of the line reader, straight into its buffer,
 * each after a turn of the event loop (`setImmediate`), so that timers, signals and sink writes
 * still run between chunks; a 64 KiB read from the page cache blocks the loop for tens of
 * microseconds. Against `fs.createReadStream` (a fresh buffer, a thread-pool request and a stream
 * step per chunk, then a copy to join the line cut at the chunk's end) reading and decoding a 57 MB
 * NDJSON file took about a quarter of the CPU: 25-30 ms against 75-145 ms.
 */
function openFile(path: string, size: number): OpenedInput {
  let fd: number | null = openSync(path, 'r');
  let position = 0;
  const close = (): void => {
    if (fd === null) return;
    closeSync(fd);
    fd = null;
  };
  const readNow = (into: Buffer, offset: number, length: number): number => {
    const n = fd === null ? 0 : readSync(fd, into, offset, length, position);
    position += n;
    if (n === 0) close();
    return n;
  };
  const bytes: ByteReader = {
    read: (into, offset, length) =>
      new Promise((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(readNow(into, offset, length));
          } catch (error) {
            close();
            reject(error);
          }
        });
      }),
    close,
  };
  return { bytes, bytesRead: () => position, size, close };
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
  return streamInput(stream, () => (socket as Socket | null)?.bytesRead ?? 0, undefined);
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
    this.opened?.close();
  }

  /** Opens the input for a subclass's read loop. @throws Error (`ENOENT`, ...) from opening the file. */
  protected open(): OpenedInput {
    this.opened = openInput(this.path);
    return this.opened;
  }
}
