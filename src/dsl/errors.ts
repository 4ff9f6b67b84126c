/**
 * Located rule errors (graphql-js `GraphQLError` + `printLocation`). Every problem with a rule text,
 * syntax or meaning, is a `RuleError` rendered as `file:line:col: message`, then the source line
 * and carets under the offending span; a second location (the first definition of a duplicate)
 * follows as a `note:` with its own source line. `parseRules` throws `RuleErrors`, which holds them all.
 */
import type { Loc } from './ast.js';
import { printable } from './printable.js';

/** A secondary location of an error, e.g. where a duplicate name was first defined. */
export interface RelatedLocation {
  readonly loc: Loc;
  readonly message: string;
}

/** One located problem in a rule file. `line` and `col` are 1-based. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The whole span (for carets); `length` ≥ 1 where the span is known. */
  readonly loc: Loc;
  readonly related: readonly RelatedLocation[];
  /** The source text, kept for `format()`. */
  readonly source: string;

  constructor(message: string, where: { file: string; source: string; loc: Loc; related?: readonly RelatedLocation[]; cause?: unknown }) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.file = where.file;
    this.source = where.source;
    this.loc = where.loc;
    this.line = where.loc.line;
    this.col = where.loc.col;
    this.related = where.related ?? [];
  }

  /**
   * `file:line:col: message`, the source line with carets, then each related location likewise.
   * The message may quote the rule text (`unexpected character '\u0000'`): its control and bidi
   * characters are written as `\uXXXX` ({@link printable}), as in the source line.
   */
  format(): string {
    const parts = [`${this.file}:${this.line}:${this.col}: ${printable(this.message)}`, printSourceLocation(this.source, this.loc)];
    for (const r of this.related) {
      parts.push(`${this.file}:${r.loc.line}:${r.loc.col}: note: ${printable(r.message)}`, printSourceLocation(this.source, r.loc));
    }
    return parts.join('\n');
  }
}

/** Every error found in one rule text (parsing a rule stops at its first syntax error; checks collect up to a cap). */
export class RuleErrors extends Error {
  override readonly name = 'RuleErrors';

  constructor(readonly errors: readonly RuleError[]) {
    super(errors.length === 1 ? errors[0].message : `${errors.length} rule errors; first: ${errors[0]?.message}`);
  }

  /** All errors rendered by `RuleError.format`, separated by blank lines. */
  format(): string {
    return this.errors.map((e) => e.format()).join('\n\n');
  }
}

/** Longest source line shown whole under an error; a longer one is cut to a window around the span. */
const MAX_SHOWN_LINE = 160;
/** Characters of context kept before the span in a cut line. */
const CONTEXT_BEFORE = 60;

/**
 * The source line of `loc` with its line number and carets under the span (clipped to that line):
 *
 * ```
 *   3 |   pattern txn[cuont(x) > 1]
 *     |               ^^^^^
 * ```
 * Tabs before the column are kept so the carets line up in a terminal. A line longer than
 * 160 characters is shown as a window around the span, with `…` where it was cut (a 1 MB rule on one
 * line gives a short error); carets stop at the window's end. Control and bidi characters (a NUL,
 * an ESC sequence, a right-to-left override) are shown as `\uXXXX` ({@link printable}), never sent
 * to the terminal; the carets are placed and sized by the text as printed, so a span that is such a
 * character gets six.
 */
export function printSourceLocation(source: string, loc: Loc): string {
  const text = lineAt(source, loc.line);
  const gutter = String(loc.line);
  const pad = ' '.repeat(gutter.length);
  let start = Math.min(loc.col - 1, text.length);
  let width = Math.max(1, Math.min(loc.length, text.length - start));
  let shown = text;
  if (text.length > MAX_SHOWN_LINE) {
    const from = Math.max(0, start - CONTEXT_BEFORE);
    const to = Math.min(text.length, from + MAX_SHOWN_LINE);
    const head = from > 0 ? '…' : '';
    shown = `${head}${text.slice(from, to)}${to < text.length ? '…' : ''}`;
    start = start - from + head.length;
    width = Math.max(1, Math.min(width, to - from + head.length - start));
  }
  const before = printable(shown.slice(0, start));
  const span = printable(shown.slice(start, start + width));
  const lead = before.replace(/[^\t]/g, ' ');
  return `${gutter} | ${before}${span}${printable(shown.slice(start + width))}\n${pad} | ${lead}${'^'.repeat(Math.max(1, span.length))}`;
}

/** Line `line` (1-based) of `source` without its line break, or '' past the end; found without splitting the whole text. */
function lineAt(source: string, line: number): string {
  let from = 0;
  for (let n = 1; n < line; n++) {
    const next = source.indexOf('\n', from);
    if (next < 0) return '';
    from = next + 1;
  }
  const end = source.indexOf('\n', from);
  return source.slice(from, end < 0 ? source.length : end).replace(/\r$/, '');
}

/** Longest user text (a name, a token) quoted whole in a message. */
const MAX_QUOTED = 40;

/**
 * `text` for quoting in a message: whole when short, else its first characters and `…(N characters)`,
 * so that a 100,000-character name is not repeated in the message (the source line shows it).
 */
export function shorten(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED - 8)}…(${text.length.toLocaleString('en-US')} characters)`;
}
