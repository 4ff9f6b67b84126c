/** The checks of a rule, in the order they run (each in its own file; see check.ts). */
import type { RuleCheck } from './check.js';
import { absenceAtStart } from './absence-at-start.js';
import { absenceWithin } from './absence-within.js';
import { emptyGroupLoop } from './empty-group-loop.js';
import { greedyUntilAfterAbsence } from './greedy-until-after-absence.js';
import { modifiers } from './modifiers.js';
import { negatedElement } from './negated-element.js';
import { optionalAfterGreedy } from './optional-after-greedy.js';
import { patternStart } from './pattern-start.js';
import { quantifierCounts } from './quantifier-counts.js';
import { skipTarget } from './skip-target.js';

export const RULE_CHECKS: readonly RuleCheck[] = [patternStart, quantifierCounts, negatedElement, modifiers, optionalAfterGreedy, emptyGroupLoop, absenceAtStart, greedyUntilAfterAbsence, absenceWithin, skipTarget];
