/**
 * Structural checks of a pattern (DSL.md section 3, Flink `Pattern` / `NFACompiler` validation):
 * - a pattern (or group) may not begin with `not`;
 * - a `not` element cannot be quantified, nor follow an optional element (Flink: "optional path to
 *   NOT condition is not supported");
 * - quantifier bounds: counts ≥ 1 and integers, `{n,m}` with m ≥ n;
 * - modifiers: `until`, `greedy`, `consecutive`, `combinations` need a looping quantifier, `greedy`
 *   is not allowed on a group nor on the last element (Flink: greedy cannot end a pattern), no
 *   modifier twice, not both `consecutive` and `combinations`.
 * The trailing `-> not` without `within` check is rule-level (checker.ts), it needs `within`.
 */
import type { ElementNode, PatternNode } from '../ast.js';
import type { Reporter } from './reporter.js';

function checkQuantifier(element: ElementNode, report: Reporter): void {
  const q = element.quantifier;
  if (q === null) return;
  if (element.not !== null) report.error(`a 'not' element cannot be quantified ('${q.text}'); write the absence of one event`, q.loc);
  if (!Number.isInteger(q.min) || !Number.isInteger(q.max === Infinity ? 0 : q.max)) {
    report.error(`quantifier counts must be whole numbers, not '${q.text}'`, q.loc);
  } else if (q.min < 1) {
    report.error(`quantifier '${q.text}': the count must be at least 1 (for zero or more write '*', or add 'optional')`, q.loc);
  } else if (q.max < q.min) {
    report.error(`quantifier '${q.text}': the upper bound ${q.max} is below the lower bound ${q.min}`, q.loc);
  }
}

function checkModifiers(element: ElementNode, isLast: boolean, report: Reporter): void {
  const seen = new Set<string>();
  const looping = element.quantifier !== null && element.quantifier.max > 1;
  for (const m of element.modifiers) {
    if (seen.has(m.name)) report.error(`'${m.name}' is written twice`, m.loc);
    seen.add(m.name);
    if (element.not !== null) {
      report.error(`a 'not' element takes no '${m.name}'`, m.loc);
      continue;
    }
    if (m.name === 'greedy' && element.atom.kind === 'GroupAtom') {
      report.error("'greedy' applies to single-event loops, not to a group (as in Flink)", m.loc);
    } else if (m.name !== 'optional' && !looping) {
      report.error(`'${m.name}' needs a looping quantifier such as +, * or {2,} on this element`, m.loc);
    } else if (m.name === 'greedy' && isLast) {
      report.error("'greedy' cannot be on the last element of a pattern (as in Flink); end with a non-greedy element", m.loc);
    }
  }
  if (seen.has('consecutive') && seen.has('combinations')) {
    report.error("'consecutive' and 'combinations' exclude each other", element.modifiers.find((m) => m.name === 'combinations')!.loc);
  }
}

/** True when the element may be skipped (`?`, `*`, or `optional`). */
export function isOptional(element: ElementNode): boolean {
  return (element.quantifier?.optional ?? false) || element.modifiers.some((m) => m.name === 'optional');
}

/** Runs the structural checks on a pattern and its groups. */
export function checkPattern(pattern: PatternNode, report: Reporter, topLevel = true): void {
  const elements = pattern.elements;
  if (elements[0].not !== null) {
    report.error(topLevel ? 'a pattern cannot begin with `not`: there is nothing for the absence to follow' : 'a group cannot begin with `not`', elements[0].not);
  }
  elements.forEach((element, i) => {
    checkQuantifier(element, report);
    checkModifiers(element, topLevel && i === elements.length - 1, report);
    if (element.not !== null && i > 0 && isOptional(elements[i - 1])) {
      report.error("a 'not' element cannot follow an optional element (as in Flink); split the rule into one with and one without the optional part", element.not);
    }
    if (element.atom.kind === 'GroupAtom') checkPattern(element.atom.pattern, report, false);
  });
}
