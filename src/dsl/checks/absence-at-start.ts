/**
 * A `not` element may not be where a match can begin: when every element before it may take no
 * event (a first group whose elements are all optional, say), the absence has nothing to follow,
 * as with a pattern that begins with `not` (pattern-start.ts). flink-cep accepts such a pattern
 * and then fails on the first event with a NullPointerException (found by the differential test),
 * so it is a rule error here.
 */
import type { RuleCheck } from './check.js';
import { isOptional } from './check.js';
import { takesNothing } from './takes-nothing.js';

export const absenceAtStart: RuleCheck = ({ rule, report }) => {
  const elements = rule.pattern.elements;
  for (let i = 1; i < elements.length && takesNothing(elements[i - 1]); i++) {
    const not = elements[i].not;
    if (not === null) continue;
    // Right after an optional element it is negated-element.ts's error.
    if (!isOptional(elements[i - 1])) {
      report.error('this `not` may be where a match begins: every element before it may take no event, so there is nothing for the absence to follow (Flink fails on it with a NullPointerException); make an element before it required', not);
    }
    return;
  }
};
