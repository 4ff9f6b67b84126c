/**
 * The input formats of `--input` (DSL.md section 7, `--format`): the one table a recorded input
 * format is registered in. The command line's `--format` choices, its help, the format picked by a
 * file's extension and the source opened for each `--input` are all read from it (see "To add a
 * source" in this folder's README).
 */
import type { Source } from '../source.js';
import { CsvSource } from './csv.js';
import { NdjsonSource } from './ndjson.js';

/** One input format. */
export interface InputFormat {
  /** What the format reads, for the help of `--input` (e.g. `CSV with a header`). */
  readonly description: string;
  /**
   * File name endings (lower case, with the dot) read in this format when `--format` is not
   * given; `.gz` after them is allowed (`a.csv.gz`). A file matching no format's is read as
   * {@link DEFAULT_INPUT_FORMAT}.
   */
  readonly extensions: readonly string[];
  /**
   * A source reading `path`: a file, a `.gz` file (gunzipped) or `-` (stdin); `path` is its one
   * watermark input. Opening the file waits for the source's first iteration.
   */
  open(path: string): Source;
}

/** The format of a file whose extension names none (and of stdin). */
export const DEFAULT_INPUT_FORMAT = 'ndjson';

/** The input formats by the name `--format` takes. A new format is one entry here. */
export const INPUT_FORMATS: Map<string, InputFormat> = new Map<string, InputFormat>([
  [DEFAULT_INPUT_FORMAT, { description: 'NDJSON', extensions: ['.ndjson', '.jsonl'], open: (path) => new NdjsonSource(path) }],
  ['csv', { description: 'CSV with a header', extensions: ['.csv'], open: (path) => new CsvSource(path) }],
]);

/** The format a file is read in without `--format`: by its extension (case-insensitive, `.gz` ignored), else {@link DEFAULT_INPUT_FORMAT}. */
export function formatOf(path: string): string {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  for (const [format, { extensions }] of INPUT_FORMATS) {
    if (extensions.some((extension) => name.endsWith(extension))) return format;
  }
  return DEFAULT_INPUT_FORMAT;
}

/**
 * The source of one `--input`: in `format` when given, else in {@link formatOf}`(path)`.
 * @throws RangeError for a format not in {@link INPUT_FORMATS} (the command line offers only those).
 */
export function openInputSource(path: string, format: string = formatOf(path)): Source {
  const entry = INPUT_FORMATS.get(format);
  if (entry === undefined) throw new RangeError(`unknown input format '${format}': one of ${[...INPUT_FORMATS.keys()].join(', ')}`);
  return entry.open(path);
}
