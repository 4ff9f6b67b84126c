/**
 * `within` is a positive duration of at most `MAX_WITHIN_MS` (limits.ts), and a pattern that ends with `-> not X` needs one (DSL.md
 * section 3; Flink: "NotFollowedBy is not supported without windowTime as a last part of a
 * Pattern!"): the absence is decided when the deadline passes. `next not X` at the end needs none.
 */
import { MAX_WITHIN_MS } from '../limits.js';
import type { RuleCheck } from './check.js';

export const absenceWithin: RuleCheck = ({ rule, report }) => {
  const elements = rule.pattern.elements;
  const last = elements[elements.length - 1];
  if (last.not !== null && last.op !== 'next' && rule.within === null) {
    report.error('a pattern that ends with `-> not X` needs `within D`: the absence is decided when the deadline passes', last.loc);
  }
  if (rule.within !== null && rule.within.ms <= 0) report.error('`within` must be a positive duration', rule.within.loc);
  if (rule.within !== null && rule.within.ms > MAX_WITHIN_MS) {
    report.error(`\`within\` must be at most 10,000 years (${MAX_WITHIN_MS / 86_400_000}d): its deadlines must be times an alert can write`, rule.within.loc);
  }
};
