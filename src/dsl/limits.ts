/**
 * Limits of the rule language, so that no rule text (a hostile one included, up to megabytes) can
 * exhaust the stack, the heap or the CPU of `cep check` or of the engine. Each broken
 * limit is a located rule error.
 *
 * - Nesting: the parser, the checker, the expression compiler, the compiled conditions and the NFA
 *   compiler recurse once per level of nesting (CPython's parser has the same kind of limit, 200
 *   levels of parentheses). Levels are brackets `( [ {` and chains of the prefix operators `not`
 *   and `-` (`not not x` nests like `not (not x)`). Long flat chains (`a -> b -> ...`,
 *   `x or y or ...`, `a.b.c...`) are not nesting: the front end handles them with loops.
 * - Tokens per rule: an Earley parser keeps a chart column per token until the rule has parsed, so
 *   memory grows with the rule (graphql-js `maxTokens` for the same reason). Rules are parsed one
 *   at a time, so a file may hold any number of rules.
 * - Quantifier counts (DSL.md section 3) and the automaton's size (checker.ts): a count or a
 *   product of nested counts that large is a mistake, not a rule.
 * - The length of a `matches` regular expression (expr/regex.ts): compiling one takes time and
 *   memory in proportion.
 * - `within` (checks/absence-within.ts): its deadlines must be times an alert can write.
 *
 * The nesting and token limits are checked on the tokens before parsing (parse.ts): a rule with
 * too many tokens is refused without parsing it (that work is what the limit bounds; text that does
 * not start with `rule` fails at its first token anyway); a rule nested
 * too deeply is parsed up to the token that breaks the limit, so that a syntax error before it is
 * still the one reported.
 */
import type { Token } from './lexer.js';

/** Deepest nesting of brackets and prefix-operator chains in a rule. */
export const MAX_NESTING = 200;

/** Most tokens in one rule (parsing time and the parser's chart grow with each token: bench/README.md, rule language limits). */
export const MAX_RULE_TOKENS = 50_000;

/** Largest quantifier count (DSL.md section 3: counts above 10,000 are rule errors). */
export const MAX_COUNT = 10_000;

/** Largest automaton a rule may compile to, in states, transitions and element copies (src/nfa/compiler.ts). */
export const MAX_AUTOMATON_SIZE = 100_000;

/**
 * Longest `within`, ms: 10,000 years (3,652,425 days). A partial match's deadline is its first
 * event's time + `within`, and an absence alert writes it as its `end`: with event times up to the
 * year 9999 (`MAX_EVENT_TIME`, src/runtime/time.ts) it stays far inside what an ISO-8601 time can
 * be written for (`Date`, year 275760), where a longer one crashed the run when the deadline fired.
 */
export const MAX_WITHIN_MS = 3_652_425 * 86_400_000;

/** Longest regular expression of `matches` (compiling one takes time and memory in proportion: bench/README.md, rule language limits). */
export const MAX_REGEX_LENGTH = 20_000;

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

function isPrefixOperator(token: Token): boolean {
  return (token.type === 'keyword' && token.text === 'not') || (token.type === 'punct' && token.text === '-');
}

/** The index of the first token past `MAX_RULE_TOKENS` in the rule `tokens[start..end)`, or null. */
export function tokenLimitBroken(start: number, end: number): number | null {
  return end - start > MAX_RULE_TOKENS ? start + MAX_RULE_TOKENS : null;
}

/**
 * The message for a rule broken by `tokenLimitBroken` (digits grouped by hand: `toLocaleString` at
 * module load would start ICU, a fifth of `cep check`'s start-up).
 */
export const TOO_MANY_TOKENS = `rule too long: more than ${String(MAX_RULE_TOKENS).replace(/\B(?=(\d{3})+$)/g, ',')} tokens; split it into smaller rules`;

/** The message for a rule broken by `nestingLimitBroken`. */
export const TOO_DEEP = `nested too deeply: more than ${MAX_NESTING} levels of brackets and of 'not' or '-' in a row`;

/**
 * The index of the first token of the rule `tokens[start..end)` that nests deeper than
 * `MAX_NESTING`, or null. A `-` counts as a prefix operator even where it is binary, and `not in`
 * as a `not`: that only adds a level for one token.
 */
export function nestingLimitBroken(tokens: readonly Token[], start: number, end: number): number | null {
  // Depth = the levels of the open brackets (each counting what enclosed it) + the current run of prefix operators.
  const bases: number[] = [];
  let base = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    const token = tokens[i];
    if (token.type === 'punct' && OPENERS.has(token.text)) {
      bases.push(base);
      base += run + 1;
      run = 0;
    } else if (token.type === 'punct' && CLOSERS.has(token.text)) {
      base = bases.pop() ?? 0;
      run = 0;
      continue;
    } else if (isPrefixOperator(token)) {
      run++;
    } else {
      run = 0;
      continue;
    }
    if (base + run > MAX_NESTING) return i;
  }
  return null;
}
