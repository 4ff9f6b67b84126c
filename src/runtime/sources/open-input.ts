/**
 * Opens a recorded input for the line reader (`lines.ts`): a regular file is read straight into the
 * reader's buffer; a `.gz` file (gunzipped on the fly), a FIFO or stdin (`-`) as a stream. Either
 * way the input is read chunk by chunk, so memory stays constant however large the file is.
 */
import { close, closeSync, createReadStream, open, openSync, readSync, statSync, type ReadStream } from 'node:fs';
import { Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Source, SourceEvent, SourceRecord } from '../source.js';
import { type ByteInput, type ByteReader, isZlibError, READ_CHUNK_BYTES } from './lines.js';

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
  if (stat.isFile()) return openGzipFile(path, stat.size);
  const file: ReadStream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const stream = gz ? file.pipe(createGunzip()) : file;
  if (gz) file.on('error', (e) => stream.destroy(e));
  return streamInput(stream, () => file.bytesRead, stat.size);
}

function streamInput(stream: Readable, bytesRead: () => number, size: number | undefined): OpenedInput {
  return { bytes: stream, bytesRead, size, close: () => stream.destroy() };
}

/**
 * A regular `.gz` file, gunzipped, losing none of what zlib decompressed before damage (as `zcat`).
 * Node's gunzip drops the output of its last step when that step fails: at the end of a gzip member
 * followed, in the same write, by bytes that are not gzip (node_zlib.cc tries the next member in the
 * same work unit), or at a corrupt deflate block, up to 16 KiB of decompressed lines (the step's
 * output buffer) were lost before the bad record, uncounted, with what the stream still held (its
 * async iterator drops that on the error). So when zlib fails, the file is read again: a fresh
 * gunzip is given, in one piece per read, the bytes the first had consumed when it gave its last
 * output (`bytesWritten`: steps that succeeded, so no damage in them), and then the rest one byte
 * per write, so that the write zlib fails on holds nothing before the damage; the output already
 * handed on is skipped and zlib's error is thrown after the rest. The second pass costs a second
 * decompression of the file, for a damaged file only; the one-byte writes stop at the damage, at
 * most about 80 KiB on (the failing read of 64 KiB, and the 16 KiB of output the stream held). A
 * truncated file loses nothing this way (its last step fails at the end of the input) and gives the
 * same lines again. A `.gz` FIFO or stdin cannot be read twice and keeps the first pass's loss.
 */
function openGzipFile(path: string, size: number): OpenedInput {
  let read = 0;
  const note = (bytes: number): void => {
    if (bytes > read) read = bytes;
  };
  const stream = Readable.from(gunzipFile(path, note), { objectMode: false });
  return { bytes: stream, bytesRead: () => read, size, close: () => stream.destroy() };
}

/** The decompressed bytes of `path` (see {@link openGzipFile}); `note` gets the compressed bytes read so far. */
async function* gunzipFile(path: string, note: (bytes: number) => void): AsyncGenerator<Buffer> {
  let handedOn = 0;
  let consumed = 0;
  let first: unknown;
  try {
    for await (const chunk of gunzipped(path, note, Infinity, (gz) => (consumed = gz.bytesWritten))) {
      handedOn += chunk.length;
      yield chunk;
    }
    return;
  } catch (error) {
    if (!isZlibError(error)) throw error;
    first = error;
  }
  let skip = handedOn;
  try {
    for await (const chunk of gunzipped(path, note, consumed, () => {})) {
      if (skip >= chunk.length) skip -= chunk.length;
      else {
        yield skip === 0 ? chunk : chunk.subarray(skip);
        skip = 0;
      }
    }
  } catch (error) {
    if (!isZlibError(error)) throw error;
    throw skip > 0 ? first : error; // the second pass failed sooner than the first (it cannot): keep the first's error
  }
  throw first; // the damage did not recur (the file changed): the first pass's error
}

/**
 * The output of a gunzip fed `path`: the first `whole` bytes in the file's own reads, the rest one
 * byte per write. `progress` sees the gunzip after each output chunk (its `bytesWritten`, the
 * compressed bytes consumed by the steps that succeeded).
 */
async function* gunzipped(path: string, note: (bytes: number) => void, whole: number, progress: (gz: Gunzip) => void): AsyncGenerator<Buffer> {
  const gz = createGunzip();
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  file.on('error', (e) => gz.destroy(e));
  const feed = async (): Promise<void> => {
    let at = 0;
    for await (const chunk of file as AsyncIterable<Buffer>) {
      note(file.bytesRead);
      const n = Math.min(chunk.length, Math.max(0, whole - at));
      if (n > 0 && !(await written(gz, chunk.subarray(0, n)))) return;
      for (let i = n; i < chunk.length; i++) if (!(await written(gz, chunk.subarray(i, i + 1)))) return;
      at += chunk.length;
    }
    gz.end();
  };
  const feeding = feed().catch((e: unknown) => gz.destroy(e as Error));
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) {
      progress(gz);
      yield chunk;
    }
  } finally {
    gz.destroy();
    file.destroy();
    await feeding;
  }
}

/**
 * Writes `bytes` to `gz` and waits until it has taken them; false when it failed or was destroyed
 * (a write zlib failed on never calls back: its stream closes).
 */
function written(gz: Gunzip, bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    if (gz.destroyed) {
      resolve(false);
      return;
    }
    const closed = (): void => resolve(false);
    gz.once('close', closed);
    gz.write(bytes, (error) => {
      gz.off('close', closed);
      resolve(error === null || error === undefined);
    });
  });
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
