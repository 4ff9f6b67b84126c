/**
 * A `not` element is the absence of one event: it follows `->` (Flink notFollowedBy) or `next`
 * (notNext), never `->>` (Flink has no such absence); it is one event, not a group; it takes no
 * quantifier and no modifier (Flink: "Option not applicable to NOT pattern", "NOT pattern cannot
 * be optional"); and it may not follow an optional element (Flink `notNext`/`notFollowedBy`:
 * "Specifying a pattern with an optional path to NOT condition is not supported yet"). Before an
 * optional element it is fine.
 */
import { shorten } from '../errors.js';
import type { RuleCheck } from './check.js';
import { forEachSequence, isOptional } from './check.js';

export const negatedElement: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements) => {
    elements.forEach((element, i) => {
      if (element.not === null) return;
      if (element.op === '->>') {
        report.error("`->> not` has no meaning: an absence skips nothing (Flink has notFollowedBy, `-> not`, and notNext, `next not`); write `-> not`", element.opLoc ?? element.not);
      }
      if (element.atom.kind === 'GroupAtom') {
        report.error("a 'not' element is the absence of one event, not of a group (Flink's notFollowedBy and notNext take one event's condition)", element.atom.loc);
      }
      if (element.quantifier !== null) {
        report.error(`a 'not' element cannot be quantified ('${shorten(element.quantifier.text)}'); write the absence of one event (Flink: "Option not applicable to NOT pattern")`, element.quantifier.loc);
      }
      for (const m of element.modifiers) report.error(`a 'not' element takes no '${m.name}' (Flink: "Option not applicable to NOT pattern")`, m.loc);
      if (i > 0 && isOptional(elements[i - 1])) {
        report.error(
          "a 'not' element cannot follow an optional element (Flink: \"Specifying a pattern with an optional path to NOT condition is not supported yet\"); split the rule into one with and one without the optional part",
          element.not,
        );
      }
    });
  });
};
