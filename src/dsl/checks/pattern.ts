/**
 * Structural checks of a pattern (DSL.md section 3, Flink `Pattern` / `NFACompiler` validation):
 * - a pattern (or group) may not begin with `not`;
 * - a `not` element cannot be quantified, nor follow an optional element (Flink: "optional path to
 *   NOT condition is not supported");
 * - quantifier bounds: whole numbers, at most `MAX_COUNT` (10,000), `{n,m}` with m ≥ n; `{0,m}` is
 *   `{1,m} optional` (Flink `times(0, m)`), `{0}`, `{0,0}` and `{0,}` are errors (Flink
 *   `timesOrMore(0)` is refused too; `*` is the way to write it);
 * - modifiers: `until`, `greedy`, `consecutive`, `combinations` need a looping quantifier, `greedy`
 *   is not allowed on a group nor on the last element (Flink: greedy cannot end a pattern), no
 *   modifier twice, not both `consecutive` and `combinations`.
 * The trailing `-> not` without `within` check is rule-level (checker.ts), it needs `within`.
 */
import type { ElementNode, PatternNode } from '../ast.js';
import { shorten } from '../errors.js';
import { MAX_COUNT } from '../limits.js';
import type { Reporter } from './reporter.js';

function checkQuantifier(element: ElementNode, report: Reporter): void {
  const q = element.quantifier;
  if (q === null) return;
  const text = shorten(q.text);
  if (element.not !== null) report.error(`a 'not' element cannot be quantified ('${text}'); write the absence of one event`, q.loc);
  // The counts as written (`{n}`, `{n,}`, `{n,m}`): `1e400` reads as Infinity, which is not an open bound.
  const written = q.text.startsWith('{') ? q.text.slice(1, -1).split(',').filter((c) => c !== '').map(Number) : [];
  if (written.some((c) => c > MAX_COUNT)) {
    report.error(`quantifier '${text}': counts above ${MAX_COUNT.toLocaleString('en-US')} are not allowed (an automaton that large is a mistake, not a rule)`, q.loc);
  } else if (!written.every(Number.isInteger)) {
    report.error(`quantifier counts must be whole numbers, not '${text}'`, q.loc);
  } else if (q.max === 0) {
    report.error(`quantifier '${text}' matches no event; for an optional element write '?'`, q.loc);
  } else if (q.min < 1 && q.max === Infinity) {
    report.error(`quantifier '${text}': for zero or more write '*'`, q.loc);
  } else if (q.max < q.min) {
    report.error(`quantifier '${text}': the upper bound ${q.max} is below the lower bound ${q.min}`, q.loc);
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

/** True when the element may be skipped (`?`, `*`, `{0,m}`, or `optional`). */
export function isOptional(element: ElementNode): boolean {
  const q = element.quantifier;
  return (q !== null && (q.optional || q.min === 0)) || element.modifiers.some((m) => m.name === 'optional');
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
