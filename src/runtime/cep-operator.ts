/**
 * The event-time state of one input partition, and what is done with it (Flink `CepOperator`;
 * Kafka Streams' stream task): the watermark over the partition's inputs, the reorder buffer of
 * events waiting for it, and every rule's keyed NFA state with its timers. File replay runs one
 * operator over all its inputs; Kafka runs one per task (partition number p of every input topic).
 *
 * Per event (DSL.md section 5):
 *  1. Late check: an event whose time is not after the watermark is late (`offer` returns false).
 *  2. Otherwise it waits in the reorder buffer (by time, ties in arrival order) and its input's
 *     clock observes its time: watermark = min over inputs of (largest time − max delay − 1 ms),
 *     idle inputs left out, finished inputs +∞.
 *  3. When the watermark advances, everything at or before it is fed in time order: the
 *     earliest buffered event or the earliest key timer (a deadline first on a tie).
 *     - A fed event goes to each rule that reads its type, to the state of its key (one map per
 *       `key by`, shared by its rules): the rule's NFA clock for the key is advanced to the
 *       event's time (timeouts, completed absences), then the event is processed.
 *     - A due timer advances the clocks of its key's rules whose deadline is due; keys without a
 *       deadline are never touched.
 *  4. Matches go to the listener as they come out; so does each fed event, after its matches.
 *  5. When the watermark becomes +∞ (every input finished), every key's clock goes to +∞ after the
 *     last event and deadline: the partial matches of rules without `within`, which have no timer,
 *     end too (DSL.md sections 5 and 8).
 *
 * A checkpoint (`checkpoint`) is the partition's clock and reorder buffer (`OperatorMeta`) plus
 * the keys changed since the previous one; `restore` rebuilds an operator from the last of each.
 */
import type { CepEvent } from '../nfa/event.js';
import type { Match, Nfa } from '../nfa/nfa.js';
import { KeyedState, MAX_PLAIN_KEY_CHARS, SharedKeyedState, SharedTimers, type KeyChange } from './keyed-state.js';
import { ruleFingerprint } from './rule-fingerprint.js';
import { TimeQueue } from './time-queue.js';
import { WatermarkTracker } from './watermark.js';

/**
 * An event as the operator feeds it to the NFA: one object per event on the hot path, and the one
 * a partial match keeps, so it holds nothing else (its arrival order and `done` stay in the reorder
 * buffer's columns).
 */
export class OperatorEvent implements CepEvent {
  constructor(
    readonly type: string,
    readonly time: number,
    readonly data: Readonly<Record<string, unknown>>,
  ) {}
}

/** What the source asked to be called once an event's effects are done (`undefined`: nothing). */
type Done = (() => void) | undefined;

/** Receives what an operator produces. */
export interface OperatorListener {
  /** A match of rule `nfa` for key `key` (an array for several `key by` paths). */
  match(nfa: Nfa, key: unknown, match: Match): void;
  /** An event was fed to every rule (`done`: its source's callback); the matches it caused were passed to `match` before. */
  fed(done: (() => void) | undefined): void;
}

/** Options of {@link CepOperator}, checked at construction. */
export interface OperatorOptions {
  /** Allowed out-of-orderness, ms ≥ 0. */
  readonly maxDelay: number;
  /** Inputs silent this long (processing time, ms) leave the watermark. Default: never. */
  readonly idle?: number;
  /** Most keys holding state per distinct `key by` (LRU eviction past it). */
  readonly maxKeys: number;
  /** Keep the changed keys for `checkpoint`. Default false. */
  readonly checkpoints?: boolean;
}

/**
 * The partition-wide part of a checkpoint (JSON- and msgpack-compatible): each input's largest
 * event time (ms), the watermark advanced to so far, the reorder buffer's events
 * `[type, time, data]` in feeding order, and the fingerprint of each rule whose keys the
 * checkpoint holds (`ruleFingerprint`).
 */
export interface OperatorMeta {
  readonly version: 2;
  readonly clocks: [input: string, maxTime: number][];
  readonly released: number;
  readonly buffered: [type: string, time: number, data: Readonly<Record<string, unknown>>][];
  readonly rules: [name: string, fingerprint: string][];
}

/** One rule's changed keys in a checkpoint. */
export interface RuleChanges {
  readonly rule: string;
  readonly keys: KeyChange[];
}

/** Most event types whose rules are indexed (see `CepOperator.rulesFor`). */
const MAX_INDEXED_TYPES = 10_000;

/**
 * One input partition's event-time operator (see the file comment for the steps): `offer` each
 * event, `finish`/`end` an input, `checkpoint`/`restore` its state. Matches and fed events go to
 * the listener synchronously, inside these calls. Times in event-time ms.
 */
export class CepOperator {
  /** Each rule's part of the keyed state, in rule order (replaced by {@link replaceRules}). */
  rules: readonly KeyedState[];
  /** The keyed state of each distinct `key by` (by the JSON of its paths), shared by its rules. */
  private readonly shared = new Map<string, SharedKeyedState>();
  private readonly tracker: WatermarkTracker;
  /** The reorder buffer: events waiting for the watermark, by time, ties in arrival order. */
  private readonly buffer = new TimeQueue<OperatorEvent, Done>();
  /** Every key's deadlines, in one queue. */
  private readonly timers = new SharedTimers();
  /** Highest watermark advanced to so far, ms. */
  private reached = -Infinity;
  /**
   * The rules an event of each type can change (`Nfa.relevantTypes`), so that an event goes to no
   * rule it cannot touch. At most {@link MAX_INDEXED_TYPES} types: past that (types are data, an
   * attacker may send many), the rules of an event of a new type are found again for that event.
   */
  private readonly rulesByType = new Map<string, readonly KeyedState[]>();
  /** With `checkpoints`: tombstones of the keys of rules dropped by {@link replaceRules}, for the next checkpoint. */
  private dropped: RuleChanges[] = [];

  /** @throws Error on a bad option (see {@link WatermarkTracker}, {@link SharedKeyedState}). */
  constructor(
    nfas: readonly Nfa[],
    inputs: readonly string[],
    private readonly options: OperatorOptions,
    private readonly listener: OperatorListener,
  ) {
    this.tracker = new WatermarkTracker(inputs, { maxDelay: options.maxDelay, idleAfter: options.idle });
    this.rules = nfas.map((nfa) => this.keyedState(nfa));
  }

  /** A new rule's (empty) part of the keyed state, in the shared keyed state of its `key by`. */
  private keyedState(nfa: Nfa): KeyedState {
    const keyBy = JSON.stringify(nfa.rule.keyBy);
    let shared = this.shared.get(keyBy);
    if (shared === undefined) {
      const onMatch = (rule: Nfa, key: unknown, match: Match): void => this.listener.match(rule, key, match);
      shared = new SharedKeyedState({ keyBy: nfa.rule.keyBy, maxKeys: this.options.maxKeys, onMatch, timers: this.timers });
      this.shared.set(keyBy, shared);
    }
    return new KeyedState(nfa, shared, { trackChanges: this.options.checkpoints });
  }

  /**
   * Hot reload: the rules become `nfas`. A rule whose `Nfa` object runs here already keeps its
   * keyed state (partial matches, timers); any other starts empty. The states of rules left out are
   * dropped with their timers, and returned (for their counters). Watermark and reorder buffer stay.
   */
  replaceRules(nfas: readonly Nfa[]): KeyedState[] {
    const running = new Map(this.rules.map((state) => [state.nfa, state]));
    this.rules = nfas.map((nfa) => running.get(nfa) ?? this.keyedState(nfa));
    for (const state of this.rules) running.delete(state.nfa);
    const dropped = [...running.values()];
    this.rulesByType.clear();
    for (const state of dropped) {
      state.shared.dropRule(state);
      // Every key the state topic may hold for the rule (changed since the last checkpoint, or dropped now) gets a tombstone.
      const keys = state.takeChanges();
      if (keys.length > 0) this.dropped.push({ rule: state.nfa.rule.name, keys });
    }
    return dropped;
  }

  /** The watermark, ms (−∞ before every input has an event, +∞ once all finished). */
  get watermark(): number {
    return this.tracker.watermark;
  }

  /** Events waiting for the watermark. */
  get buffered(): number {
    return this.buffer.size;
  }

  /** Registers an input (a partition assigned later): the watermark waits for it. */
  addInput(input: string): void {
    this.tracker.addInput(input);
  }

  /** Notes that `input` produced something that is not an event (a bad record): it is not idle. */
  touch(input: string): void {
    this.tracker.touch(input);
  }

  /**
   * Steps 1–3 for one event of `input` at `time` (ms). Returns false, doing nothing else, when the
   * event is late.
   */
  offer(input: string, type: string, time: number, data: Readonly<Record<string, unknown>>, done: (() => void) | undefined): boolean {
    if (time <= this.tracker.watermark) {
      this.tracker.touch(input);
      return false;
    }
    this.buffer.push(time, new OperatorEvent(type, time, data), done);
    const watermark = this.tracker.observe(input, time);
    if (watermark > this.reached) this.advanceTo(watermark);
    return true;
  }

  /** Marks `input` as ended (its watermark becomes +∞) and feeds what that allows. */
  finish(input: string): void {
    const watermark = this.tracker.finish(input);
    if (watermark > this.reached) this.advanceTo(watermark);
  }

  /** Leaves idle inputs out of the watermark (`--idle`) and feeds what that allows. */
  checkIdle(): void {
    const watermark = this.tracker.recompute();
    if (watermark > this.reached) this.advanceTo(watermark);
  }

  /** End of a finite input: the watermark becomes +∞ and every pending deadline fires. */
  end(): void {
    this.advanceTo(Infinity);
  }

  /** Step 3: feeds buffered events and fires due timers at or before `watermark`, in time order. */
  private advanceTo(watermark: number): void {
    if (watermark > this.reached) this.reached = watermark;
    const timers = this.timers;
    for (;;) {
      const timerTime = timers.nextTime();
      const eventTime = this.buffer.peekTime();
      if (timerTime < Infinity && timerTime <= watermark && timerTime <= eventTime) {
        timers.fireNext();
      } else if (eventTime <= watermark && this.buffer.size > 0) {
        const { a: event, b: done } = this.buffer.pop();
        this.feed(event, done);
      } else {
        break;
      }
    }
    // At +∞ the keys of rules without `within` (no deadline, hence no timer) reach the end of time too.
    if (watermark === Infinity) for (const shared of this.shared.values()) shared.endOfTime();
  }

  private feed(event: OperatorEvent, done: Done): void {
    const rules = this.rulesFor(event.type);
    for (let i = 0; i < rules.length; i++) rules[i].feed(event);
    this.listener.fed(done);
  }

  private rulesFor(type: string): readonly KeyedState[] {
    // A type too long for V8 to hash by its text is not indexed (see `MAX_PLAIN_KEY_CHARS`): 150
    // types of 10 MB, all of one length, made each lookup compare with every indexed one.
    let rules = type.length <= MAX_PLAIN_KEY_CHARS ? this.rulesByType.get(type) : undefined;
    if (rules === undefined) {
      rules = this.rules.filter((r) => r.nfa.relevantTypes === null || r.nfa.relevantTypes.has(type));
      if (this.rulesByType.size < MAX_INDEXED_TYPES && type.length <= MAX_PLAIN_KEY_CHARS) this.rulesByType.set(type, rules);
    }
    return rules;
  }

  /**
   * A checkpoint: the partition's meta (small: clocks and the reorder buffer) and each rule's keys
   * changed since the previous checkpoint (rules without changes left out). Only with `checkpoints`.
   */
  checkpoint(): { meta: OperatorMeta; rules: RuleChanges[] } {
    // A rule dropped by a reload may come back changed under its name: its tombstones go first.
    const rules: RuleChanges[] = this.dropped;
    this.dropped = [];
    for (const state of this.rules) {
      const keys = state.takeChanges();
      if (keys.length > 0) rules.push({ rule: state.nfa.rule.name, keys });
    }
    return { meta: this.meta(), rules };
  }

  private meta(): OperatorMeta {
    const buffered = this.buffer.ordered().map(([, e]): OperatorMeta['buffered'][number] => [e.type, e.time, e.data]);
    const rules = this.rules.map((state): [string, string] => [state.nfa.rule.name, ruleFingerprint(state.nfa)]);
    return { version: 2, clocks: this.tracker.clocks(), released: this.reached, buffered, rules };
  }

  /**
   * Rebuilds the operator's state from a checkpoint: the meta and the keys (call on a new
   * operator). A key is restored into the rule of its name only when the meta gives that rule the
   * same fingerprint as the running one; the keys of a rule changed or removed since (while no
   * process ran) are left out and get tombstones in the next checkpoint, as a hot reload's dropped
   * rules do, so that a changed rule never reads the old automaton's state.
   * @throws Error when the meta or a key's state is malformed or from another format version.
   */
  restore(meta: OperatorMeta | null, keys: Iterable<{ rule: string; key: unknown; state: unknown }>): void {
    if (meta !== null && (meta.version !== 2 || !Array.isArray(meta.clocks) || !Array.isArray(meta.buffered) || !Array.isArray(meta.rules))) {
      throw new Error('restore: not a partition checkpoint of format version 2');
    }
    const checkpointed = new Map(meta?.rules ?? []);
    const byName = new Map(this.rules.filter((r) => checkpointed.get(r.nfa.rule.name) === ruleFingerprint(r.nfa)).map((r) => [r.nfa.rule.name, r]));
    const stale = new Map<string, KeyChange[]>();
    for (const { rule, key, state } of keys) {
      const keyed = byName.get(rule);
      if (keyed !== undefined) keyed.restore(key, state);
      else if (this.options.checkpoints === true) {
        let tombstones = stale.get(rule);
        if (tombstones === undefined) stale.set(rule, (tombstones = []));
        tombstones.push({ key, state: null });
      }
    }
    for (const [rule, tombstones] of stale) this.dropped.push({ rule, keys: tombstones });
    if (meta === null) return;
    for (const [input, maxTime] of meta.clocks) this.tracker.restoreClock(input, maxTime);
    this.reached = meta.released;
    for (const [type, time, data] of meta.buffered) this.buffer.push(time, new OperatorEvent(type, time, data), undefined);
  }
}
