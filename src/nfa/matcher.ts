/**
 * The matcher: runs a compiled automaton over one key's events, the key's state passed in (Flink
 * `NFA` with `NFAState`, after Agrawal et al., "Efficient Pattern Matching over Event Streams",
 * SIGMOD 2008). A key's state is plain data (`MatcherState`): its live partial matches (each one its
 * newest shared-buffer node, which carries the automaton state and points to the first event's
 * node; the oldest kept unboxed while it holds one event), the matches held back by the
 * after-match skip strategy, the per-key event counter and the earliest deadline. The start state
 * is implicit, so a key with nothing pending has an empty state: the runtime may drop it and hand
 * it back for reuse (`release`).
 *
 * Per event (`process`), for every partial match and then for the start state (Flink
 * `computeNextStates`):
 *  1. follow `proceed` edges whose guard holds for the event, collecting the `take` and `ignore`
 *     edges whose guard holds (Flink `createDecisionGraph`);
 *  2. `ignore` keeps the partial match's events (never from the start state); `take` adds the event
 *     to the shared buffer; a `take` into a state that can `proceed` to the final state on this
 *     event also completes a match (Flink `findFinalStateAfterProceed`);
 *  3. a branch that reaches a stop state (a `not` saw its event) is discarded with every state it
 *     produced on this event; final states become completed matches;
 *  4. completed matches come out earliest first event first, then lexicographically earlier event
 *     sequence, each distinct match once; under a skip strategy a match waits until no live partial match started before it,
 *     then prunes partial and completed matches (Flink `processMatchesAccordingToSkipStrategy`);
 *  5. past `maxPartialMatches` the oldest partial matches are dropped and counted.
 */
import type { Automaton, StateKind } from './automaton.js';
import { type Predicate, acceptedTypes, sameCondition, toPredicate } from './edge-condition.js';
import type { CepEvent } from './event.js';
import type { Match, Nfa, NfaState, NfaStats } from './nfa.js';
import type { Bindings, Element, Rule, SkipStrategy } from './rule.js';
import { CompletedMatch } from './completed-match.js';
import { MatcherState, NO_COMPLETED, NO_PARTIALS, type PartialMatch } from './matcher-state.js';
import { BufferNode, NO_BINDINGS, type SerializedBuffer, deserializeBuffer, nodesOf, serializeBuffer } from './shared-buffer.js';

const TAKE = 0;
const IGNORE = 1;
const PROCEED = 2;

/** State kinds as small integers for the hot path. */
const FINAL = 1;
const STOP = 2;
const PENDING = 3;
const KIND_CODES: Record<StateKind, number> = { start: 0, normal: 0, final: FINAL, stop: STOP, pending: PENDING };

/** Automaton edges compiled for the hot path: parallel arrays per state. */
interface CompiledEdge {
  readonly action: number;
  readonly to: number;
  /** Alias of the source state: the element a `take` binds the event to. */
  readonly alias: string;
  readonly test: Predicate;
  /**
   * True for a relaxed `ignore` whose guard is `not` of the state's preceding `take` guard (Flink's
   * `ignore = !take`): its value is read off the take's instead of evaluating the condition twice.
   */
  readonly negatesTake: boolean;
}

/** Options checked by `compile`. */
export interface MatcherOptions {
  readonly maxPartialMatches: number;
}

/** Builds the `Nfa` of a rule from its automaton (called by `compile`). */
export function createMatcher(rule: Rule, automaton: Automaton, options: MatcherOptions): Nfa {
  return new Matcher(rule, automaton, options);
}

class Matcher implements Nfa {
  readonly stats: NfaStats = { conditionErrors: 0, droppedPartialMatches: 0 };
  readonly relevantTypes: ReadonlySet<string> | null;
  private readonly edges: CompiledEdge[][];
  private readonly kinds: Uint8Array;
  private readonly start: number;
  private readonly within: number;
  private readonly aliases: string[];
  /** Event types that can start a partial match (`null`: any): a short list, scanned faster than a set is hashed (`has`). */
  private readonly startTypes: readonly string[] | null;
  private readonly canProceed: boolean[];
  /** `rule.skip` is `noSkip` (read once: the hot path tests it per event). */
  private readonly noSkip: boolean;
  /** Whether the skip strategy's pruning event itself is discarded (past last event, to next) or kept (to first/last). */
  private readonly pruneInclusive: boolean;
  // Scratch space of one step, reused so that the hot path allocates only what it keeps.
  private readonly stack: number[] = [];
  private readonly visited: Int32Array;
  private epoch = 0;
  /** Top of `stack`. */
  private top = 0;
  private readonly found: CompiledEdge[] = [];
  private readonly done: CompletedMatch[] = [];
  private doneCount = 0;
  private readonly out: PartialMatch[] = [];
  private outCount = 0;
  /** The returned list of a single match (most calls that match): valid until the next call, as `Nfa` allows. */
  private readonly single: Match[] = [];
  /**
   * Released key states, handed out again last in, first out. A state allocated per pending
   * period of a key lives about `within`, long enough for V8's young-generation collector to copy
   * it; a recycled one sits in the old generation and was touched moments ago (bench/README.md,
   * matcher, item 5).
   */
  private readonly spare: MatcherState[] = [];

  constructor(readonly rule: Rule, readonly automaton: Automaton, private readonly options: MatcherOptions) {
    const actions = { take: TAKE, ignore: IGNORE, proceed: PROCEED };
    this.edges = automaton.states.map((s) => {
      let take: (typeof s.transitions)[number] | undefined; // the last take edge before t
      return s.transitions.map((t): CompiledEdge => {
        const negatesTake = t.action === 'ignore' && take !== undefined && t.condition.kind === 'not' && sameCondition(t.condition.operand, take.condition);
        if (t.action === 'take') take = t;
        return { action: actions[t.action], to: t.to, alias: s.name, test: toPredicate(t.condition, this.stats), negatesTake };
      });
    });
    this.canProceed = this.edges.map((edges) => edges.some((e) => e.action === PROCEED));
    this.kinds = Uint8Array.from(automaton.states, (s) => KIND_CODES[s.kind]);
    this.start = automaton.start;
    this.within = rule.within !== undefined && rule.within > 0 ? rule.within : Infinity;
    this.aliases = aliasesOf(rule.pattern.elements);
    this.visited = new Int32Array(automaton.states.length);
    this.relevantTypes = relevantTypesOf(rule);
    const startTypes = startTypesOf(automaton);
    this.startTypes = startTypes === null ? null : [...startTypes];
    this.noSkip = rule.skip.kind === 'noSkip';
    this.pruneInclusive = rule.skip.kind === 'skipPastLastEvent' || rule.skip.kind === 'skipToNext';
  }

  initialState(vacant?: NfaState): NfaState {
    if (vacant instanceof MatcherState) {
      vacant.reset();
      vacant.nextSeq = 0;
      return vacant;
    }
    const spare = this.spare.pop();
    if (spare === undefined) return new MatcherState();
    spare.nextSeq = 0;
    return spare;
  }

  release(s: NfaState): void {
    const state = s as MatcherState;
    if (state.released || !this.isEmpty(state) || this.spare.length >= SPARE_STATES) return;
    state.reset();
    this.spare.push(state);
  }

  clear(s: NfaState): void {
    (s as MatcherState).clear();
  }

  process(s: NfaState, event: CepEvent): readonly Match[] {
    const state = s as MatcherState;
    const seq = state.nextSeq++;
    const hadPartials = state.hasPartials;
    const startTypes = this.startTypes;
    const tryStart = startTypes === null || has(startTypes, event.type);
    if (!hadPartials && !tryStart) return NO_MATCHES;
    this.doneCount = 0;
    this.outCount = 0;
    if (hadPartials) {
      this.step(state.oldest() as PartialMatch, event, seq);
      const rest = state.rest;
      for (let i = 0; i < rest.length; i++) this.step(rest[i], event, seq);
    }
    if (tryStart) {
      const count = this.collectEdges(null, event);
      if (!hadPartials && state.completed.length === 0 && this.startsAlone(count)) {
        // The usual event of a key with nothing pending: it starts the key's only partial match,
        // which completes nothing, so it goes into the state as it is, with no node and no step.
        const edge = this.found[0];
        state.startWith(edge.alias, event, seq, edge.to);
        return NO_MATCHES;
      }
      this.follow(null, event, seq, count);
    }
    this.takeOut(state);
    const doneCount = this.doneCount;
    let matches: readonly Match[] = NO_MATCHES;
    if (this.noSkip) {
      if (doneCount > 0) matches = distinct(this.done.slice(0, doneCount));
    } else if (doneCount === 1 && state.completed.length === 0) {
      matches = this.emitOne(state, this.done[0]);
    } else if (doneCount > 0 || state.completed.length > 0) {
      // Changed partial matches may also let matches held back on earlier events be emitted.
      matches = this.emitBySkipStrategy(state, doneCount === 0 ? NO_COMPLETED : distinct(this.done.slice(0, doneCount)));
    }
    this.enforceLimit(state);
    return matches;
  }

  /**
   * Whether the `count` edges just collected from the start state are a single `take` into a state
   * that is neither final nor stop and has no `proceed` edge: the event then starts one partial
   * match, completes nothing and discards nothing.
   */
  private startsAlone(count: number): boolean {
    if (count !== 1) return false;
    const to = this.found[0].to;
    const kind = this.kinds[to];
    return kind !== FINAL && kind !== STOP && !this.canProceed[to];
  }

  /** One partial match against one event; appends survivors to `out`, completed matches to `done`. */
  private step(pm: PartialMatch, event: CepEvent, seq: number): void {
    this.follow(pm, event, seq, this.collectEdges(pm, event));
  }

  /**
   * Follows the `count` edges `collectEdges` found for `pm` (`null`: the start state): appends
   * survivors to `out`, completed matches to `done`.
   */
  private follow(pm: PartialMatch | null, event: CepEvent, seq: number, count: number): void {
    if (count === 0) return;
    const found = this.found;
    const kinds = this.kinds;
    const out = this.out;
    const before = this.outCount;
    let stopped = false;
    // The target's kind is read before anything is allocated: a final or stop target needs no partial match.
    for (let i = 0; i < count; i++) {
      const edge = found[i];
      const to = edge.to;
      const kind = kinds[to];
      if (edge.action === IGNORE) {
        // Never from the start state (`collectEdges` skips its ignore edges): `pm` is a partial match.
        const kept = pm as PartialMatch;
        if (kind === FINAL) this.complete(kept);
        else if (kind === STOP) stopped = true;
        else out[this.outCount++] = kept.withState(to);
      } else {
        const node = new BufferNode(edge.alias, event, seq, pm, to);
        if (this.canProceed[to] && this.proceedsToFinal(to, pm, event)) this.complete(node);
        if (kind === FINAL) this.complete(node);
        else if (kind === STOP) stopped = true;
        else out[this.outCount++] = node;
      }
    }
    // A stop state discards the whole branch; completed matches found on the way are kept (Flink).
    if (stopped) this.outCount = before;
  }

  /**
   * Makes the surviving partial matches of this step the key's. The oldest is set apart; the
   * others are written over the key's previous `rest` list when it has one: that list is owned by
   * the state alone, and reusing it spares an allocation per event.
   */
  private takeOut(state: MatcherState): void {
    const count = this.outCount;
    const out = this.out;
    state.setOldest(count === 0 ? null : out[0]);
    if (count <= 1) {
      state.rest = NO_PARTIALS;
      return;
    }
    const old = state.rest;
    const rest = old.length === 0 ? new Array<PartialMatch>(count - 1) : old;
    for (let i = 1; i < count; i++) rest[i - 1] = out[i];
    // Setting `length` is a runtime call in V8: only when the list shrinks.
    if (rest.length !== count - 1) rest.length = count - 1;
    state.rest = rest;
  }

  /** Records a completed match of this step ending at `node` (its `end` is that event's time). */
  private complete(node: BufferNode): void {
    this.done[this.doneCount++] = new CompletedMatch('match', node, node.event.time, this.aliases);
  }

  /**
   * Flink `createDecisionGraph`: the take/ignore edges reachable through proceed edges whose guards
   * hold, written to `found`; returns their number.
   */
  private collectEdges(pm: PartialMatch | null, event: CepEvent): number {
    const from = pm === null ? this.start : pm.state;
    // Most states have no proceed edge: their own edges are all there is to collect.
    if (!this.canProceed[from]) return this.collectOwn(this.edges[from], pm, event, 0);
    const stack = this.stack;
    const visited = this.visited;
    const epoch = ++this.epoch;
    let count = 0;
    this.top = 0;
    stack[this.top++] = from;
    visited[from] = epoch;
    while (this.top > 0) count = this.collectOwn(this.edges[stack[--this.top]], pm, event, count);
    return count;
  }

  /**
   * One state's part of `collectEdges`: appends its take and ignore edges whose guards hold to
   * `found` (from `count` on; returns the new count), and pushes the unvisited targets of its
   * proceed edges whose guards hold onto `stack`.
   */
  private collectOwn(edges: readonly CompiledEdge[], pm: PartialMatch | null, event: CepEvent, count: number): number {
    const found = this.found;
    // The partial match's newest node is its conditions' bindings (nothing bound at the start state).
    const bindings: Bindings = pm ?? NO_BINDINGS;
    let takeHeld = false; // the last take guard's value in this state
    for (let i = 0; i < edges.length; i++) {
      const edge = edges[i];
      const action = edge.action;
      // From the start state nothing is ignored, so its ignore guards need no evaluation.
      if (action === IGNORE && pm === null) continue;
      if (edge.negatesTake) {
        if (takeHeld) continue;
      } else {
        const holds = edge.test(event, bindings);
        if (action === TAKE) takeHeld = holds;
        if (!holds) continue;
      }
      if (action !== PROCEED) {
        found[count++] = edge;
      } else if (this.visited[edge.to] !== this.epoch) {
        // A proceed cycle (an all-optional looping group) is followed once.
        this.visited[edge.to] = this.epoch;
        this.stack[this.top++] = edge.to;
      }
    }
    return count;
  }

  /**
   * Flink `findFinalStateAfterProceed`: can `from` reach the final state through proceeds on this
   * event? Runs after `collectEdges` is done with the scratch `stack` and `visited`, and reuses them.
   */
  private proceedsToFinal(from: number, pm: PartialMatch | null, event: CepEvent): boolean {
    const bindings: Bindings = pm ?? NO_BINDINGS;
    const stack = this.stack;
    const visited = this.visited;
    const epoch = ++this.epoch;
    let top = 0;
    stack[top++] = from;
    visited[from] = epoch;
    while (top > 0) {
      const edges = this.edges[stack[--top]];
      for (let i = 0; i < edges.length; i++) {
        const edge = edges[i];
        if (edge.action !== PROCEED || visited[edge.to] === epoch || !edge.test(event, bindings)) continue;
        if (this.kinds[edge.to] === FINAL) return true;
        visited[edge.to] = epoch;
        stack[top++] = edge.to;
      }
    }
    return false;
  }

  advanceTime(s: NfaState, time: number): readonly Match[] {
    const state = s as MatcherState;
    if (!state.isDue(time, this.within) && state.completed.length === 0) return NO_MATCHES;
    const within = this.within;
    const count = state.partialCount;
    let timeouts: CompletedMatch[] | null = null;
    let pending: CompletedMatch[] | null = null;
    const rest = state.rest;
    // Partial matches are ordered by first event, so the timed-out ones are a prefix. The oldest is
    // read off the state's fields, and made a node only for a match: most time out silently.
    let cut = 0;
    for (; cut < count; cut++) {
      const startTime = cut === 0 ? state.oldestStartTime : rest[cut - 1].startTime;
      if (startTime + within > time) break;
      if (this.kinds[cut === 0 ? state.oldestState : rest[cut - 1].state] === PENDING) {
        // A trailing `-> not X` reached its deadline: the absence completes the match.
        (pending ??= []).push(new CompletedMatch('match', state.partialAt(cut), startTime + within, this.aliases));
      } else if (this.rule.onTimeout !== undefined) {
        const pm = state.partialAt(cut);
        (timeouts ??= []).push(new CompletedMatch('timeout', pm, pm.event.time, this.aliases));
      }
    }
    state.dropOldest(cut);
    // A timed-out partial match may let completed matches held back by the skip strategy be emitted.
    const matches = pending !== null || state.completed.length > 0 ? this.emitBySkipStrategy(state, pending ?? NO_COMPLETED) : NO_MATCHES;
    if (timeouts === null) return matches;
    const distinctTimeouts = distinct(timeouts);
    return matches.length === 0 ? distinctTimeouts : [...matches, ...distinctTimeouts];
  }

  isEmpty(s: NfaState): boolean {
    const state = s as MatcherState;
    return !state.hasPartials && state.completed.length === 0;
  }

  heldData(s: NfaState): Readonly<Record<string, unknown>> | undefined {
    return (s as MatcherState).heldData();
  }

  nextDeadline(s: NfaState): number {
    return (s as MatcherState).oldestStartTime + this.within;
  }

  partialMatchCount(s: NfaState): number {
    return (s as MatcherState).partialCount;
  }

  serializeState(s: NfaState): unknown {
    const state = s as MatcherState;
    const partials = state.partials();
    const roots = [...partials, ...state.completed.map((c) => c.node)];
    const { buffer, refs } = serializeBuffer(roots);
    const serialized: SerializedState = {
      version: 1,
      n: state.nextSeq,
      buffer,
      partials: partials.map((p, i) => [p.state, refs[i], p.startTime, p.startSeq]),
      completed: state.completed.map((c, i) => [refs[partials.length + i], c.start, c.startSeq, c.end]),
    };
    return serialized;
  }

  deserializeState(data: unknown): NfaState {
    const d = data as SerializedState;
    if (typeof d !== 'object' || d === null || d.version !== 1 || !Array.isArray(d.partials) || !Array.isArray(d.completed) || typeof d.n !== 'number') {
      throw new Error('deserializeState: not a state written by serializeState (version 1)');
    }
    const nodes = deserializeBuffer(d.buffer);
    const node = (ref: number): BufferNode | null => {
      if (ref < 0) return null;
      if (ref >= nodes.length) throw new Error('deserializeState: malformed shared buffer reference');
      return nodes[ref];
    };
    const partials = d.partials.map(([st, ref]): PartialMatch => {
      if (!(st >= 0 && st < this.kinds.length)) throw new Error(`deserializeState: unknown automaton state ${st} (state written by another rule?)`);
      const head = node(ref);
      if (head === null) throw new Error('deserializeState: a partial match without events');
      return head.withState(st);
    });
    const completed = d.completed.map(([ref, , , end]) => {
      const last = node(ref);
      if (last === null) throw new Error('deserializeState: a completed match without events');
      return new CompletedMatch('match', last, end, this.aliases);
    });
    const state = new MatcherState();
    state.nextSeq = d.n;
    state.setPartials(partials);
    state.completed = completed;
    return state;
  }

  /**
   * `emitBySkipStrategy` for the common case of one completed match and none held back, without
   * building the intermediate lists: emitted at once unless a live partial match started before it.
   * It applies the same two rules (hold back behind an earlier partial match, then `prune` at
   * `pruningSeq`) and stays apart because the general path's lists, one set per match, cost the
   * matcher bench more than 3% (bench/README.md, matcher).
   */
  private emitOne(state: MatcherState, match: CompletedMatch): readonly Match[] {
    if (!state.hasPartials) {
      this.single[0] = match;
      return this.single;
    }
    if (match.startSeq > state.oldestStartSeq) {
      state.completed = [match];
      return NO_MATCHES;
    }
    const seq = pruningSeq(this.rule.skip, match);
    if (seq >= 0) {
      const partials = state.partials();
      const kept = prune(partials, seq, this.pruneInclusive);
      if (kept !== partials) state.setPartials(kept);
    }
    this.single[0] = match;
    return this.single;
  }

  /**
   * Flink `processMatchesAccordingToSkipStrategy`: a completed match is emitted once no live partial
   * match started before it; each emitted match prunes partial and completed matches by the skip
   * strategy. Matches held back stay in `state.completed`.
   */
  private emitBySkipStrategy(state: MatcherState, potential: CompletedMatch[]): readonly Match[] {
    let completed = state.completed;
    if (potential.length > 0) {
      completed = completed.length === 0 ? potential : completed.concat(potential);
      if (completed.length > 1) completed.sort(compareMatches);
    }
    let partials = state.partials();
    let out: CompletedMatch[] | null = null;
    let next = 0;
    while (next < completed.length && (partials.length === 0 || completed[next].startSeq <= partials[0].startSeq)) {
      const match = completed[next++];
      (out ??= []).push(match);
      const seq = pruningSeq(this.rule.skip, match);
      if (seq >= 0) {
        partials = prune(partials, seq, this.pruneInclusive);
        completed = next === completed.length ? NO_COMPLETED : prune(completed.slice(next), seq, this.pruneInclusive);
        next = 0;
      }
    }
    if (next > 0) completed = completed.slice(next);
    state.setPartials(partials);
    state.completed = completed.length === 0 ? NO_COMPLETED : completed;
    return out ?? NO_MATCHES;
  }

  /** Past `maxPartialMatches`, drops the oldest partial matches (FLINK-33538: never run out of memory). */
  private enforceLimit(state: MatcherState): void {
    const excess = state.rest.length + 1 - this.options.maxPartialMatches;
    if (excess > 0) {
      state.dropOldest(excess);
      this.stats.droppedPartialMatches += excess;
    }
  }
}

const NO_MATCHES: readonly Match[] = Object.freeze([]);
/**
 * Most released key states kept for reuse (about 100 KB). Keys start and finish pending periods at
 * about the same rate, so a few hundred spares cover the swings (bench/README.md, matcher).
 */
const SPARE_STATES = 1024;

/** The serialised form of a key's state (JSON-compatible). */
interface SerializedState {
  readonly version: 1;
  /** The state's `nextSeq`. */
  readonly n: number;
  readonly buffer: SerializedBuffer;
  /** `[automaton state, node ref, startTime, startSeq]`. */
  readonly partials: [number, number, number, number][];
  /** `[node ref, startTime, startSeq, end]`. */
  readonly completed: [number, number, number, number][];
}

/**
 * The entries of `list` that pruning at event `seq` keeps (`list` itself when it keeps them all):
 * those that started after it (`inclusive`) or at or after it.
 */
function prune<T extends { readonly startSeq: number }>(list: T[], seq: number, inclusive: boolean): T[] {
  let kept: T[] | null = null;
  for (let i = 0; i < list.length; i++) {
    const startSeq = list[i].startSeq;
    const drop = inclusive ? startSeq <= seq : startSeq < seq;
    if (drop && kept === null) kept = list.slice(0, i);
    else if (!drop && kept !== null) kept.push(list[i]);
  }
  return kept ?? list;
}

/**
 * The matches completed by one step, in Flink's order (`compareMatches`), each distinct match once:
 * two paths of the automaton that bind the same events to the same aliases (a quantified group
 * whose iterations may end in more than one way) give one match, where Flink emits it once per
 * path (DSL.md section 8).
 */
function distinct(list: CompletedMatch[]): CompletedMatch[] {
  if (list.length < 2) return list;
  list.sort(compareMatches);
  let kept = 1;
  for (let i = 1; i < list.length; i++) {
    let repeated = false;
    for (let j = kept - 1; j >= 0 && compareMatches(list[j], list[i]) === 0; j--) {
      if (sameBindings(list[j].node, list[i].node)) {
        repeated = true;
        break;
      }
    }
    if (!repeated) list[kept++] = list[i];
  }
  list.length = kept;
  return list;
}

/** Whether two buffer chains hold the same events bound to the same aliases. */
function sameBindings(a: BufferNode | null, b: BufferNode | null): boolean {
  for (; a !== null && b !== null; a = a.prev, b = b.prev) if (a.seq !== b.seq || a.alias !== b.alias) return false;
  return a === b;
}

/** `list.includes(value)` for the few start types, inlined by V8 where the builtin is a call per event. */
function has(list: readonly string[], value: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}

/** Flink's order of matches: earlier first event first, then the lexicographically earlier event sequence. */
function compareMatches(a: CompletedMatch, b: CompletedMatch): number {
  if (a.startSeq !== b.startSeq) return a.startSeq - b.startSeq;
  const x = (a.seqs ??= nodesOf(a.node).map((n) => n.seq));
  const y = (b.seqs ??= nodesOf(b.node).map((n) => n.seq));
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * Flink `AfterMatchSkipStrategy.getPruningId`: the sequence number of the event at which `match`
 * prunes, or −1 for none. Partial and completed matches whose first event is at or before it
 * (past last event, to next) or before it (to first, to last) are then discarded (`shouldPrune`).
 */
function pruningSeq(skip: SkipStrategy, match: CompletedMatch): number {
  switch (skip.kind) {
    case 'noSkip':
      return -1;
    case 'skipPastLastEvent':
      return match.node.seq;
    case 'skipToNext':
      return match.startSeq;
    case 'skipToFirst':
    case 'skipToLast': {
      // The chain runs newest first: the last hit is the alias's first event, the first hit its last.
      let seq = -1;
      for (let n: BufferNode | null = match.node; n !== null; n = n.prev) {
        if (n.alias !== skip.alias) continue;
        seq = n.seq;
        if (skip.kind === 'skipToLast') break;
      }
      return seq;
    }
  }
}

/** Aliases of a pattern in order, group members in place (the order of `Match.events`). */
function aliasesOf(elements: readonly Element[]): string[] {
  return elements.flatMap((e) => (e.atom.kind === 'group' ? aliasesOf(e.atom.pattern.elements) : e.negated ? [] : [e.alias]));
}

/**
 * Event types that can change a key's state, or `null` when any event can:
 * - `any`, strict contiguity (between elements, in a loop or a group loop, `next not`), and
 *   `until` (it reads events of every type);
 * - trailing `-> not X`s after a loop or an optional element: there any event moves a partial
 *   match on into the waiting-for-absence state (Flink: `proceed`, then the pending state's
 *   `ignore`), which completes at the deadline, where without that event it is dropped;
 * - `greedy`: Flink restricts only the state right after the loop (`updateWithGreedyCondition`),
 *   not the twin an ignored event moves a partial match into (an optional element's ignore
 *   state), so an event of any type can lift the restriction: `a{1,2} greedy -> a{0,3}` over
 *   `a b a` matches the second `a` as the second element, over `a a` it does not.
 * Otherwise events of other types are ignored by every relaxed or non-deterministic edge, which
 * leaves a partial match where it was. (Found by comparing every case of the differential test's
 * generator with and without this filter: seeds 1, 2 and 909.)
 */
function relevantTypesOf(rule: Rule): ReadonlySet<string> | null {
  const elements = rule.pattern.elements;
  let beforeNots = elements.length - 1;
  while (beforeNots >= 0 && elements[beforeNots].negated) beforeNots--;
  if (beforeNots >= 0 && beforeNots < elements.length - 1 && canRepeatOrSkip(elements[beforeNots])) return null;
  const types = new Set<string>();
  const visit = (elements: readonly Element[], top: boolean): boolean => {
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i];
      if (e.contiguity === 'strict' && !(top && i === 0)) return false;
      const q = e.quantifier;
      if (q !== undefined && (q.until !== undefined || q.greedy || (q.contiguity === 'strict' && q.max > 1))) return false;
      if (e.atom.kind === 'group') {
        if (!visit(e.atom.pattern.elements, false)) return false;
      } else if (e.atom.type === null) {
        return false;
      } else {
        types.add(e.atom.type);
      }
    }
    return true;
  };
  return visit(rule.pattern.elements, true) ? types : null;
}

/** Whether an element, or an element of its group, has a quantifier (it loops or may be skipped). */
function canRepeatOrSkip(element: Element): boolean {
  if (element.quantifier !== undefined) return true;
  return element.atom.kind === 'group' && element.atom.pattern.elements.some(canRepeatOrSkip);
}

/** Event types that can start a partial match (take edges reachable from the start state), or `null` for any. */
function startTypesOf(automaton: Automaton): ReadonlySet<string> | null {
  const types = new Set<string>();
  const seen = new Set<number>([automaton.start]);
  const stack = [automaton.start];
  while (stack.length > 0) {
    for (const t of automaton.states[stack.pop() as number].transitions) {
      if (t.action === 'ignore') continue;
      if (t.action === 'proceed') {
        if (!seen.has(t.to)) {
          seen.add(t.to);
          stack.push(t.to);
        }
        continue;
      }
      const accepted = acceptedTypes(t.condition);
      if (accepted === null) return null;
      for (const type of accepted) types.add(type);
    }
  }
  return types;
}
