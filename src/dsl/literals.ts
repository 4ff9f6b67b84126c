/**
 * Values of literal tokens: durations (`1h30m` → ms), quoted strings and names. Used by the grammar's
 * postprocessors; the token text was already validated by the lexer.
 */

/** Milliseconds per duration unit (DSL.md section 2). */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The value in ms of a duration token such as `10s`, `1.5m` or `1h30m` (a sum of parts).
 * Fractional milliseconds are rounded to the nearest ms.
 */
export function durationMs(text: string): number {
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(part[1]) * UNIT_MS[part[2]];
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
