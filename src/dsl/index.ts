/**
 * The rule-language front end (DSL.md sections 2-4): text → checked `Rule[]` (src/nfa/rule.ts).
 *
 * ```ts
 * import { parseRules, RuleErrors } from './dsl/index.js';
 * try { const rules = parseRules(text, 'rules.cep'); }
 * catch (e) { if (e instanceof RuleErrors) console.error(e.format()); }
 * ```
 * TypeScript users can build the same structure with `rule(...)` from builder.ts.
 */
import type { Rule } from '../nfa/rule.js';
import { checkFile } from './checker.js';
import { RuleErrors } from './errors.js';
import { parseFile } from './parse.js';

export { RuleError, RuleErrors, printSourceLocation } from './errors.js';
export type { RelatedLocation } from './errors.js';
export { begin, rule, PatternBuilder, RuleBuilder } from './builder.js';
export type { ConditionFn, ElementOptions, Target } from './builder.js';

/**
 * Parses and checks a rule file.
 * @param source the file's text.
 * @param file the name used in error messages (`file:line:col: ...`); default `<rules>`.
 * @returns the checked rules, in file order.
 * @throws RuleErrors for any bad input: one syntax error (parsing stops at the first; the nesting
 *   and token limits of limits.ts are found there), or every check error (at most 50 and a final
 *   "too many errors"). Never anything else, whatever the text (test/dsl/fuzz.test.ts).
 */
export function parseRules(source: string, file = '<rules>'): Rule[] {
  const ast = parseFile(source, file);
  const { rules, errors } = checkFile(ast, file, source);
  if (errors.length > 0) throw new RuleErrors(errors);
  return rules;
}
