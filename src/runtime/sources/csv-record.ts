/**
 * Reads one CSV record that contains a quote (RFC 4180: fields separated by `,`, a field
 * either unquoted or quoted with `"`, a `""` inside quotes standing for one `"`). Records without
 * a quote never come here: the CSV source splits those at the commas directly.
 *
 * Where a record ends, and how far a broken one reaches, is this project's choice (DSL.md
 * section 7: "one malformed CSV row is one bad record at its own line; the rows after it are read
 * as usual"):
 * - a quoted field may contain raw newlines (RFC 4180), so a record may span lines, but only when
 *   the field closes properly: its closing quote is followed by a comma or the line's end;
 * - anything else is malformed: a quote inside an unquoted field (`ab"c`), a closing quote followed
 *   by other text (`"ab"c`), a quoted field still open at the end of the input;
 * - the caller reports a malformed record at its first line and goes on reading at the next line,
 *   not after the text the broken field swallowed. So a stray `"` costs one row, wherever the
 *   next quote of the file is.
 *
 * Cost: a quoted field is skipped from quote to quote (`indexOf`), an unquoted one character by
 * character up to its comma or newline. Re-reading from the next line after a malformed record stays
 * linear over a file: a record can only run across a newline inside quotes, and two scans that
 * start on different lines cannot both be inside quotes at the same newline unless the first one
 * ended (or failed) before it.
 */

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** A record read: its cells, which of them were quoted, and where it ends. */
export interface CsvRecord {
  readonly cells: string[];
  /** `quoted[i]`: cell `i` was a quoted field (kept as text, never typed). */
  readonly quoted: boolean[];
  /** Index in the text just after the record's `\n`. */
  readonly end: number;
}

/** The outcome of {@link readQuotedRecord}: a record, why the record is malformed, or "need more text". */
export type CsvRecordScan = CsvRecord | { readonly malformed: string } | 'more';

/**
 * Reads the record starting at `text[start]` (the start of a line). `text` ends with `\n`; a
 * `\r` before a record's `\n` is dropped. Returns `'more'` when a quoted field is still open at
 * the end of `text` (the record may end in text not read yet).
 */
export function readQuotedRecord(text: string, start: number): CsvRecordScan {
  const cells: string[] = [];
  const quoted: boolean[] = [];
  let p = start;
  for (;;) {
    if (text.charCodeAt(p) === QUOTE) {
      // A quoted field: from quote to quote; `""` is an escaped quote and the field goes on.
      let value = '';
      let from = p + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return 'more';
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        p = q + 1;
        break;
      }
      cells.push(value);
      quoted.push(true);
      const c = text.charCodeAt(p);
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === LF) return { cells, quoted, end: p + 1 };
      if (c === CR && text.charCodeAt(p + 1) === LF) return { cells, quoted, end: p + 2 };
      if (p >= text.length) return 'more';
      return { malformed: `the closing quote of column ${cells.length} is followed by ${JSON.stringify(text[p])}, not by a comma or the end of the line` };
    }
    // An unquoted field: up to the next comma or newline, and no quote in it.
    let q = p;
    let c = text.charCodeAt(q);
    while (c !== COMMA && c !== LF) {
      if (c === QUOTE) return { malformed: `a quote inside the unquoted field of column ${cells.length + 1}` };
      if (q >= text.length) return 'more'; // only when `text` breaks the contract (no final newline)
      c = text.charCodeAt(++q);
    }
    if (c === COMMA) {
      cells.push(text.slice(p, q));
      quoted.push(false);
      p = q + 1;
      continue;
    }
    cells.push(text.slice(p, q > p && text.charCodeAt(q - 1) === CR ? q - 1 : q));
    quoted.push(false);
    return { cells, quoted, end: q + 1 };
  }
}
