/**
 * An element made optional with `?`, `*` or `optional` may not come right after a greedy one
 * (Flink `Pattern.optional()`: "Optional pattern cannot be preceded by greedy pattern"). `{0,m}`
 * is accepted there, as in Flink: `times(0, m)` makes the quantifier optional without that check.
 */
import type { RuleCheck } from './check.js';
import { forEachSequence } from './check.js';

export const optionalAfterGreedy: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements) => {
    elements.forEach((element, i) => {
      if (i === 0 || !elements[i - 1].modifiers.some((m) => m.name === 'greedy')) return;
      const optional = element.modifiers.find((m) => m.name === 'optional')?.loc ?? (element.quantifier?.optional === true ? element.quantifier.loc : null);
      if (optional !== null) report.error('an optional element cannot follow a greedy one (Flink: "Optional pattern cannot be preceded by greedy pattern")', optional);
    });
  });
};
