/**
 * The keyed state of one operator (Flink keyed state, which `CepOperator` reads per key; Kafka
 * Streams' state store): for each distinct `key by` of the operator's rules, one map from key to
 * an entry that holds the NFA state of every rule with something pending for that key
 * ({@link SharedKeyedState}), and one timer queue over all of them ({@link SharedTimers}). A key
 * costs one map entry however many rules keep state for it, and a watermark fires exactly the
 * (key, rule) pairs that have a deadline: no step scans every rule or every key.
 *
 * The entry is the state of the key's first rule (`NfaState`'s holder fields), so that a key
 * waiting on one rule, the usual case, is one object. Keys with nothing pending hold no state: a
 * rule's state leaves the entry as soon as `nfa.isEmpty` (a further rule's state is handed back to
 * its NFA for reuse, `nfa.release`; the entry's own stays as its vacant part); an entry without any
 * rule's state leaves the map. The map is bounded by `--max-keys` (least recently used entry
 * evicted, through a list of slot numbers, `lru-list.ts`, built when the first eviction needs it:
 * an event's key moves to the front, a timer does not).
 * Evicting a key that still has partial matches loses them, like Flink's state TTL (no timeout
 * alert): each rule counts it (`evictedWithPending`), never silent, and the key's states are
 * emptied at once (`nfa.clear`: its stale timer entry keeps only the emptied entry).
 *
 * With `trackChanges` (exactly-once on Kafka), each rule remembers the keys whose state changed
 * since its last {@link KeyedState.takeChanges}, so that a checkpoint writes only those (Kafka
 * Streams' changelog: a record per changed key, a tombstone per cleared one).
 */
import { hash } from 'node:crypto';
import type { CepEvent } from '../nfa/event.js';
import type { Match, Nfa, NfaState } from '../nfa/nfa.js';
import { fieldGetter, type FieldGetter } from './field-path.js';
import { LruList } from './lru-list.js';
import { TimeQueue } from './time-queue.js';

/** A key as a `Map` key: the key value itself, or the JSON of a composite key (a long one hashed: {@link mapKeyOf}). */
type MapKey = string | number | boolean;

/**
 * One key's entry in a {@link SharedKeyedState}: the state of the key's first rule, whose holder
 * fields (`NfaState`) hold its use stamp or place in the LRU order (`lru`) and the rules
 * whose states it holds (`rules`): that rule alone (the usual case, so that a key waiting on one
 * rule costs one object), or, once the key has further rules' states, the list
 * `[own rule, rule, state, rule, state, ...]`, and `null` when it holds none. The key is not kept:
 * every state in the entry holds an event (an emptied one leaves it at once), whose data gives it
 * (`Nfa.heldData`, then the `key by` paths), which the paths without the event at hand (a timer,
 * an eviction) pay for with one lookup of the key's fields. The entry stays the
 * same object while its key is in the map (timer entries point to it): when its own rule's state
 * empties while others remain, it stays as a vacant entry (own rule `null`), and the next rule
 * that needs a state for the key takes it over when its NFA can (`Nfa.initialState(vacant)`). An
 * entry is never handed back for reuse: a stale timer entry still points to it.
 */
type KeyEntry = NfaState;

/** The rule whose state `entry` itself is (`null`: vacant). */
function ownerOf(entry: KeyEntry): KeyedState | null {
  const rules = entry.rules;
  return (Array.isArray(rules) ? rules[0] : rules) as KeyedState | null;
}

/** Makes `rule` the rule whose state `entry` itself is (`null`: vacant). */
function setOwner(entry: KeyEntry, rule: KeyedState | null): void {
  const rules = entry.rules;
  if (Array.isArray(rules)) rules[0] = rule;
  else entry.rules = rule;
}

/** `rule`'s state for the key of `entry`, or `undefined`. */
function stateOf(entry: KeyEntry, rule: KeyedState): NfaState | undefined {
  const rules = entry.rules;
  if (rules === rule) return entry;
  if (!Array.isArray(rules)) return undefined;
  if (rules[0] === rule) return entry;
  for (let i = 1; i < rules.length; i += 2) if (rules[i] === rule) return rules[i + 1] as NfaState;
  return undefined;
}

/** Adds `rule`'s state `state` (not the entry itself) to `entry`'s further states. */
function addMore(entry: KeyEntry, rule: KeyedState, state: NfaState): void {
  const rules = entry.rules;
  if (Array.isArray(rules)) rules.push(rule, state);
  else entry.rules = [rules, rule, state];
}

/** Removes `rule`'s state from `entry`'s further states (it must be there); the last pair takes the freed place. */
function removeMore(entry: KeyEntry, rule: KeyedState): void {
  const rules = entry.rules as unknown[];
  const i = rules.indexOf(rule, 1);
  const state = rules.pop();
  const last = rules.pop();
  if (i < rules.length) {
    rules[i] = last;
    rules[i + 1] = state;
  }
  if (rules.length === 1) entry.rules = rules[0];
}

/** Whether `entry` holds no rule's state. */
function isVacant(entry: KeyEntry): boolean {
  return entry.rules === null;
}

/** Whether `time` is still `rule`'s deadline for the key of `entry` (a timer entry that is not stale: the key moved on or was forgotten). */
function isLive(time: number, entry: KeyEntry, rule: KeyedState): boolean {
  const state = stateOf(entry, rule);
  return state !== undefined && rule.nfa.nextDeadline(state) === time;
}

/**
 * The timers of every key of one operator: one queue, so that releasing up to a watermark looks
 * at one earliest deadline. An entry whose key moved on (a new deadline) or was forgotten is
 * stale and skipped when due; `stale` counts them (the keyed states report each), and they are
 * swept at once when they make up half the queue (evicted keys under `--max-keys`), so memory
 * stays bounded.
 */
export class SharedTimers {
  private readonly queue = new TimeQueue<KeyEntry, KeyedState>();
  /** Stale entries in the queue (an estimate: a deadline that was never queued may be counted). */
  private stale = 0;

  /** Time of the earliest entry, ms (`Infinity`: none). */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Fires the earliest entry (its time must be due): its rule advances that key's clock. */
  fireNext(): void {
    const time = this.queue.peekTime();
    const { a: entry, b: rule } = this.queue.pop();
    if (!rule.shared.fire(entry, rule, time) && this.stale > 0) this.stale--;
  }

  /** A queued deadline no longer counts (its key moved on or was forgotten). */
  superseded(): void {
    this.stale++;
  }

  /** Queues the deadline `time` (ms) of `rule` for the key of `entry`. */
  push(entry: KeyEntry, rule: KeyedState, time: number): void {
    const queue = this.queue;
    queue.push(time, entry, rule);
    if (this.stale > 4096 && this.stale * 2 > queue.size) {
      queue.retain(isLive);
      this.stale = 0;
    }
  }
}

/** Receives each match with the key value it belongs to (an array for several `key by` paths). */
export type MatchHandler = (nfa: Nfa, key: unknown, match: Match) => void;

/** Options of {@link SharedKeyedState}. */
export interface SharedKeyedStateOptions {
  /** The `key by` paths, each split at dots. */
  readonly keyBy: readonly (readonly string[])[];
  /** Most keys holding state at once (least recently used evicted past it), ≥ 1. */
  readonly maxKeys: number;
  readonly onMatch: MatchHandler;
  /** The timer queue of the operator (one per operator). */
  readonly timers: SharedTimers;
}

/**
 * The keyed state of the rules of one `key by`: key → {@link KeyEntry}, bounded by `maxKeys`,
 * with a timer entry per rule that has a deadline for the key.
 */
export class SharedKeyedState {
  private readonly map = new Map<MapKey, KeyEntry>();
  /**
   * The LRU order, once kept (`null`: not yet). Until the map first grows past `maxKeys` no key is
   * evicted, so a used entry only records when (`lru` = the count of uses so far, `uses`), which
   * writes to that entry alone, where moving it in a list writes to its two neighbours, neither in
   * the cache. The list is built once from these stamps (a sort of the map's entries, O(n log n))
   * when the first eviction needs it, and kept from then on.
   */
  private lru: LruList<KeyEntry> | null = null;
  private uses = 0;
  private readonly keyOf: (data: Readonly<Record<string, unknown>>) => unknown;
  /** The key of the last event looked up (rules of this `key by` reading the same event share it). */
  private lastData: Readonly<Record<string, unknown>> | null = null;
  private lastKey: unknown = undefined;
  readonly timers: SharedTimers;
  private readonly maxKeys: number;
  private readonly onMatch: MatchHandler;

  /** @throws Error when `maxKeys` is not an integer ≥ 1. */
  constructor(options: SharedKeyedStateOptions) {
    if (!(Number.isInteger(options.maxKeys) && options.maxKeys >= 1)) throw new Error(`maxKeys must be an integer ≥ 1, got ${options.maxKeys}`);
    this.maxKeys = options.maxKeys;
    this.onMatch = options.onMatch;
    this.timers = options.timers;
    this.keyOf = keyExtractor(options.keyBy.map(fieldGetter));
  }

  /** Keys holding state (for any rule). */
  get size(): number {
    return this.map.size;
  }

  /**
   * Feeds one event to `rule` (events must come in event-time order across calls): skipped when
   * its key is missing/null; otherwise the key's clock is advanced to the event's time, then the
   * event is processed, and the rule's state for the key is dropped if nothing is pending.
   */
  feed(rule: KeyedState, event: CepEvent): void {
    let key: unknown;
    if (event.data === this.lastData) {
      key = this.lastKey;
    } else {
      key = this.keyOf(event.data);
      this.lastData = event.data;
      this.lastKey = key;
    }
    if (key === undefined) return;
    const mapKey = mapKeyOf(key);
    const nfa = rule.nfa;
    const entry = this.map.get(mapKey);
    const state = entry === undefined ? undefined : stateOf(entry, rule);
    if (state === undefined) {
      const vacant = entry !== undefined && ownerOf(entry) === null ? entry : undefined;
      const fresh = nfa.initialState(vacant);
      this.emit(nfa, key, nfa.process(fresh, event));
      if (nfa.isEmpty(fresh)) {
        if (fresh !== vacant) nfa.release(fresh);
        if (entry !== undefined) this.touch(entry);
        return;
      }
      rule.keys++;
      rule.partialMatches += nfa.partialMatchCount(fresh);
      rule.changed?.set(mapKey, key);
      let target: KeyEntry;
      if (entry === undefined) {
        target = this.insert(mapKey, rule, fresh);
      } else {
        target = entry;
        if (fresh === vacant) setOwner(target, rule);
        else addMore(target, rule, fresh);
        this.touch(target);
      }
      const deadline = nfa.nextDeadline(fresh);
      if (deadline !== Infinity) this.timers.push(target, rule, deadline);
      return;
    }
    const e = entry!;
    this.touch(e);
    const before = nfa.partialMatchCount(state);
    const deadline = nfa.nextDeadline(state);
    this.emit(nfa, key, nfa.advanceTime(state, event.time));
    this.emit(nfa, key, nfa.process(state, event));
    rule.changed?.set(mapKey, key);
    if (nfa.isEmpty(state)) {
      if (deadline !== Infinity) this.timers.superseded();
      rule.partialMatches -= before;
      rule.keys--;
      if (this.remove(e, rule, state)) this.delete(e, mapKey);
      return;
    }
    rule.partialMatches += nfa.partialMatchCount(state) - before;
    const next = nfa.nextDeadline(state);
    if (next !== deadline) {
      if (deadline !== Infinity) this.timers.superseded();
      if (next !== Infinity) this.timers.push(e, rule, next);
    }
  }

  /**
   * Takes `rule`'s emptied state `state` out of `entry`: the entry's own becomes vacant, a further
   * one is handed back to the NFA. Returns whether the entry holds nothing now: the caller then
   * takes it out of the map ({@link delete}).
   */
  private remove(entry: KeyEntry, rule: KeyedState, state: NfaState): boolean {
    if (state === entry) {
      setOwner(entry, null);
    } else {
      removeMore(entry, rule);
      rule.nfa.release(state);
    }
    return isVacant(entry);
  }

  /** The key of `entry`, from the data of an event one of its states holds. */
  private keyOfEntry(entry: KeyEntry): unknown {
    const owner = ownerOf(entry);
    let data = owner === null ? undefined : owner.nfa.heldData(entry);
    const rules = entry.rules;
    if (Array.isArray(rules)) for (let i = 1; data === undefined && i < rules.length; i += 2) data = (rules[i] as KeyedState).nfa.heldData(rules[i + 1] as NfaState);
    return this.keyOf(data as Readonly<Record<string, unknown>>);
  }

  /**
   * Fires a due deadline `time` (ms) of `rule` for the key of `entry` (from
   * {@link SharedTimers.fireNext}, which may pass stale ones: skipped, `false` returned): the rule
   * advances the key's clock to the deadline (timeouts and completed absences come out as
   * matches), and the key is scheduled again at the rule's next deadline.
   */
  fire(entry: KeyEntry, rule: KeyedState, time: number): boolean {
    const state = stateOf(entry, rule);
    const nfa = rule.nfa;
    if (state === undefined || nfa.nextDeadline(state) !== time) return false; // stale: the key moved on or was forgotten
    const before = nfa.partialMatchCount(state);
    // The key is read off an event the state holds before advancing (which may drop them all), and
    // only when something needs it: most deadlines drop a partial match and emit nothing, and the
    // event's data is one more object to read, cold.
    const data = nfa.heldData(state) as Readonly<Record<string, unknown>>;
    const matches = nfa.advanceTime(state, time);
    let key: unknown = undefined;
    if (matches.length > 0 || rule.changed !== null) {
      key = this.keyOf(data);
      rule.changed?.set(mapKeyOf(key), key);
      this.emit(nfa, key, matches);
    }
    if (nfa.isEmpty(state)) {
      rule.partialMatches -= before;
      rule.keys--;
      if (this.remove(entry, rule, state)) this.delete(entry, mapKeyOf(key === undefined ? this.keyOf(data) : key));
      return true;
    }
    rule.partialMatches += nfa.partialMatchCount(state) - before;
    const next = nfa.nextDeadline(state);
    // A deadline that does not move past `time` would loop; the state keeps it for the next event.
    if (next > time && next !== Infinity) this.timers.push(entry, rule, next);
    return true;
  }

  /**
   * Restores `rule`'s state of a key from a checkpoint (already deserialised, not empty); its
   * deadline is scheduled again. @throws Error when the state's events do not have that key.
   */
  restore(rule: KeyedState, key: unknown, state: NfaState): void {
    const mapKey = mapKeyOf(key);
    const data = rule.nfa.heldData(state);
    const held = data === undefined ? undefined : this.keyOf(data);
    if (held === undefined || mapKeyOf(held) !== mapKey) throw new Error(`restore: the state of key ${JSON.stringify(key)} holds events of key ${JSON.stringify(held)}`);
    let entry = this.map.get(mapKey);
    const old = entry === undefined ? undefined : stateOf(entry, rule);
    if (old !== undefined) {
      if (rule.nfa.nextDeadline(old) !== Infinity) this.timers.superseded();
      rule.partialMatches -= rule.nfa.partialMatchCount(old);
      rule.keys--;
      if (this.remove(entry!, rule, old)) this.delete(entry!, mapKey);
      entry = this.map.get(mapKey);
    }
    rule.keys++;
    rule.partialMatches += rule.nfa.partialMatchCount(state);
    let target = entry;
    if (target === undefined) {
      target = this.insert(mapKey, rule, state);
    } else {
      addMore(target, rule, state);
    }
    const deadline = rule.nfa.nextDeadline(state);
    if (deadline !== Infinity) this.timers.push(target, rule, deadline);
  }

  /** `rule`'s serialised state of the key `mapKey` (`null`: none). */
  serialized(rule: KeyedState, mapKey: MapKey): unknown {
    const entry = this.map.get(mapKey);
    const state = entry === undefined ? undefined : stateOf(entry, rule);
    return state === undefined ? null : rule.nfa.serializeState(state);
  }

  /**
   * Drops `rule`'s state from every key (a rule removed by a hot reload): nothing is emitted,
   * nothing counted as evicted; with `trackChanges` each dropped key counts as changed (a tombstone
   * at the next checkpoint).
   */
  dropRule(rule: KeyedState): void {
    for (const [mapKey, entry] of [...this.map]) {
      const state = stateOf(entry, rule);
      if (state === undefined) continue;
      if (rule.nfa.nextDeadline(state) !== Infinity) this.timers.superseded();
      rule.changed?.set(mapKey, this.keyOfEntry(entry));
      rule.nfa.clear(state);
      if (this.remove(entry, rule, state)) this.delete(entry, mapKey);
    }
    rule.keys = 0;
    rule.partialMatches = 0;
  }

  /**
   * The end of time (the watermark became +∞: every input finished), after every deadline fired:
   * each rule's clock for every key still holding its state goes to +∞, so that the partial matches
   * of rules without `within` (no deadline, no timer) end too, as `timeout` alerts with `on timeout
   * emit`, and the matches a skip strategy held back for them come out (Flink's NFA, without a
   * window, never ends them, and never emits those matches;
   * DSL.md sections 5 and 8). The states are then empty and leave the map.
   */
  endOfTime(): void {
    for (const [mapKey, entry] of [...this.map]) {
      const held: [KeyedState, NfaState][] = [];
      const owner = ownerOf(entry);
      if (owner !== null) held.push([owner, entry]);
      const rules = entry.rules;
      if (Array.isArray(rules)) for (let i = 1; i < rules.length; i += 2) held.push([rules[i] as KeyedState, rules[i + 1] as NfaState]);
      // The key is read off an event the states hold, before advancing drops them.
      const key = this.keyOfEntry(entry);
      for (const [rule, state] of held) {
        const nfa = rule.nfa;
        const before = nfa.partialMatchCount(state);
        this.emit(nfa, key, nfa.advanceTime(state, Infinity));
        rule.changed?.set(mapKey, key);
        if (nfa.isEmpty(state)) {
          rule.partialMatches -= before;
          rule.keys--;
          if (this.remove(entry, rule, state)) this.delete(entry, mapKey);
        } else {
          rule.partialMatches += nfa.partialMatchCount(state) - before;
        }
      }
    }
  }

  private emit(nfa: Nfa, key: unknown, matches: readonly Match[]): void {
    for (let i = 0; i < matches.length; i++) this.onMatch(nfa, key, matches[i]);
  }

  /**
   * Makes `rule`'s state `entry` the entry of a key not in the map, as the most recently used one,
   * evicting the least recently used past `maxKeys`.
   */
  private insert(mapKey: MapKey, rule: KeyedState, entry: NfaState): KeyEntry {
    entry.rules = rule;
    this.map.set(mapKey, entry);
    const lru = this.lru;
    if (lru !== null) {
      lru.add(entry);
    } else {
      entry.lru = ++this.uses;
    }
    if (this.map.size > this.maxKeys) this.evict((this.lru ?? this.list()).leastRecent() as KeyEntry);
    return entry;
  }

  /** Makes `entry` the most recently used. */
  private touch(entry: KeyEntry): void {
    const lru = this.lru;
    if (lru === null) entry.lru = ++this.uses;
    else lru.use(entry);
  }

  /**
   * Builds the LRU list from the entries' use stamps (least recently used first), for at most
   * `maxKeys` + 1 entries (an insert comes before its eviction), and keeps it from now on.
   */
  private list(): LruList<KeyEntry> {
    const entries = [...this.map.values()].sort((a, b) => (a.lru as number) - (b.lru as number));
    const lru = new LruList<KeyEntry>(this.maxKeys + 1);
    for (let i = 0; i < entries.length; i++) lru.add(entries[i]);
    this.lru = lru;
    return lru;
  }

  /** Removes an entry that holds no rule's state any more, of the key `mapKey` (its timer entries go stale). */
  private delete(entry: KeyEntry, mapKey: MapKey): void {
    this.map.delete(mapKey);
    if (this.lru !== null) this.lru.remove(entry);
  }

  /** Evicts a key at `maxKeys`: each rule's state is let go, its partial matches counted as lost. */
  private evict(entry: KeyEntry): void {
    const key = this.keyOfEntry(entry);
    const mapKey = mapKeyOf(key);
    const owner = ownerOf(entry);
    if (owner !== null) this.letGo(entry, mapKey, key, owner, entry);
    const rules = entry.rules;
    if (Array.isArray(rules)) for (let i = 1; i < rules.length; i += 2) this.letGo(entry, mapKey, key, rules[i] as KeyedState, rules[i + 1] as NfaState);
    entry.rules = null;
    // A stale timer entry may still point to the entry until its deadline: it keeps no state.
    this.delete(entry, mapKey);
  }

  /** Part of {@link evict}: `rule`'s state `state` of the key (`key`, as a map key `mapKey`), counted as lost and emptied. */
  private letGo(entry: KeyEntry, mapKey: MapKey, key: unknown, rule: KeyedState, state: NfaState): void {
    const n = rule.nfa.partialMatchCount(state);
    if (rule.nfa.nextDeadline(state) !== Infinity) this.timers.superseded();
    if (n > 0) {
      rule.evictedWithPending++;
      rule.evictedPartialMatches += n;
    }
    rule.partialMatches -= n;
    rule.keys--;
    rule.changed?.set(mapKey, key);
    rule.nfa.clear(state);
    if (state !== entry) rule.nfa.release(state);
  }
}

/** Options of {@link KeyedState}. */
export interface KeyedStateOptions {
  /** Remember the keys changed since the last `takeChanges` (checkpoints). Default false. */
  readonly trackChanges?: boolean;
}

/** One changed key of a checkpoint: its key value and serialised state, or `state: null` when it holds nothing now. */
export interface KeyChange {
  readonly key: unknown;
  readonly state: unknown;
}

/**
 * One rule's part of the keyed state: its states live in the {@link SharedKeyedState} of its
 * `key by`, its counters here.
 */
export class KeyedState {
  /** Keys evicted by the `maxKeys` bound while they held partial matches of this rule. */
  evictedWithPending = 0;
  /** Partial matches lost by those evictions. */
  evictedPartialMatches = 0;
  /** Live partial matches over all keys of the rule. */
  partialMatches = 0;
  /** Keys holding state of this rule. */
  keys = 0;
  /** Keys changed since the last `takeChanges`, by map key (only with `trackChanges`). */
  readonly changed: Map<MapKey, unknown> | null;

  constructor(
    readonly nfa: Nfa,
    readonly shared: SharedKeyedState,
    options: KeyedStateOptions = {},
  ) {
    this.changed = options.trackChanges === true ? new Map() : null;
  }

  /**
   * Feeds one event of a type relevant to the rule (`nfa.relevantTypes`: the operator offers an
   * event only to those rules; see {@link SharedKeyedState.feed}).
   */
  feed(event: CepEvent): void {
    this.shared.feed(this, event);
  }

  /**
   * The keys changed since the last call, each with its state serialised by `nfa.serializeState`
   * (`null`: the key holds nothing now), and forgets them. Only with `trackChanges`.
   */
  takeChanges(): KeyChange[] {
    const changed = this.changed;
    if (changed === null || changed.size === 0) return [];
    const out: KeyChange[] = [];
    for (const [mapKey, key] of changed) out.push({ key, state: this.shared.serialized(this, mapKey) });
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
    this.shared.restore(this, key, state);
  }
}

/**
 * Longest key text used as a `Map` key as it is. V8 hashes a string of more than 16,383
 * characters by its length alone (`String::kMaxHashCalcLength`), so distinct long keys of one
 * length all collide and each lookup compares with every one of them: 4,000 events with distinct
 * 17,000-character keys took 90 s instead of 0.6 s. A longer key text is replaced by its SHA-256.
 */
export const MAX_PLAIN_KEY_CHARS = 4096;

/**
 * A key as a `Map` key: a boolean as it is; a string, or the JSON of a composite key, as it is
 * unless longer than {@link MAX_PLAIN_KEY_CHARS} or starting with U+0000, which become U+0000 and
 * their SHA-256 in hex; a number as U+0000 and its text. Only this function makes a text starting
 * with U+0000, so no key can pose as another's.
 *
 * Numbers are not `Map` keys themselves: V8 hashes them without a seed (`ComputeUnseededHash`, an
 * invertible integer hash), so an attacker can pick keys that all fall in one bucket: 32,768 events
 * with such integer keys took 4.1 s instead of 0.11 s, quadratic in the keys. Strings are hashed
 * with the process's random seed.
 */
export function mapKeyOf(key: unknown): MapKey {
  if (typeof key === 'number') return `\u0000${key}`;
  const text = typeof key === 'object' ? JSON.stringify(key) : key;
  if (typeof text !== 'string' || (text.length <= MAX_PLAIN_KEY_CHARS && text.charCodeAt(0) !== 0)) return text as MapKey;
  return `\u0000${hash('sha256', text)}`;
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
