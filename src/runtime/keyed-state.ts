/**
 * Per-key state of one rule: the NFA state of every key with something pending, in an LRU cache
 * bounded by `--max-keys`, and their deadlines in the timer queue that the rules of an operator
 * share (Flink `CepOperator` keeps the NFA state in keyed state and registers an event-time timer
 * per key; here the timer queue lets the watermark fire exactly the keys that have a deadline, and
 * no work is done for others).
 *
 * Keys with nothing pending hold no state: a key is dropped as soon as `nfa.isEmpty`, and its
 * state handed back to the NFA for reuse (`nfa.release`). Evicting a key that still has partial
 * matches loses them, like Flink's state TTL (no timeout alert): it is counted
 * (`evictedWithPending`) and reported, never silent, and the key's state is let go at once (its
 * stale timer entry keeps only the emptied slot).
 *
 * With `trackChanges` (exactly-once on Kafka), the keys whose state changed since the last
 * {@link KeyedState.takeChanges} are remembered, so that a checkpoint writes only those (Kafka
 * Streams' changelog: a record per changed key, a tombstone per cleared one).
 */
import { LRUCache } from 'lru-cache';
import type { CepEvent } from '../nfa/event.js';
import type { Match, Nfa, NfaState } from '../nfa/nfa.js';
import { fieldGetter, type FieldGetter } from './field-path.js';
import { TimeQueue } from './time-queue.js';

/** One key's entry. `deadline` is the time of its live timer entry (`Infinity`: none). */
export interface KeySlot {
  readonly key: unknown;
  /** The key's NFA state; `null` once the key is forgotten. */
  state: NfaState | null;
  deadline: number;
  partialMatches: number;
  live: boolean;
}

/** A deadline of one key of one rule, in the timer queue the rules of an operator share. */
export interface TimerEntry {
  readonly time: number;
  readonly seq: number;
  readonly slot: KeySlot;
  readonly owner: KeyedState;
}

/**
 * The timers of every rule of one operator: one queue, so that releasing up to a watermark looks
 * at one earliest deadline instead of every rule's. Entries whose key moved on or was forgotten
 * are stale and skipped; `live` counts the others, and stale ones are dropped at once when they
 * outnumber the live ones twice (evicted keys under `--max-keys`), so memory stays bounded.
 */
export class SharedTimers {
  readonly queue = new TimeQueue<TimerEntry>();
  live = 0;
  seq = 0;

  /** Time of the earliest entry, ms (`Infinity`: none). */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Fires the earliest entry (its time must be due): its rule advances that key's clock. */
  fireNext(): void {
    const entry = this.queue.pop();
    entry.owner.fire(entry);
  }

  push(entry: TimerEntry): void {
    this.queue.push(entry);
    if (this.queue.size > 2 * this.live + 4096) this.queue.retain((e) => e.slot.live && e.slot.deadline === e.time);
  }
}

/** Receives each match with the key value it belongs to (an array for several `key by` paths). */
export type MatchHandler = (nfa: Nfa, key: unknown, match: Match) => void;

/** Options of {@link KeyedState}. */
export interface KeyedStateOptions {
  /** Most keys holding state at once (LRU eviction past it), ≥ 1. */
  readonly maxKeys: number;
  readonly onMatch: MatchHandler;
  /** The timer queue of the operator's rules (one per operator). */
  readonly timers: SharedTimers;
  /** Remember the keys changed since the last `takeChanges` (checkpoints). Default false. */
  readonly trackChanges?: boolean;
}

/** One changed key of a checkpoint: its key value and serialised state, or `state: null` when it holds nothing now. */
export interface KeyChange {
  readonly key: unknown;
  readonly state: unknown;
}

export class KeyedState {
  /** Keys evicted by the LRU bound while they held partial matches. */
  evictedWithPending = 0;
  /** Partial matches lost by those evictions. */
  evictedPartialMatches = 0;
  /** Live partial matches over all keys of the rule. */
  partialMatches = 0;

  private readonly cache: LRUCache<string | number | boolean, KeySlot>;
  private readonly timers: SharedTimers;
  private readonly keyOf: (data: Readonly<Record<string, unknown>>) => unknown;
  private readonly relevant: ReadonlySet<string> | null;
  private readonly onMatch: MatchHandler;
  /** Keys changed since the last `takeChanges`, by map key (only with `trackChanges`). */
  private readonly changed: Map<string | number | boolean, unknown> | null;

  constructor(
    readonly nfa: Nfa,
    options: KeyedStateOptions,
  ) {
    if (!(Number.isInteger(options.maxKeys) && options.maxKeys >= 1)) throw new Error(`maxKeys must be an integer ≥ 1, got ${options.maxKeys}`);
    this.onMatch = options.onMatch;
    this.changed = options.trackChanges === true ? new Map() : null;
    this.timers = options.timers;
    this.relevant = nfa.relevantTypes;
    this.keyOf = keyExtractor(nfa.rule.keyBy.map(fieldGetter));
    // `maxSize` with a size of 1 per key bounds the count like `max` would, without allocating
    // `max`-sized arrays up front (1,000,000 keys by default: noticeable at start-up).
    this.cache = new LRUCache<string | number | boolean, KeySlot>({
      maxSize: options.maxKeys,
      sizeCalculation: () => 1,
      dispose: (slot, _key, reason) => this.forget(slot, reason === 'evict'),
    });
  }

  /** Keys holding state. */
  get keys(): number {
    return this.cache.size;
  }

  /**
   * Feeds one event (events must come in event-time order across calls): skipped when its type is
   * not relevant to the rule or its key is missing/null; otherwise the key's clock is advanced to
   * the event's time, then the event is processed, and the key is forgotten if nothing is pending.
   */
  feed(event: CepEvent): void {
    if (this.relevant !== null && !this.relevant.has(event.type)) return;
    const key = this.keyOf(event.data);
    if (key === undefined) return;
    const mapKey = mapKeyOf(key);
    const nfa = this.nfa;
    let slot = this.cache.get(mapKey);
    if (slot === undefined) {
      const state = nfa.initialState();
      this.emit(key, nfa.process(state, event));
      if (nfa.isEmpty(state)) {
        nfa.release(state);
        return;
      }
      slot = { key, state, deadline: Infinity, partialMatches: 0, live: true };
      this.cache.set(mapKey, slot);
    } else {
      const state = slot.state as NfaState;
      this.emit(key, nfa.advanceTime(state, event.time));
      this.emit(key, nfa.process(state, event));
      if (nfa.isEmpty(state)) {
        this.cache.delete(mapKey);
        return;
      }
    }
    this.changed?.set(mapKey, key);
    this.update(slot);
  }

  /**
   * The keys changed since the last call, each with its state serialised by `nfa.serializeState`
   * (`null`: the key holds nothing now), and forgets them. Only with `trackChanges`.
   */
  takeChanges(): KeyChange[] {
    const changed = this.changed;
    if (changed === null || changed.size === 0) return [];
    const out: KeyChange[] = [];
    for (const [mapKey, key] of changed) {
      const slot = this.cache.peek(mapKey);
      out.push({ key, state: slot === undefined || slot.state === null ? null : this.nfa.serializeState(slot.state) });
    }
    changed.clear();
    return out;
  }

  /**
   * Restores a key from a checkpoint (`state` as written by `takeChanges`); its deadline is
   * scheduled again. @throws Error when `state` was not written by this rule's `serializeState`.
   */
  restore(key: unknown, serialized: unknown): void {
    const state = this.nfa.deserializeState(serialized);
    if (this.nfa.isEmpty(state)) return;
    const slot: KeySlot = { key, state, deadline: Infinity, partialMatches: 0, live: true };
    this.cache.set(mapKeyOf(key), slot);
    this.update(slot);
  }

  /**
   * Fires a due timer entry of this rule (from {@link SharedTimers.fireNext}): advances that key's
   * clock to the deadline (timeouts and completed absences come out as matches) and reschedules it.
   */
  fire({ time, slot }: TimerEntry): void {
    if (!slot.live || slot.deadline !== time) return; // stale entry: the key moved on
    slot.deadline = Infinity;
    this.timers.live--;
    const state = slot.state as NfaState;
    const mapKey = mapKeyOf(slot.key);
    this.changed?.set(mapKey, slot.key);
    this.emit(slot.key, this.nfa.advanceTime(state, time));
    if (this.nfa.isEmpty(state)) {
      this.cache.delete(mapKey);
      return;
    }
    const next = this.nfa.nextDeadline(state);
    // A deadline that does not move past `time` would loop; the state keeps it for the next event.
    if (next > time) this.update(slot);
    else this.countPartials(slot);
  }

  private update(slot: KeySlot): void {
    this.countPartials(slot);
    const deadline = this.nfa.nextDeadline(slot.state as NfaState);
    if (deadline !== slot.deadline) {
      if (slot.deadline !== Infinity) this.timers.live--;
      slot.deadline = deadline;
      if (deadline !== Infinity) {
        this.timers.live++;
        this.timers.push({ time: deadline, seq: this.timers.seq++, slot, owner: this });
      }
    }
  }

  private countPartials(slot: KeySlot): void {
    const n = this.nfa.partialMatchCount(slot.state as NfaState);
    this.partialMatches += n - slot.partialMatches;
    slot.partialMatches = n;
  }

  private emit(key: unknown, matches: readonly Match[]): void {
    for (let i = 0; i < matches.length; i++) this.onMatch(this.nfa, key, matches[i]);
  }

  /** The cache's `dispose`: the key is deleted (nothing pending) or evicted; an empty state is recycled. */
  private forget(slot: KeySlot, evicted: boolean): void {
    slot.live = false;
    if (slot.deadline !== Infinity) {
      this.timers.live--;
      slot.deadline = Infinity;
    }
    if (slot.state !== null) this.nfa.release(slot.state);
    // A stale timer entry may still point to the slot until its deadline: it keeps no state.
    slot.state = null;
    this.changed?.set(mapKeyOf(slot.key), slot.key);
    if (evicted && slot.partialMatches > 0) {
      this.evictedWithPending++;
      this.evictedPartialMatches += slot.partialMatches;
    }
    this.partialMatches -= slot.partialMatches;
    slot.partialMatches = 0;
  }
}

export function mapKeyOf(key: unknown): string | number | boolean {
  return typeof key === 'object' ? JSON.stringify(key) : (key as string | number | boolean);
}

/**
 * The key of an event (exported for the engine's key-alignment check): the value at the single `key by` path, or the array of values for several;
 * `undefined` when a value is missing, null, or not a string, number or boolean (DSL.md section 1).
 */
export function keyExtractor(getters: readonly FieldGetter[]): (data: Readonly<Record<string, unknown>>) => unknown {
  if (getters.length === 1) {
    const get = getters[0];
    return (data) => {
      const v = get(data);
      return isKeyValue(v) ? v : undefined;
    };
  }
  return (data) => {
    const key: unknown[] = new Array(getters.length);
    for (let i = 0; i < getters.length; i++) {
      const v = getters[i](data);
      if (!isKeyValue(v)) return undefined;
      key[i] = v;
    }
    return key;
  };
}

function isKeyValue(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || (t === 'number' && Number.isFinite(v)) || t === 'boolean';
}
