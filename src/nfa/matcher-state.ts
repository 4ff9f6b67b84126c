/**
 * One key's matcher state (Flink `NFAState`): plain data behind the opaque `NfaState`, written and
 * read back by the matcher's `serializeState`/`deserializeState`.
 *
 * The oldest partial match is kept apart from the others (`rest`, a list that exists only when a
 * key has two or more), and when it holds a single event, the usual case of a key waiting for the
 * rest of its pattern, that event's buffer node is kept unboxed in this object's own fields. A
 * pending key then costs one object. Partial matches live for about the `within` window, long
 * enough for V8's young-generation collector to copy every one of them, so the number of objects
 * per pending key sets most of the garbage collector's work (bench/README.md, matcher: the list,
 * its backing store, the node and the deadline's heap number were four of five).
 */
import type { CompletedMatch } from './completed-match.js';
import type { CepEvent } from './event.js';
import { BufferNode } from './shared-buffer.js';

/**
 * A live partial match (Flink `ComputationState`) is the newest node of its events in the shared
 * buffer: the node carries the automaton state and a pointer to the chain's first node, which
 * gives the start time and sequence number (see `BufferNode`). Immutable: unchanged ones are
 * shared between steps.
 */
export type PartialMatch = BufferNode;

/**
 * A deadline is kept as two small integers, `high * SPLIT + low`: V8 stores a small integer inside
 * the object, while a number field holding a timestamp (epoch ms is past the small-integer range)
 * points to a separate heap number, one more cache miss in the per-event clock check of every key.
 */
const SPLIT = 2 ** 30;
/** 1 / SPLIT, exact (a power of two): a multiplication where a division would be slower. */
const PER_SPLIT = 2 ** -30;
/** `high` of "no deadline": past every safe integer time (2^53 ms is `high` 2^23). */
const NONE = 2 ** 30 - 1;

/** Shared empty lists of a key state: never mutated in place (every change assigns a new list). */
export const NO_PARTIALS = Object.freeze([]) as unknown as PartialMatch[];
export const NO_COMPLETED = Object.freeze([]) as unknown as CompletedMatch[];

export class MatcherState {
  // The fields that every event reads (the clock check, then the oldest partial match) come first,
  // so that they tend to share the object's first cache line.
  /** Sequence number of the key's next event. */
  nextSeq = 0;
  /**
   * Deadline of the oldest partial match (its start + `within`), kept here so that the per-event
   * clock check reads no partial match: `deadline` is `high * SPLIT + low` ms, `NONE`: none.
   */
  private high = NONE;
  private low = 0;
  /** Completed matches held back by the skip strategy, in emission order. */
  completed: CompletedMatch[] = NO_COMPLETED;
  /**
   * The oldest partial match when it holds a single event: its node's fields (`event`, `seq`,
   * automaton `state`, `alias`), unboxed; `headEvent` is `null` when it is not kept this way.
   */
  private headEvent: CepEvent | null = null;
  /** The oldest partial match (earliest first event) when it holds two or more events, else `null`. */
  private head: PartialMatch | null = null;
  /** The other partial matches, ordered by first event; owned by this state alone, or `NO_PARTIALS`. */
  rest: PartialMatch[] = NO_PARTIALS;
  private headSeq = 0;
  private headState = 0;
  private headAlias = '';

  /** Deadline of the oldest partial match, ms (`Infinity`: none). */
  get deadline(): number {
    return this.high === NONE ? Infinity : this.high * SPLIT + this.low;
  }

  set deadline(ms: number) {
    if (ms === Infinity) {
      this.high = NONE;
      this.low = 0;
    } else {
      const high = Math.floor(ms * PER_SPLIT);
      const low = ms - high * SPLIT;
      this.high = high;
      // `| 0` makes V8 store a small integer; a fractional deadline (only a caller of the `Nfa`
      // API can pass fractional times) is stored as it is, exact but boxed.
      this.low = Number.isInteger(low) ? low | 0 : low;
    }
  }

  /**
   * Makes this state as `new MatcherState()` is, for reuse by another key once its key is forgotten;
   * `nextSeq` is −1 until it is handed out again (`released`).
   */
  reset(): void {
    this.nextSeq = -1;
    this.deadline = Infinity;
    this.setOldest(null);
    this.rest = NO_PARTIALS;
    this.completed = NO_COMPLETED;
  }

  /** Whether the state was `reset` and not handed out since. */
  get released(): boolean {
    return this.nextSeq < 0;
  }

  /** Whether the deadline is at or before `time` (ms), read from the two small integers only. */
  isDue(time: number): boolean {
    const high = Math.floor(time * PER_SPLIT);
    return this.high < high || (this.high === high && this.low <= time - high * SPLIT);
  }

  /** Whether the key has a live partial match. */
  get hasPartials(): boolean {
    return this.headEvent !== null || this.head !== null;
  }

  /** Number of live partial matches. */
  get partialCount(): number {
    return this.hasPartials ? 1 + this.rest.length : 0;
  }

  /**
   * The oldest partial match, or `null` when none. An unboxed one is boxed into a new node on
   * each call: content-equal, not the same object (nothing compares partial matches by identity).
   */
  oldest(): PartialMatch | null {
    const event = this.headEvent;
    return event === null ? this.head : new BufferNode(this.headAlias, event, this.headSeq, null, this.headState);
  }

  /** Makes `pm` the oldest partial match (`null`: none), unboxed when it holds a single event. */
  setOldest(pm: PartialMatch | null): void {
    if (pm !== null && pm.prev === null) {
      this.startWith(pm.alias, pm.event, pm.seq, pm.state);
    } else {
      this.head = pm;
      this.headEvent = null;
    }
  }

  /**
   * Makes the single event `event` (bound to `alias`, per-key sequence number `seq`, partial match
   * in automaton state `state`) the oldest partial match, unboxed: the same as `setOldest` with
   * its node, without building one.
   */
  startWith(alias: string, event: CepEvent, seq: number, state: number): void {
    this.head = null;
    this.headAlias = alias;
    this.headEvent = event;
    this.headSeq = seq;
    this.headState = state;
  }

  /** Per-key sequence number of the oldest partial match's first event (−1: no partial match). */
  get oldestStartSeq(): number {
    return this.headEvent !== null ? this.headSeq : this.head === null ? -1 : this.head.startSeq;
  }

  /** Time of the oldest partial match's first event, ms (`Infinity`: no partial match). */
  get oldestStartTime(): number {
    return this.headEvent !== null ? this.headEvent.time : this.head === null ? Infinity : this.head.startTime;
  }

  /** The `i`-th partial match, oldest first (`i` < `partialCount`). */
  partialAt(i: number): PartialMatch {
    return i === 0 ? (this.oldest() as PartialMatch) : this.rest[i - 1];
  }

  /** The partial matches, oldest first, as a new list (for the paths that are not per event). */
  partials(): PartialMatch[] {
    const oldest = this.oldest();
    return oldest === null ? [] : [oldest, ...this.rest];
  }

  /** Replaces the partial matches with `list` (ordered by first event); `list` is not kept. */
  setPartials(list: readonly PartialMatch[]): void {
    this.setOldest(list.length === 0 ? null : list[0]);
    this.rest = list.length <= 1 ? NO_PARTIALS : list.slice(1);
  }

  /** Drops the `count` oldest partial matches (`count` ≤ `partialCount`). */
  dropOldest(count: number): void {
    if (count === 0) return;
    const rest = this.rest;
    this.setOldest(count > rest.length ? null : rest[count - 1]);
    this.rest = count >= rest.length ? NO_PARTIALS : rest.slice(count);
  }
}
