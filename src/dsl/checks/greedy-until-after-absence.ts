/**
 * A greedy optional loop with `until` (`x* until [c] greedy`, `x{n,} until [c] greedy optional`)
 * may not follow `-> not X` with only optional elements between them, in the same sequence:
 * flink-cep 1.20 accepts the pattern, but one of its NFA's transitions then has no target state.
 * Right after the absence, the first event that meets the `until` condition fails the job with a
 * NullPointerException (`NFA.findFinalStateAfterProceed`); with optional elements between, the
 * NFA compiler itself fails with one (`copyWithoutTransitiveNots`). Both found by the
 * differential test (seed 909), so it is a rule error here, as a `not` where a match may begin
 * is (absence-at-start.ts). Without `greedy`, `until` or the optionality, after `next not X`, or
 * with a required element between, Flink runs it, and so does this engine.
 */
import type { ElementNode } from '../ast.js';
import type { RuleCheck } from './check.js';
import { forEachSequence, isLooping, isOptional } from './check.js';

/** The `greedy` modifier of `element` when it is an optional loop with `until` and `greedy`, else null. */
function greedyUntilLoop(element: ElementNode): ElementNode['modifiers'][number] | null {
  if (!isLooping(element) || !isOptional(element) || !element.modifiers.some((m) => m.name === 'until')) return null;
  return element.modifiers.find((m) => m.name === 'greedy') ?? null;
}

export const greedyUntilAfterAbsence: RuleCheck = ({ rule, report }) => {
  forEachSequence(rule.pattern, (elements) => {
    for (let i = 0; i < elements.length; i++) {
      if (elements[i].not === null || elements[i].op !== '->') continue;
      for (let j = i + 1; j < elements.length && isOptional(elements[j]); j++) {
        const greedy = greedyUntilLoop(elements[j]);
        if (greedy === null) continue;
        report.error(
          'a greedy optional loop with `until` cannot follow `-> not X` with only optional elements between them (Flink accepts it, then fails on it with a NullPointerException); drop `greedy`, make the loop required (`+`, `{n,}`), or put a required element between',
          greedy.loc,
        );
      }
    }
  });
};
