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
import { parseFileCollecting } from './parse.js';

export { RuleError, RuleErrors, printSourceLocation } from './errors.js';
export type { RelatedLocation } from './errors.js';
export { begin, rule, PatternBuilder, RuleBuilder } from './builder.js';
export type { ConditionFn, ElementOptions, Target } from './builder.js';

/**
 * Parses and checks a rule file.
 * @param source the file's text.
 * @param file the name used in error messages (`file:line:col: ...`); default `<rules>`.
 * @returns the checked rules, in file order.
 * @throws RuleErrors for any bad input, every rule error in file order (DSL.md section 7): the
 *   first syntax error of each rule (parsing a rule stops at it; the nesting and token limits of
 *   limits.ts are found there) and every check error of the rules that parsed (at most 50 of each
 *   and a final "too many errors"). Never anything else, whatever the text (test/dsl/fuzz.test.ts).
 */
export function parseRules(source: string, file = '<rules>'): Rule[] {
  const { ast, errors: syntax } = parseFileCollecting(source, file);
  const { rules, errors } = checkFile(ast, file, source);
  if (syntax.length === 0 && errors.length === 0) return rules;
  if (syntax.length === 0) throw new RuleErrors(errors);
  throw new RuleErrors([...syntax, ...errors].sort((a, b) => a.line - b.line || a.col - b.col));
}
