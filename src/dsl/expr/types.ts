/**
 * Static shapes of compiled expressions. The compiler knows at rule load where an event (or a
 * list of events) can appear, so field access on an event reads its `.data` without any run-time
 * guessing: `shape` is `event` for a single alias, `first(a)`, `last(a)` or `a[i]` on a loop alias;
 * `events` for a loop alias; `value` for everything else (JSON values and lists of them).
 */
import type { CepEvent } from '../../nfa/event.js';
import type { Bindings } from '../../nfa/rule.js';

/** Where a compiled expression's value comes from: one event, a list of events, or a JSON value (see above). */
export type Shape = 'event' | 'events' | 'value';

/** What is known of a value's type before running (for "not a boolean" and argument checks). */
export type StaticType = 'boolean' | 'number' | 'string' | 'list' | 'null' | 'unknown';

/** A compiled expression: evaluated with the event under test (null in `emit`) and the bindings. */
export type Evaluator = (event: CepEvent | null, bindings: Bindings) => unknown;

/** A compiled expression with what is known of it statically. */
export interface Compiled {
  readonly run: Evaluator;
  readonly shape: Shape;
  readonly type: StaticType;
}
