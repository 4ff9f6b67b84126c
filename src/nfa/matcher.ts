/**
 * The matcher: runs a compiled automaton over one key's events, the key's state passed in (Flink
 * `NFA` with `NFAState`, after Agrawal et al., "Efficient Pattern Matching over Event Streams",
 * SIGMOD 2008). A key's state is plain data: its live partial matches (automaton state + newest
 * shared-buffer node + first event), the matches held back by the after-match skip strategy, and
 * the per-key event counter. The start state is implicit, so a key with nothing pending has an
 * empty state and the runtime may drop it.
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
 *     sequence; under a skip strategy a match waits until no live partial match started before it,
 *     then prunes partial and completed matches (Flink `processMatchesAccordingToSkipStrategy`);
 *  5. past `maxPartialMatches` the oldest partial matches are dropped and counted.
 */
import type { Automaton } from './automaton.js';
import { type Predicate, acceptedTypes, toPredicate } from './edge-condition.js';
import type { CepEvent } from './event.js';
import type { Match, Nfa, NfaState, NfaStats } from './nfa.js';
import type { Element, Rule, SkipStrategy } from './rule.js';
import { type BufferNode, BufferBindings, type SerializedBuffer, deserializeBuffer, materialize, nodesOf, serializeBuffer } from './shared-buffer.js';

/** A live partial match (Flink `ComputationState`). Immutable: unchanged ones are shared between steps. */
interface PartialMatch {
  readonly state: number;
  readonly node: BufferNode | null;
  /** Time and per-key sequence number of the first event (the partial match's start). */
  readonly startTime: number;
  readonly startSeq: number;
}

/** A completed match waiting for its turn (skip strategies) or being emitted. */
interface CompletedMatch {
  readonly node: BufferNode | null;
  readonly startTime: number;
  readonly startSeq: number;
  /** `end` of the match: last event's time, or the deadline of a trailing `-> not X`. */
  readonly end: number;
  /** Event sequence numbers, computed when two matches must be ordered. */
  seqs?: number[];
}

/** The per-key state behind `NfaState`. */
interface KeyState {
  /** Sequence number of the key's next event. */
  n: number;
  /** Partial matches, ordered by first event (oldest first). */
  partials: PartialMatch[];
  /** Completed matches held back by the skip strategy, in emission order. */
  completed: CompletedMatch[];
}

const TAKE = 0;
const IGNORE = 1;
const PROCEED = 2;

/** Automaton edges compiled for the hot path: parallel arrays per state. */
interface CompiledEdge {
  readonly action: number;
  readonly to: number;
  /** Alias of the source state: the element a `take` binds the event to. */
  readonly alias: string;
  readonly test: Predicate;
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
  private readonly kinds: Automaton['states'][number]['kind'][];
  private readonly start: number;
  private readonly within: number;
  private readonly aliases: string[];
  private readonly startTypes: ReadonlySet<string> | null;
  private readonly canProceed: boolean[];
  private readonly bindings = new BufferBindings();
  // Scratch space of one step, reused so that the hot path allocates only what it keeps.
  private readonly stack: number[] = [];
  private readonly visited: Int32Array;
  private epoch = 0;
  private readonly found: CompiledEdge[] = [];

  constructor(readonly rule: Rule, readonly automaton: Automaton, private readonly options: MatcherOptions) {
    const actions = { take: TAKE, ignore: IGNORE, proceed: PROCEED };
    this.edges = automaton.states.map((s) => s.transitions.map((t) => ({ action: actions[t.action], to: t.to, alias: s.name, test: toPredicate(t.condition, this.stats) })));
    this.canProceed = this.edges.map((edges) => edges.some((e) => e.action === PROCEED));
    this.kinds = automaton.states.map((s) => s.kind);
    this.start = automaton.start;
    this.within = rule.within !== undefined && rule.within > 0 ? rule.within : Infinity;
    this.aliases = aliasesOf(rule.pattern.elements);
    this.visited = new Int32Array(automaton.states.length);
    this.relevantTypes = relevantTypesOf(rule);
    this.startTypes = startTypesOf(automaton);
  }

  initialState(): NfaState {
    const state: KeyState = { n: 0, partials: [], completed: [] };
    return state;
  }

  process(s: NfaState, event: CepEvent): readonly Match[] {
    const state = s as KeyState;
    const seq = state.n++;
    const old = state.partials;
    const startTypes = this.startTypes;
    const tryStart = startTypes === null || startTypes.has(event.type);
    if (old.length === 0 && !tryStart) return NO_MATCHES;
    const partials: PartialMatch[] = [];
    let potential: CompletedMatch[] | null = null;
    for (let i = 0; i < old.length; i++) potential = this.step(old[i], false, event, seq, partials, potential);
    if (tryStart) potential = this.step(START_PLACEHOLDER, true, event, seq, partials, potential);
    state.partials = partials;
    let matches: readonly Match[] = NO_MATCHES;
    if (this.rule.skip.kind === 'noSkip') {
      if (potential !== null) matches = this.emitAll(potential);
    } else if (potential !== null || state.completed.length > 0) {
      // Changed partial matches may also release matches held back on earlier events.
      matches = this.emitBySkipStrategy(state, potential ?? []);
    }
    this.enforceLimit(state);
    return matches;
  }

  /** One partial match (or the start state) against one event; appends survivors to `out`. */
  private step(pm: PartialMatch, isStart: boolean, event: CepEvent, seq: number, out: PartialMatch[], potential: CompletedMatch[] | null): CompletedMatch[] | null {
    const found = this.found;
    found.length = 0;
    this.bindings.node = pm.node;
    this.collectEdges(isStart ? this.start : pm.state, isStart, event);
    if (found.length === 0) return potential;
    const before = out.length;
    let stopped = false;
    let finals: CompletedMatch[] | null = null;
    for (let i = 0; i < found.length; i++) {
      const edge = found[i];
      let next: PartialMatch;
      if (edge.action === IGNORE) {
        next = edge.to === pm.state ? pm : { state: edge.to, node: pm.node, startTime: pm.startTime, startSeq: pm.startSeq };
      } else {
        const node: BufferNode = { alias: edge.alias, event, seq, prev: pm.node };
        const startTime = isStart ? event.time : pm.startTime;
        const startSeq = isStart ? seq : pm.startSeq;
        next = { state: edge.to, node, startTime, startSeq };
        if (this.canProceed[edge.to] && this.proceedsToFinal(edge.to, event)) {
          (finals ??= []).push({ node, startTime, startSeq, end: event.time });
        }
      }
      const kind = this.kinds[next.state];
      if (kind === 'final') (finals ??= []).push({ node: next.node, startTime: next.startTime, startSeq: next.startSeq, end: next.node === null ? next.startTime : next.node.event.time });
      else if (kind === 'stop') stopped = true;
      else out.push(next);
    }
    // A stop state discards the whole branch; completed matches found on the way are kept (Flink).
    if (stopped) out.length = before;
    if (finals !== null) potential = potential === null ? finals : potential.concat(finals);
    return potential;
  }

  /** Flink `createDecisionGraph`: the take/ignore edges reachable through proceed edges whose guards hold. */
  private collectEdges(from: number, isStart: boolean, event: CepEvent): void {
    const stack = this.stack;
    const visited = this.visited;
    const epoch = ++this.epoch;
    stack.length = 0;
    stack.push(from);
    visited[from] = epoch;
    while (stack.length > 0) {
      const id = stack.pop() as number;
      const edges = this.edges[id];
      for (let i = 0; i < edges.length; i++) {
        const edge = edges[i];
        // From the start state nothing is ignored, so its ignore guards need no evaluation.
        if (edge.action === IGNORE && isStart) continue;
        if (!edge.test(event, this.bindings)) continue;
        if (edge.action === PROCEED) {
          // A proceed cycle (an all-optional looping group) is followed once.
          if (visited[edge.to] !== epoch) {
            visited[edge.to] = epoch;
            stack.push(edge.to);
          }
        } else {
          this.found.push(edge);
        }
      }
    }
  }

  /** Flink `findFinalStateAfterProceed`: can `from` reach the final state through proceeds on this event? */
  private proceedsToFinal(from: number, event: CepEvent): boolean {
    const stack: number[] = [from];
    const seen = new Set<number>([from]);
    while (stack.length > 0) {
      const edges = this.edges[stack.pop() as number];
      for (const edge of edges) {
        if (edge.action !== PROCEED || seen.has(edge.to) || !edge.test(event, this.bindings)) continue;
        if (this.kinds[edge.to] === 'final') return true;
        seen.add(edge.to);
        stack.push(edge.to);
      }
    }
    return false;
  }

  advanceTime(s: NfaState, time: number): readonly Match[] {
    const state = s as KeyState;
    const within = this.within;
    const old = state.partials;
    // Partial matches are ordered by first event, so the timed-out ones are a prefix.
    if ((old.length === 0 || old[0].startTime + within > time) && state.completed.length === 0) return NO_MATCHES;
    const timeouts: Match[] = [];
    const pending: CompletedMatch[] = [];
    let cut = 0;
    while (cut < old.length && old[cut].startTime + within <= time) {
      const pm = old[cut++];
      const deadline = pm.startTime + within;
      if (this.kinds[pm.state] === 'pending') {
        // A trailing `-> not X` reached its deadline: the absence completes the match.
        pending.push({ node: pm.node, startTime: pm.startTime, startSeq: pm.startSeq, end: deadline });
      } else if (this.rule.onTimeout !== undefined) {
        timeouts.push(this.toMatch('timeout', { node: pm.node, startTime: pm.startTime, startSeq: pm.startSeq, end: pm.node === null ? pm.startTime : pm.node.event.time }));
      }
    }
    state.partials = cut === 0 ? old : old.slice(cut);
    const matches = this.emitBySkipStrategy(state, pending);
    return timeouts.length === 0 ? matches : matches.length === 0 ? timeouts : [...matches, ...timeouts];
  }

  isEmpty(s: NfaState): boolean {
    const state = s as KeyState;
    return state.partials.length === 0 && state.completed.length === 0;
  }

  nextDeadline(s: NfaState): number {
    const state = s as KeyState;
    return state.partials.length === 0 ? Infinity : state.partials[0].startTime + this.within;
  }

  partialMatchCount(s: NfaState): number {
    return (s as KeyState).partials.length;
  }

  serializeState(s: NfaState): unknown {
    const state = s as KeyState;
    const roots = [...state.partials.map((p) => p.node), ...state.completed.map((c) => c.node)];
    const { buffer, refs } = serializeBuffer(roots);
    const serialized: SerializedState = {
      version: 1,
      n: state.n,
      buffer,
      partials: state.partials.map((p, i) => [p.state, refs[i], p.startTime, p.startSeq]),
      completed: state.completed.map((c, i) => [refs[state.partials.length + i], c.startTime, c.startSeq, c.end]),
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
    const partials = d.partials.map(([st, ref, startTime, startSeq]): PartialMatch => {
      if (!(st >= 0 && st < this.kinds.length)) throw new Error(`deserializeState: unknown automaton state ${st} (state written by another rule?)`);
      return { state: st, node: node(ref), startTime, startSeq };
    });
    const completed = d.completed.map(([ref, startTime, startSeq, end]): CompletedMatch => ({ node: node(ref), startTime, startSeq, end }));
    const state: KeyState = { n: d.n, partials, completed };
    return state;
  }

  /** noSkip: every completed match comes out at once, in Flink's order. */
  private emitAll(potential: CompletedMatch[]): Match[] {
    if (potential.length > 1) potential.sort(compareMatches);
    return potential.map((m) => this.toMatch('match', m));
  }

  /**
   * Flink `processMatchesAccordingToSkipStrategy`: a completed match is emitted once no live partial
   * match started before it; each emitted match prunes partial and completed matches by the skip
   * strategy. Matches held back stay in `state.completed`.
   */
  private emitBySkipStrategy(state: KeyState, potential: CompletedMatch[]): Match[] {
    let completed = state.completed;
    if (potential.length > 0) {
      completed = completed.concat(potential);
      if (completed.length > 1) completed.sort(compareMatches);
    }
    if (completed.length === 0) return NO_MATCHES as Match[];
    const out: Match[] = [];
    let partials = state.partials;
    while (completed.length > 0 && (partials.length === 0 || completed[0].startSeq <= partials[0].startSeq)) {
      const match = completed.shift() as CompletedMatch;
      out.push(this.toMatch('match', match));
      const pruning = pruningSeq(this.rule.skip, match);
      if (pruning !== null) {
        const prune = pruning.inclusive ? (startSeq: number) => startSeq <= pruning.seq : (startSeq: number) => startSeq < pruning.seq;
        partials = partials.filter((p) => !prune(p.startSeq));
        completed = completed.filter((c) => !prune(c.startSeq));
      }
    }
    state.partials = partials;
    state.completed = completed;
    return out;
  }

  /** Past `maxPartialMatches`, drops the oldest partial matches (FLINK-33538: never run out of memory). */
  private enforceLimit(state: KeyState): void {
    const excess = state.partials.length - this.options.maxPartialMatches;
    if (excess > 0) {
      state.partials = state.partials.slice(excess);
      this.stats.droppedPartialMatches += excess;
    }
  }

  private toMatch(kind: Match['kind'], m: CompletedMatch): Match {
    return { kind, start: m.startTime, end: m.end, events: materialize(m.node, this.aliases) };
  }
}

/** Stand-in partial match for the start state (never stored). */
const START_PLACEHOLDER: PartialMatch = { state: -1, node: null, startTime: 0, startSeq: 0 };
const NO_MATCHES: readonly Match[] = Object.freeze([]);

/** The serialised form of a key's state (JSON-compatible). */
interface SerializedState {
  readonly version: 1;
  readonly n: number;
  readonly buffer: SerializedBuffer;
  /** `[automaton state, node ref, startTime, startSeq]`. */
  readonly partials: [number, number, number, number][];
  /** `[node ref, startTime, startSeq, end]`. */
  readonly completed: [number, number, number, number][];
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
 * Flink `AfterMatchSkipStrategy.getPruningId`/`shouldPrune`: partial and completed matches whose
 * first event is at or before (`inclusive`) or before the pruning event are discarded; `null`: none.
 */
function pruningSeq(skip: SkipStrategy, match: CompletedMatch): { seq: number; inclusive: boolean } | null {
  switch (skip.kind) {
    case 'noSkip':
      return null;
    case 'skipPastLastEvent': {
      return match.node === null ? null : { seq: match.node.seq, inclusive: true };
    }
    case 'skipToNext':
      return { seq: match.startSeq, inclusive: true };
    case 'skipToFirst':
    case 'skipToLast': {
      const nodes = nodesOf(match.node).filter((n) => n.alias === skip.alias);
      if (nodes.length === 0) return null;
      return { seq: (skip.kind === 'skipToFirst' ? nodes[0] : nodes[nodes.length - 1]).seq, inclusive: false };
    }
  }
}

/** Aliases of a pattern in order, group members in place (the order of `Match.events`). */
function aliasesOf(elements: readonly Element[]): string[] {
  return elements.flatMap((e) => (e.atom.kind === 'group' ? aliasesOf(e.atom.pattern.elements) : e.negated ? [] : [e.alias]));
}

/**
 * Event types that can change a key's state, or `null` when any event can: `any`, strict
 * contiguity (between elements, in a loop or a group loop, `next not`) and `until` (it reads events
 * of every type). Events of other types are ignored by every relaxed or non-deterministic edge.
 */
function relevantTypesOf(rule: Rule): ReadonlySet<string> | null {
  const types = new Set<string>();
  const visit = (elements: readonly Element[], top: boolean): boolean => {
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i];
      if (e.contiguity === 'strict' && !(top && i === 0)) return false;
      const q = e.quantifier;
      if (q !== undefined && (q.until !== undefined || (q.contiguity === 'strict' && q.max > 1))) return false;
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
