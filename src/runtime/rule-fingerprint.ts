/**
 * The identity of a compiled rule across hot reloads (DSL.md section 10) and restarts from a
 * checkpoint (section 9): a rule's keyed state is kept, or restored, only into a rule of the same
 * name and the same fingerprint.
 */
import { createHash } from 'node:crypto';
import { RuleLexer } from '../dsl/lexer.js';
import type { Nfa } from '../nfa/nfa.js';

const lexer = new RuleLexer();
const fingerprints = new WeakMap<Nfa, string>();

/** An expression's text as its tokens, one space apart: whitespace and comments do not count. */
function normalise(text: string): string {
  const tokens: string[] = [];
  try {
    lexer.reset(text);
    for (let token = lexer.next(); token !== undefined; token = lexer.next()) tokens.push(token.text);
  } catch {
    return text;
  }
  return tokens.join(' ');
}

/**
 * A rule's identity across reloads and restarts: a SHA-256 over its compiled form (name, severity, keys,
 * pattern with contiguity, quantifiers and conditions, `within`, skip strategy, `emit` and
 * `on timeout emit`), with each condition and expression as its tokens, so that a change of
 * whitespace or comments keeps the rule (and its partial matches), and any other change makes it
 * a new rule. Conditions given as functions (the TypeScript builder's `<function>`) cannot be told
 * apart: such rules are compared by everything else. Computed once per `Nfa`.
 */
export function ruleFingerprint(nfa: Nfa): string {
  let fingerprint = fingerprints.get(nfa);
  if (fingerprint !== undefined) return fingerprint;
  const json = JSON.stringify(nfa.rule, (key, value: unknown) => {
    if (typeof value === 'function') return undefined;
    if (value === Infinity) return 'Infinity';
    if (key === 'source' && typeof value === 'string') return normalise(value);
    return value;
  });
  fingerprint = createHash('sha256').update(json).digest('hex');
  fingerprints.set(nfa, fingerprint);
  return fingerprint;
}
