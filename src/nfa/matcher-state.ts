/**
 * One key's matcher state (Flink `NFAState`): plain data, an `NfaState` (whose holder fields it
 * leaves alone), written and read back by the matcher's `serializeState`/`deserializeState`.
 *
 * The oldest partial match is kept apart from the others (`rest`, a list that exists only when a
 * key has two or more), and when it holds a single event, the usual case of a key waiting for the
 * rest of its pattern, that event's buffer node and the event itself are kept unboxed in this
 * object's own fields: its data, its sequence number, and its time as two small integers, one of
 * them packed with the number of the head's shape (alias, automaton state and event type, shared
 * by many keys: `head-shape.ts`). A pending key then costs one object besides the event's data,
 * of five fields (and the holder's three). Partial matches live for about the `within` window, long
 * enough for V8's young-generation collector to copy every one of them, so the number of objects per
 * pending key sets most of the garbage collector's work (bench/README.md, matcher: the list, its
 * backing store, the node and the deadline's heap number were four of five).
 */
import type { CompletedMatch } from './completed-match.js';
import type { CepEvent } from './event.js';
import { NfaState } from './nfa.js';
import { BufferNode } from './shared-buffer.js';
import { SHAPE_LIMIT, shapeAt, shapeOf } from './head-shape.js';

/**
 * A live partial match (Flink `ComputationState`) is the newest node of its events in the shared
 * buffer: the node carries the automaton state and a pointer to the chain's first node, which
 * gives the start time and sequence number (see `BufferNode`). Immutable: unchanged ones are
 * shared between steps.
 */
export type PartialMatch = BufferNode;

/**
 * A time is kept as two small integers, `high * SPLIT + low`: V8 stores a small integer inside the
 * object, while a number field holding a timestamp (epoch ms is past the small-integer range)
 * points to a separate heap number, one more object per pending key and one more cache miss in
 * the per-event clock check of every key. `high` shares its field with the head's shape
 * (`tag = high * SHAPE_LIMIT + shape`, a small integer for every time before the year 3000).
 */
const SPLIT = 2 ** 30;
/** 1 / SPLIT, exact (a power of two): a multiplication where a division would be slower. */
const PER_SPLIT = 2 ** -30;
/** 1 / SHAPE_LIMIT, exact. */
const PER_SHAPE = 1 / SHAPE_LIMIT;
/** The shape's bits of `tag` (its low 16 bits: `&` takes them from any integer `tag`, negative or past 2^31). */
const SHAPE_MASK = SHAPE_LIMIT - 1;

/** The node last boxed by `oldest` and its shape, so that setting it back as the oldest finds its shape without a lookup. */
let boxed: BufferNode | null = null;
let boxedShape = 0;

/** Shared empty lists of a key state: never mutated in place (every change assigns a new list). */
export const NO_PARTIALS = Object.freeze([]) as unknown as PartialMatch[];
/** The shared empty list of matches held back (see {@link NO_PARTIALS}). */
export const NO_COMPLETED = Object.freeze([]) as unknown as CompletedMatch[];

/**
 * The lists of a key state that the usual pending key does not need (one partial match, nothing
 * held back): apart, so that such a key's state has no field for them, and with them the unboxed
 * head's sequence number, whose field in the state they then take.
 */
class Spill {
  constructor(
    public rest: PartialMatch[],
    public completed: CompletedMatch[],
    public headSeq: number,
  ) {}
}

/** One key's state of one rule's matcher: the fields described at the top of this file; see `matcher.ts` for how each step changes them. */
export class MatcherState extends NfaState {
  // The fields that every event reads (the clock check, then the oldest partial match) come first,
  // so that they tend to share the object's first cache line.
  /** Sequence number of the key's next event. */
  nextSeq = 0;
  /**
   * Time of the oldest partial match's first event, `high * SPLIT + low` ms, with `high` packed
   * with the oldest partial match's head shape: `tag = high * SHAPE_LIMIT + shape` (`shape` 0:
   * the partial match is kept as its node). Both 0 without a partial match. The key's deadline is
   * this time plus the rule's `within`, so the per-event clock check reads no partial match. It is
   * also the time of an unboxed oldest partial match's event.
   */
  private tag = 0;
  private low = 0;
  /**
   * The oldest partial match (earliest first event). When it holds a single event (and its shape
   * has a number, `head-shape.ts`): that event's data, its type, alias and automaton state being
   * the shape's, its time the start time above and its sequence number `headSeq`, so that neither
   * a node nor the event object is kept. Otherwise the partial match (`null`: none): one field for
   * two uses, one pointer less per pending key.
   */
  private head: Readonly<Record<string, unknown>> | PartialMatch | null = null;
  /**
   * The unboxed head's sequence number or, when the key has other partial matches or held-back
   * matches, the `Spill` that holds them and that number: one field for two uses.
   */
  private seqOrSpill: number | Spill = 0;

  /** Sequence number of an unboxed oldest partial match's event. */
  private get headSeq(): number {
    const s = this.seqOrSpill;
    return typeof s === 'number' ? s : s.headSeq;
  }

  private set headSeq(seq: number) {
    const s = this.seqOrSpill;
    if (typeof s === 'number') this.seqOrSpill = seq;
    else s.headSeq = seq;
  }

  /** The other partial matches, ordered by first event; owned by this state alone, or `NO_PARTIALS`. */
  get rest(): PartialMatch[] {
    const s = this.seqOrSpill;
    return typeof s === 'number' ? NO_PARTIALS : s.rest;
  }

  set rest(list: PartialMatch[]) {
    this.setSpill(list, this.completed);
  }

  /** Completed matches held back by the skip strategy, in emission order (`NO_COMPLETED`: none). */
  get completed(): CompletedMatch[] {
    const s = this.seqOrSpill;
    return typeof s === 'number' ? NO_COMPLETED : s.completed;
  }

  set completed(list: CompletedMatch[]) {
    this.setSpill(this.rest, list);
  }

  /** Keeps the two lists in the `Spill`, made when one is non-empty and dropped when both are empty. */
  private setSpill(rest: PartialMatch[], completed: CompletedMatch[]): void {
    const s = this.seqOrSpill;
    if (rest.length === 0 && completed.length === 0) {
      if (typeof s !== 'number') this.seqOrSpill = s.headSeq;
    } else if (typeof s === 'number') {
      this.seqOrSpill = new Spill(rest, completed, s);
    } else {
      s.rest = rest;
      s.completed = completed;
    }
  }

  /** Time of the oldest partial match's first event, ms (`Infinity`: no partial match). */
  get oldestStartTime(): number {
    return this.head === null ? Infinity : Math.floor(this.tag * PER_SHAPE) * SPLIT + this.low;
  }

  /** Sets the start time `ms` (finite) and the head shape `shape` (0: boxed). */
  private setStartTime(ms: number, shape: number): void {
    const high = Math.floor(ms * PER_SPLIT);
    const low = ms - high * SPLIT;
    const tag = high * SHAPE_LIMIT + shape;
    // `| 0` makes V8 store a small integer; a time past the year 3000 (a tag past 2^31) or a
    // fractional one (only a caller of the `Nfa` API can pass fractional times) is stored as it
    // is, exact but boxed.
    this.tag = tag === (tag | 0) ? tag | 0 : tag;
    this.low = Number.isInteger(low) ? low | 0 : low;
  }

  /**
   * Makes this state as `new MatcherState()` is, for reuse by another key once its key is forgotten;
   * `nextSeq` is −1 until it is handed out again (`released`).
   */
  reset(): void {
    this.nextSeq = -1;
    this.clear();
  }

  /** Drops every partial match and held-back match (nothing emitted); `nextSeq` stays. */
  clear(): void {
    this.setOldest(null);
    this.rest = NO_PARTIALS;
    this.completed = NO_COMPLETED;
  }

  /** Whether the state was `reset` and not handed out since. */
  get released(): boolean {
    return this.nextSeq < 0;
  }

  /**
   * Whether the deadline, the oldest partial match's start + `within` (ms), is at or before `time`:
   * always at `time` +∞, never without a partial match at a finite `time`.
   */
  isDue(time: number, within: number): boolean {
    return this.oldestStartTime + within <= time;
  }

  /** Whether the key has a live partial match. */
  get hasPartials(): boolean {
    return this.head !== null;
  }

  /** Number of live partial matches. */
  get partialCount(): number {
    return this.hasPartials ? 1 + this.rest.length : 0;
  }

  /**
   * The oldest partial match, or `null` when none. An unboxed one is boxed into a new node and
   * event on each call: content-equal, not the same objects (nothing compares partial matches or
   * events by identity).
   */
  oldest(): PartialMatch | null {
    const id = this.tag & SHAPE_MASK;
    if (id === 0) return this.head as PartialMatch | null;
    const shape = shapeAt(id);
    const event: CepEvent = { type: shape.type, time: this.oldestStartTime, data: this.head as Readonly<Record<string, unknown>> };
    const node = new BufferNode(shape.alias, event, this.headSeq, null, shape.state);
    boxed = node;
    boxedShape = id;
    return node;
  }

  /** Makes `pm` the oldest partial match (`null`: none), unboxed when it holds a single event. */
  setOldest(pm: PartialMatch | null): void {
    if (pm === null) {
      this.head = null;
      this.tag = 0;
      this.low = 0;
      return;
    }
    if (pm.prev === null) {
      const event = pm.event;
      const shape = pm === boxed ? boxedShape : shapeOf(pm.alias, pm.state, event.type);
      if (shape !== 0) {
        this.unboxed(shape, event, pm.seq);
        return;
      }
    }
    this.head = pm;
    this.setStartTime(pm.startTime, 0);
  }

  /**
   * Makes the single event `event` (bound to `alias`, per-key sequence number `seq`, partial match
   * in automaton state `state`) the oldest partial match, unboxed: the same as `setOldest` with
   * its node, without building one.
   */
  startWith(alias: string, event: CepEvent, seq: number, state: number): void {
    const shape = shapeOf(alias, state, event.type);
    if (shape === 0) this.setOldest(new BufferNode(alias, event, seq, null, state));
    else this.unboxed(shape, event, seq);
  }

  private unboxed(shape: number, event: CepEvent, seq: number): void {
    this.head = event.data;
    this.headSeq = seq;
    this.setStartTime(event.time, shape);
  }

  /**
   * The data of one event the state holds (the oldest partial match's newest, else the first
   * held-back match's last), or `undefined` when it holds none.
   */
  heldData(): Readonly<Record<string, unknown>> | undefined {
    const head = this.head;
    if (head !== null) return (this.tag & SHAPE_MASK) !== 0 ? (head as Readonly<Record<string, unknown>>) : (head as PartialMatch).event.data;
    const completed = this.completed;
    return completed.length > 0 ? completed[0].node.event.data : undefined;
  }

  /** Automaton state of the oldest partial match (there must be one), without making an unboxed one a node. */
  get oldestState(): number {
    const id = this.tag & SHAPE_MASK;
    return id === 0 ? (this.head as PartialMatch).state : shapeAt(id).state;
  }

  /** Per-key sequence number of the oldest partial match's first event (−1: no partial match). */
  get oldestStartSeq(): number {
    const head = this.head;
    return head === null ? -1 : (this.tag & SHAPE_MASK) !== 0 ? this.headSeq : (head as PartialMatch).startSeq;
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
