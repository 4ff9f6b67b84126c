/**
 * The contract between the compiled automaton and the runtime. `compile(rule, options)` (in
 * `compiler.ts`) returns an `Nfa`: immutable, shared by every key. Each key's state is a separate,
 * serialisable value passed in (Flink `NFA` with `NFAState`); the runtime owns where it is stored.
 */
import type { CepEvent } from './event.js';
import type { Rule } from './rule.js';

/** A complete match, a completed absence, or a timed-out partial match. */
export interface Match {
  /** `match` for a complete match (a trailing `not X` included), `timeout` for a partial match whose deadline passed. */
  readonly kind: 'match' | 'timeout';
  /** Event time of the first matched event, ms. */
  readonly start: number;
  /** Event time of the last matched event, ms; for a trailing `-> not X`, the deadline (first + within). */
  readonly end: number;
  /** Every alias bound in the match, in pattern order, with its events (oldest first). */
  readonly events: ReadonlyMap<string, readonly CepEvent[]>;
}

/** Counters of one compiled rule, summed over all keys. */
export interface NfaStats {
  /** Conditions that threw while evaluated (each counted as false). */
  conditionErrors: number;
  /** Partial matches dropped because a key reached `maxPartialMatches`. */
  droppedPartialMatches: number;
}

/** Options of `compile`, checked once. */
export interface NfaOptions {
  /** Per-key limit on live partial matches; past it the oldest are dropped and counted. Default 10,000. */
  readonly maxPartialMatches?: number;
}

/**
 * One key's state: an `Nfa` creates it (`initialState`, `deserializeState`) and keeps in it, in
 * fields of its own class (which extends this one), what `serializeState` writes. The fields
 * declared here belong to the state's holder, the runtime's keyed state, which keeps its per-key
 * bookkeeping in the state of the key's first rule instead of an object of its own, so that a key
 * waiting on one rule costs one object (the key itself it reads from an event the state holds,
 * `Nfa.heldData`). An `Nfa` never reads or writes them, and they are not
 * serialised.
 */
export abstract class NfaState {
  /** The holder's least-recently-used bookkeeping (a use stamp, or the state's place in the holder's order). */
  lru: unknown = null;
  /** The holder's rules whose states this state holds: its own rule, or a list of them (`null`: none). */
  rules: unknown = null;
}

/**
 * A compiled rule (`compile` in `compiler.ts`): the automaton and the operations the runtime calls
 * on one key's {@link NfaState}, in Flink's `NFA` order (advance the clock, then process the event).
 * Times are event-time ms. Immutable and shared by every key; never throws on data (a condition
 * that throws is counted in `stats` and is false).
 */
export interface Nfa {
  readonly rule: Rule;
  /**
   * Event types that can change a key's state, or `null` when every event can (a pattern with
   * `any`, strict contiguity, `consecutive` or `next not`). The runtime feeds other events to no key.
   */
  readonly relevantTypes: ReadonlySet<string> | null;
  readonly stats: NfaStats;
  /**
   * A state for a key that has seen nothing: a new one, or a released one reset (`release`). With
   * `vacant` (an empty state that the holder keeps as a key's entry, made by this or another `Nfa`),
   * `vacant` itself made this NFA's, its holder fields unchanged, when this NFA's states can take
   * its place (the same state class); else as without it.
   */
  initialState(vacant?: NfaState): NfaState;
  /**
   * Feeds one event (the key's events must come in event-time order; call `advanceTime(state,
   * event.time)` first). Mutates `state`; returns the matches completed by this event in Flink's order.
   * The returned list may be reused by the next `process` or `advanceTime` call of this `Nfa`:
   * read or copy it before calling again (the matches themselves are never reused).
   */
  process(state: NfaState, event: CepEvent): readonly Match[];
  /**
   * Advances the key's clock to `time` (ms; a watermark or the next event's time): partial
   * matches with deadline ≤ time are dropped, returned as `timeout` (when the rule has
   * `on timeout emit`) or, for a trailing `-> not X`, completed as `match`. Mutates `state`.
   */
  advanceTime(state: NfaState, time: number): readonly Match[];
  /** True when the state holds nothing pending: the runtime may forget the key. */
  isEmpty(state: NfaState): boolean;
  /**
   * Hands back the state of a key the runtime forgets, so that a later `initialState()` may
   * return it, reset, instead of a new one. Only an empty state (`isEmpty`) is taken; any other is
   * left alone, as is one already released. The caller must not use `state` afterwards.
   */
  release(state: NfaState): void;
  /**
   * Empties `state` without emitting anything (a key evicted by the holder: its partial matches
   * are lost, and their events no longer held); the holder fields are unchanged.
   */
  clear(state: NfaState): void;
  /**
   * The data of one event that `state` holds (in a partial match or a held-back match), or
   * `undefined` when it holds none (`isEmpty`): every event of a key has the key's values, so the
   * holder reads the key from it instead of keeping it in a field of every key's state.
   */
  heldData(state: NfaState): Readonly<Record<string, unknown>> | undefined;
  /** The earliest deadline among the state's partial matches (ms), or `Infinity`. */
  nextDeadline(state: NfaState): number;
  /** Number of live partial matches in the state (for the engine's counters). */
  partialMatchCount(state: NfaState): number;
  /** A JSON-compatible copy of the state, and back (checkpoints, Kafka hand-over). */
  serializeState(state: NfaState): unknown;
  deserializeState(data: unknown): NfaState;
}
