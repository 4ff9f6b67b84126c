/**
 * `skip to first|last x`: `x` is an alias of the rule, of an element of the pattern itself, not of
 * one inside a group (Flink looks the name up among the pattern's own elements only: "The pattern
 * name specified in AfterMatchSkipStrategy can not be found in the given Pattern"). A `not`
 * element is accepted, as in Flink: it binds no event, so such a skip prunes nothing.
 */
import { shorten } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { RuleCheck } from './check.js';

export const skipTarget: RuleCheck = ({ rule, scope, report }) => {
  const alias = rule.skip?.alias ?? null;
  if (alias === null) return;
  const name = alias.value;
  if (!scope.visible.has(name)) {
    report.error(`unknown alias '${shorten(name)}' in skip${didYouMean(name, scope.visible.keys())}`, alias.loc);
  } else if (!rule.pattern.elements.some((e) => scope.names.get(e) === name)) {
    report.error(
      `cannot skip to '${shorten(name)}': it is inside a group; skip to an element of the pattern itself (Flink: "The pattern name specified in AfterMatchSkipStrategy can not be found in the given Pattern")`,
      alias.loc,
    );
  }
};
