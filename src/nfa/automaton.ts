/**
 * The compiled automaton: states and labelled transitions, immutable and shared by every key.
 * Shapes follow Flink CEP's `State` / `StateTransition` / `StateTransitionAction` (flink-cep
 * 1.20), which implement the NFA^b model of Agrawal et al., "Efficient Pattern Matching over Event
 * Streams" (SIGMOD 2008).
 */
import type { EdgeCondition } from './edge-condition.js';

/**
 * - `start`: where every partial match begins; it is never stored in a key's state.
 * - `normal`: waits for the next event of an element (or of one iteration of a loop).
 * - `final`: reaching it completes a match.
 * - `stop`: reaching it kills the branch (a `not` element saw its event).
 * - `pending`: a trailing `-> not X` waits for its deadline; reaching the deadline completes a match.
 */
export type StateKind = 'start' | 'normal' | 'final' | 'stop' | 'pending';

/**
 * - `take`: consume the event into the partial match (shared buffer) and move to the target.
 * - `ignore`: skip the event, staying with the same events, and move to the target (often itself).
 * - `proceed`: move to the target without consuming (an epsilon move), the event is then tried there.
 */
export type Action = 'take' | 'ignore' | 'proceed';

/** One transition. `from`/`to` are state ids (indexes into `Automaton.states`). */
export interface Transition {
  readonly action: Action;
  readonly from: number;
  readonly to: number;
  readonly condition: EdgeCondition;
}

/** One state. `name` is the alias of the element it belongs to (`$end` for the final state). */
export interface AutomatonState {
  readonly id: number;
  readonly name: string;
  readonly kind: StateKind;
  readonly transitions: readonly Transition[];
}

/** The whole automaton. `start` is the id of the start state; state ids are dense from 0. */
export interface Automaton {
  readonly states: readonly AutomatonState[];
  readonly start: number;
}

/** Name of the final state (Flink `$endState$`). */
export const FINAL_NAME = '$end';

/** The automaton as `(from, action, to)` triples of state labels `name#id`, for tests and `cep explain`. */
export function triples(automaton: Automaton): [string, Action, string][] {
  const label = (id: number): string => `${automaton.states[id].name}#${id}`;
  return automaton.states.flatMap((s) => s.transitions.map((t): [string, Action, string] => [label(t.from), t.action, label(t.to)]));
}
