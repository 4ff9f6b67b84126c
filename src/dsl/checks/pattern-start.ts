/**
 * A pattern, or a group, may not begin with `not` (DSL.md section 3): there is nothing for the
 * absence to follow (Flink has no way to write it: `Pattern.begin` takes no NOT).
 */
import type { RuleCheck } from './check.js';
import { forEachSequence } from './check.js';

export const patternStart: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements, topLevel) => {
    const not = elements[0].not;
    if (not !== null) report.error(topLevel ? 'a pattern cannot begin with `not`: there is nothing for the absence to follow' : 'a group cannot begin with `not`', not);
  });
};
