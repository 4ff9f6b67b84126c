/**
 * The regular expressions of `matches(s, re)` (DSL.md section 4): RE2 syntax, matched in time linear
 * in the length of `s` whatever the pattern, so that a hostile field value cannot stall the engine
 * (`(a+)+$` over `'a' × 40 + '!'`: about 10^12 backtracking steps for `RegExp`, one linear pass here).
 *
 * Engine: re2js, the pure-JS port of RE2 / Go `regexp` (Cox, "Regular Expression Matching Can Be
 * Simple And Fast", 2007): a lazily built DFA, falling back to an NFA simulation when the DFA's
 * memory budget is spent; both linear. Of the three linear engines measured on this engine's
 * per-event path (bench/regex.bench.ts, figures in bench/README.md) it was the fastest (the native
 * `re2` package and `re2-wasm` copy each string across to C++ or WebAssembly), and it needs no
 * native build. V8's backtracking `RegExp` is faster still: the price of the guarantee.
 *
 * A pattern RE2 cannot run (backreferences, lookaround, other syntax errors) is refused when the
 * rule is checked, with RE2's reason; the pattern is compiled there, once.
 */
import { createRequire } from 'node:module';
import { shorten } from '../errors.js';
import { MAX_REGEX_LENGTH } from '../limits.js';

/** A compiled pattern: `test(s)` is true when the pattern matches somewhere in `s` (unanchored, like `RegExp.test`). */
export interface Regex {
  test(s: string): boolean;
}

/**
 * re2js, loaded the first time a rule uses `matches` (start-up: `cep check` of rules without it
 * does not load it), through `require`, because rules are checked synchronously.
 */
let re2: typeof import('re2js').RE2JS | undefined;
function re2js(): typeof import('re2js').RE2JS {
  re2 ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return re2;
}

const LOOKAROUND = /^\(\?<?[=!]/;
const BACKREFERENCE = /^\\([1-9]|k)|^\(\?P=/;

/**
 * Compiles `pattern` (RE2 syntax, no flags: `(?i)`, `(?s)`, `(?m)` inside the pattern set them).
 * @returns the compiled pattern, or why RE2 refuses it (a message for a rule error, without the
 *   pattern itself, which the error's source line shows).
 */
export function compileRegex(pattern: string): Regex | { readonly error: string } {
  if (pattern.length > MAX_REGEX_LENGTH) return { error: `regular expression too long: more than ${MAX_REGEX_LENGTH.toLocaleString('en-US')} characters` };
  try {
    return re2js().compile(pattern);
  } catch (error) {
    return { error: `regular expression not accepted (RE2 syntax, linear time): ${reason(pattern, error)}` };
  }
}

/** RE2's reason in words, with the offending fragment when it is not the whole pattern. */
function reason(pattern: string, error: unknown): string {
  const e = error as { error?: unknown; input?: unknown; message?: unknown };
  const fragment = typeof e.input === 'string' ? e.input : '';
  if (LOOKAROUND.test(fragment)) return `lookahead and lookbehind such as '${fragment.slice(0, fragment.startsWith('(?<') ? 4 : 3)}' need backtracking`;
  if (BACKREFERENCE.test(fragment) || pattern.includes('(?P=')) return `backreferences such as '${BACKREFERENCE.test(fragment) ? shorten(fragment) : '(?P='}' need backtracking`;
  const description = typeof e.error === 'string' ? e.error : String(e.message ?? error).replace(/^error parsing regexp: /, '');
  return fragment === '' || fragment === pattern ? description : `${description} '${shorten(fragment)}'`;
}
