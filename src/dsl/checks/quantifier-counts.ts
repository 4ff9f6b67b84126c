/**
 * Quantifier counts (DSL.md section 3): whole numbers, at most `MAX_COUNT` (10,000), `{n,m}` with
 * m ≥ n; `{0,m}` is `{1,m} optional` (Flink `times(0, m)`); `{0}`, `{0,0}` and `{0,}` are errors
 * (Flink's `times(0)` and `timesOrMore(0)` are refused too; `*` is the way to write the last).
 */
import { shorten } from '../errors.js';
import { MAX_COUNT } from '../limits.js';
import type { RuleCheck } from './check.js';
import { forEachSequence } from './check.js';

export const quantifierCounts: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements) => {
    for (const element of elements) {
      const q = element.quantifier;
      if (q === null) continue;
      const text = shorten(q.text);
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
  });
};
