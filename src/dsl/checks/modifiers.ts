/**
 * Which modifiers an element may take, as flink-cep's `Pattern` and `Quantifier` decide
 * (flink-cep 1.20), the modifiers applied in the order written:
 * - none twice (Flink: "Optional already applied!", "Consecutive already applied!", ...), and not
 *   `optional` on a quantifier that is optional already (`*`, `?`, `{0,m}`);
 * - without a quantifier only `optional` (Flink's singleton quantifier: "Consecutive not
 *   applicable", "Combinations not applicable", "Option not applicable to singleton quantifier");
 *   `greedy`, `consecutive` and `combinations` go with any quantifier, `{1}` included;
 * - `until` only on a looping quantifier (`+`, `*`, `{n,}`; Flink: "The until condition is only
 *   applicable to looping states"), not on `{n}` nor `{n,m}`;
 * - `greedy` not on a group (Flink: "Option not applicable to group pattern"), nor after
 *   `combinations` (Flink: "Option not applicable to FollowedByAny pattern"; `greedy combinations`
 *   is accepted, as in Flink);
 * - not both `consecutive` and `combinations` (Flink: "You can apply either combinations or
 *   consecutive, not both!").
 * A `not` element takes none (negated-element.ts).
 */
import type { RuleCheck } from './check.js';
import { forEachSequence, isLooping, isOptionalQuantifier } from './check.js';

export const modifiers: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements) => {
    for (const element of elements) {
      if (element.not !== null) continue;
      const q = element.quantifier;
      const seen = new Set<string>();
      for (const m of element.modifiers) {
        if (seen.has(m.name)) {
          report.error(`'${m.name}' is written twice`, m.loc);
          continue;
        }
        seen.add(m.name);
        if (m.name === 'optional') {
          if (isOptionalQuantifier(q)) report.error(`'${q.text}' is optional already (Flink: "Optional already applied!")`, m.loc);
        } else if (m.name === 'greedy' && element.atom.kind === 'GroupAtom') {
          report.error('\'greedy\' applies to single-event elements, not to a group (Flink: "Option not applicable to group pattern")', m.loc);
        } else if (q === null) {
          report.error(`'${m.name}' needs a quantifier such as +, *, ? or {2} on this element`, m.loc);
        } else if (m.name === 'until' && !isLooping(element)) {
          report.error(`'until' needs a looping quantifier (+, * or {n,}), not '${q.text}' (Flink: "The until condition is only applicable to looping states")`, m.loc);
        } else if (m.name === 'greedy' && seen.has('combinations')) {
          report.error('\'greedy\' cannot follow \'combinations\' (Flink: "Option not applicable to FollowedByAny pattern")', m.loc);
        }
      }
      if (seen.has('consecutive') && seen.has('combinations')) {
        const either = element.modifiers.filter((m) => m.name === 'consecutive' || m.name === 'combinations');
        report.error("'consecutive' and 'combinations' exclude each other (Flink: \"You can apply either combinations or consecutive, not both!\")", either[either.length - 1].loc);
      }
    }
  });
};
