/**
 * Values of literal tokens: durations (`1h30m` → ms), quoted strings and names. Used by the grammar's
 * postprocessors (the token text was already validated by the lexer) and, for durations, by the
 * command line (`--max-delay 5s`, through src/runtime/time.ts): one unit table, one parser.
 */

/** Milliseconds per duration unit (DSL.md section 2). */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Parses a duration such as `500ms`, `10s`, `1.5h` or `1h30m` (sums of parts, DSL.md section 2),
 * or a bare `0`, into milliseconds (rounded to a whole ms). Surrounding whitespace is ignored.
 * @throws Error with a message naming the text when it is not a duration.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    DURATION_PART.lastIndex = at;
    const m = DURATION_PART.exec(s);
    if (m === null) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = DURATION_PART.lastIndex;
  }
  if (at === 0 || at !== s.length) {
    throw new Error(`'${text}' is not a duration (examples: 500ms, 10s, 5m, 1h30m, 2d)`);
  }
  return Math.round(total);
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** The value of a `"..."` or `'...'` string token: quotes removed, backslash escapes resolved. */
export function unquoteString(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/** The value of a `` `name` `` token. */
export function unquoteName(text: string): string {
  return text.slice(1, -1);
}
