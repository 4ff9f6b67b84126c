/**
 * The checked rule: plain data that the NFA compiler consumes. The DSL checker (`src/dsl`) and
 * the programmatic builder (`src/dsl/builder.ts`) both produce exactly this structure; nothing
 * downstream ever sees an AST. Conditions and expressions are already compiled to closures, so the
 * matcher never walks an expression tree per event.
 *
 * Shapes follow Flink CEP's `Pattern` API (flink-cep 1.20): a sequence of elements, each with a
 * contiguity to its predecessor (next / followedBy / followedByAny), an optional negation
 * (notNext / notFollowedBy), a condition, a quantifier and a name (alias).
 */
import type { CepEvent } from './event.js';

/** Alert severity, DSL.md section 2. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/**
 * How an element follows the one before it (or how a loop's iterations follow each other).
 * - `strict`: the very next event of the key (Flink `next`, `consecutive()`).
 * - `relaxed`: skip events that do not match (Flink `followedBy`, the loop default).
 * - `nondeterministic`: also skip events that match (Flink `followedByAny`, `allowCombinations()`).
 */
export type Contiguity = 'strict' | 'relaxed' | 'nondeterministic';

/**
 * The events bound so far, by alias. For a loop alias this is every event it has taken (in order);
 * for a single element a list of zero or one event. Inside a loop's own condition (or its `until`),
 * its alias gives the events taken before the event under test (Flink `IterativeCondition.Context`).
 */
export interface Bindings {
  /** Events bound to `alias` in the current (partial) match, oldest first; empty when none. */
  events(alias: string): readonly CepEvent[];
}

/**
 * A compiled condition. `test` must not throw for bad data (the DSL's compiled conditions return
 * false on null rules); if it does throw, the matcher treats the result as false and counts it.
 */
export interface Condition {
  readonly test: (event: CepEvent, bindings: Bindings) => boolean;
  /** The condition as written, for `cep explain` and error messages. */
  readonly source: string;
  /** Aliases whose events the condition reads (empty: a simple condition, Flink SimpleCondition). */
  readonly reads: readonly string[];
}

/** A compiled expression of an `emit` block, evaluated once per match. */
export interface EmitField {
  readonly name: string;
  readonly value: (bindings: Bindings) => unknown;
  readonly source: string;
}

/**
 * A quantifier (Flink `times`, `timesOrMore`, `oneOrMore`, `optional`, ...). `min` is the written
 * lower bound (≥ 1); `optional` says whether zero iterations are allowed too (Flink `optional()`).
 * `*` is `{1,} optional`, `?` is `{1} optional`, `+` is `{1,}`.
 */
export interface Quantifier {
  /** Lower bound of iterations, ≥ 1. */
  readonly min: number;
  /** Upper bound of iterations, ≥ min; `Infinity` for `{n,}`, `+` and `*`. */
  readonly max: number;
  /** Zero iterations allowed too (Flink `optional()`; `*` and `?` set it). */
  readonly optional: boolean;
  /** Take as many as possible (Flink `greedy()`); only on single-event elements. */
  readonly greedy: boolean;
  /** Contiguity between iterations: `relaxed` (default), `strict` (`consecutive`), `nondeterministic` (`combinations`). */
  readonly contiguity: Contiguity;
  /** Stop condition (Flink `until()`): an event satisfying it ends the loop and is not taken. */
  readonly until?: Condition;
}

/** One event of a given type (or of `any` type) that satisfies an optional condition. */
export interface EventAtom {
  readonly kind: 'event';
  /** Event type to match; `null` for `any`. */
  readonly type: string | null;
  readonly condition?: Condition;
}

/** A parenthesised sub-pattern (Flink `GroupPattern`). */
export interface GroupAtom {
  readonly kind: 'group';
  readonly pattern: Pattern;
}

/** What an element matches: one event ({@link EventAtom}) or a group ({@link GroupAtom}). */
export type Atom = EventAtom | GroupAtom;

/** One element of a pattern: `[not] atom [quantifier] [as alias]`. */
export interface Element {
  /** Contiguity to the previous element; ignored (`relaxed`) for the first element of the rule. */
  readonly contiguity: Contiguity;
  /** `not X`: after `strict` it is Flink notNext, otherwise notFollowedBy. Never quantified. */
  readonly negated: boolean;
  readonly atom: Atom;
  readonly quantifier?: Quantifier;
  /**
   * The element's name: its alias, or its type name when it has none and the type appears once,
   * or a generated name (`_1`, `_2`, ...) that no expression can refer to. Unique in the rule.
   */
  readonly alias: string;
}

/** A sequence of elements. */
export interface Pattern {
  readonly elements: readonly Element[];
}

/** After-match skip strategy (Flink `AfterMatchSkipStrategy`), DSL.md section 6. */
export type SkipStrategy =
  | { readonly kind: 'noSkip' }
  | { readonly kind: 'skipPastLastEvent' }
  | { readonly kind: 'skipToNext' }
  | { readonly kind: 'skipToFirst'; readonly alias: string }
  | { readonly kind: 'skipToLast'; readonly alias: string };

/** A field path, already split on dots: `payload.card.id` → `['payload', 'card', 'id']`. */
export type FieldPath = readonly string[];

/** A checked rule (DSL.md section 2). */
export interface Rule {
  readonly name: string;
  /** Defaults to `medium` when the rule names none. */
  readonly severity: Severity;
  /** One or several key paths; an event whose key is missing or null is not matched by the rule. */
  readonly keyBy: readonly FieldPath[];
  readonly pattern: Pattern;
  /** `within` in ms (last − first < within), or undefined for none. */
  readonly within?: number;
  /** Defaults to `skipPastLastEvent` (DSL.md section 8). */
  readonly skip: SkipStrategy;
  /** `emit { ... }`: fields of a `match` alert, in order (empty for none). */
  readonly emit: readonly EmitField[];
  /** `on timeout emit { ... }`: undefined when the rule does not ask for timeout alerts. */
  readonly onTimeout?: readonly EmitField[];
}
