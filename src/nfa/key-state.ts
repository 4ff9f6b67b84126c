/**
 * One key's matcher state (Flink `NFAState`): plain data behind the opaque `NfaState`, written and
 * read back by the matcher's `serializeState`/`deserializeState`.
 *
 * The oldest partial match sits in a field of its own (`head`), the others in a list (`rest`)
 * that exists only when a key has two or more. Most keys of a keyed stream wait on one partial
 * match, so they cost this object and their buffer nodes, and the per-event step follows one
 * pointer fewer than through a list (measured on `a -> b within 10s` over 100,000 keys, where the
 * list and its backing store were two of every pending key's five objects).
 */
import type { CompletedMatch } from './completed-match.js';
import type { BufferNode } from './shared-buffer.js';

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
/** `high` of "no deadline": past every safe integer time (2^53 ms is `high` 2^23). */
const NONE = 2 ** 30 - 1;

/** Shared empty lists of a key state: never mutated in place (every change assigns a new list). */
export const NO_PARTIALS = Object.freeze([]) as unknown as PartialMatch[];
export const NO_COMPLETED = Object.freeze([]) as unknown as CompletedMatch[];

export class KeyState {
  /** Sequence number of the key's next event. */
  n = 0;
  /**
   * Deadline of the oldest partial match (its start + `within`), kept here so that the per-event
   * clock check reads no partial match: `deadline` is `high * SPLIT + low` ms, `NONE`: none.
   */
  private high = NONE;
  private low = 0;
  /** The oldest partial match (earliest first event), or `null` when the key has none. */
  head: PartialMatch | null = null;
  /** The other partial matches, ordered by first event; owned by this state alone, or `NO_PARTIALS`. */
  rest: PartialMatch[] = NO_PARTIALS;
  /** Completed matches held back by the skip strategy, in emission order. */
  completed: CompletedMatch[] = NO_COMPLETED;

  /** Deadline of the oldest partial match, ms (`Infinity`: none). */
  get deadline(): number {
    return this.high === NONE ? Infinity : this.high * SPLIT + this.low;
  }

  set deadline(ms: number) {
    if (ms === Infinity) {
      this.high = NONE;
      this.low = 0;
    } else {
      const high = Math.floor(ms / SPLIT);
      const low = ms - high * SPLIT;
      this.high = high;
      // `| 0` makes V8 store a small integer; a fractional deadline (only a caller of the `Nfa`
      // API can pass fractional times) is stored as it is, exact but boxed.
      this.low = Number.isInteger(low) ? low | 0 : low;
    }
  }

  /** Whether the deadline is at or before `time` (ms), read from the two small integers only. */
  isDue(time: number): boolean {
    const high = Math.floor(time / SPLIT);
    return this.high < high || (this.high === high && this.low <= time - high * SPLIT);
  }

  /** Number of live partial matches. */
  get partialCount(): number {
    return this.head === null ? 0 : 1 + this.rest.length;
  }

  /** The `i`-th partial match, oldest first (`i` < `partialCount`). */
  partialAt(i: number): PartialMatch {
    return i === 0 ? (this.head as PartialMatch) : this.rest[i - 1];
  }

  /** The partial matches, oldest first, as a new list (for the paths that are not per event). */
  partials(): PartialMatch[] {
    return this.head === null ? [] : [this.head, ...this.rest];
  }

  /** Replaces the partial matches with `list` (ordered by first event); `list` is not kept. */
  setPartials(list: readonly PartialMatch[]): void {
    this.head = list.length === 0 ? null : list[0];
    this.rest = list.length <= 1 ? NO_PARTIALS : list.slice(1);
  }

  /** Drops the `count` oldest partial matches (`count` ≤ `partialCount`). */
  dropOldest(count: number): void {
    if (count === 0) return;
    const rest = this.rest;
    this.head = count > rest.length ? null : rest[count - 1];
    this.rest = count >= rest.length ? NO_PARTIALS : rest.slice(count);
  }
}
