/**
 * A looping group (`+`, `*`, `{n,}`) must take at least one event per iteration: when every
 * element of its body may take none, flink-cep's NFA follows its empty iterations forever (the
 * job hangs; found by the differential test), so it is a rule error here. A bounded
 * group (`{n}`, `{n,m}`) over such a body is accepted, as in Flink.
 */
import type { RuleCheck } from './check.js';
import { forEachSequence, isLooping } from './check.js';
import { takesNothing } from './takes-nothing.js';

export const emptyGroupLoop: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements) => {
    for (const element of elements) {
      if (element.atom.kind !== 'GroupAtom' || !isLooping(element) || !element.atom.pattern.elements.every(takesNothing)) continue;
      report.error(
        `a looping group must take an event in each iteration, but every element of this one may take none (Flink's NFA loops forever on it); make one of its elements required, or bound the group ({n,m})`,
        element.quantifier!.loc,
      );
    }
  });
};
