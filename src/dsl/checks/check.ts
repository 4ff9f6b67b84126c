/**
 * What a check of a rule is (graphql-js `ValidationRule`): a function over the rule's syntax tree
 * that reports what it finds and goes on. The checks are one per file and run in the order of
 * `RULE_CHECKS` (index.ts); to add one, write its file and add it to that list.
 */
import type { ElementNode, PatternNode, QuantifierNode, RuleNode } from '../ast.js';
import type { Scope } from '../scope.js';
import type { Reporter } from './reporter.js';

/** What a check sees: the rule, its element names (scope.ts), and where errors go. */
export interface CheckContext {
  readonly rule: RuleNode;
  readonly scope: Scope;
  readonly report: Reporter;
}

/** One check of a rule: reports every error it finds through `ctx.report`. */
export type RuleCheck = (ctx: CheckContext) => void;

/** Calls `visit` on the rule's pattern and on every group's pattern (`topLevel` only for the rule's). */
export function forEachSequence(pattern: PatternNode, visit: (elements: readonly ElementNode[], topLevel: boolean) => void, topLevel = true): void {
  visit(pattern.elements, topLevel);
  for (const element of pattern.elements) if (element.atom.kind === 'GroupAtom') forEachSequence(element.atom.pattern, visit, false);
}

/** True when the quantifier itself makes its element optional (`?`, `*`, `{0,m}`). */
export function isOptionalQuantifier(q: QuantifierNode | null): q is QuantifierNode {
  return q !== null && (q.optional || q.min === 0);
}

/** True when the element may be skipped (`?`, `*`, `{0,m}`, or `optional`): Flink's OPTIONAL quantifier property. */
export function isOptional(element: ElementNode): boolean {
  return isOptionalQuantifier(element.quantifier) || element.modifiers.some((m) => m.name === 'optional');
}

/**
 * True when the element's quantifier loops in Flink's sense (its LOOPING property: `oneOrMore`,
 * `timesOrMore`, so `+`, `*`, `{n,}`); `{n}` and `{n,m}` are `times` (the TIMES property).
 */
export function isLooping(element: ElementNode): boolean {
  return element.quantifier !== null && element.quantifier.max === Infinity;
}
