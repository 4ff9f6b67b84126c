/**
 * The NFA compiler: checked rule → immutable automaton (+ matcher), shared by every key.
 *
 * The automaton is the one Flink CEP's `NFACompiler` builds (flink-cep 1.20), so that matching
 * follows Flink exactly; the construction is written differently: a pure recursive function over
 * the pattern that returns automaton fragments, taking everything it needs (the enclosing group,
 * the element that follows) as arguments instead of cursor fields saved and restored by hand. Like Flink it works backwards from the
 * final state, each element producing the state its predecessor's `take` points to:
 *
 * - a single element: a state with `take` to the next fragment, an `ignore` edge by contiguity
 *   (none for strict, `not cond` for relaxed, `true` for non-deterministic) and, when optional, a
 *   `proceed` to the next fragment;
 * - `{n,m}`: n mandatory then m−n optional copies; `{n,}`: n copies then a looping state (Kleene
 *   closure) with a self `take` and a `proceed` out; `greedy` forbids what follows the loop to
 *   use an event the loop can take (Flink `updateWithGreedyCondition`);
 * - `-> not X`: a `proceed` to a stop state on X from the states that follow it (and between
 *   iterations of a loop before it); at the end of a pattern with `within`, a pending state;
 * - `next not X`: a state that proceeds (or, at the end, ignores into the final state) on `not X`.
 *
 * Size: `buildAutomaton` can be given a budget of states, transitions and element conversions (an
 * element inside nested groups is converted once per copy of each group, whether or not that makes
 * states, so 200 levels of groups copied 1,000 times is 200,000 conversions), and then throws
 * `AutomatonTooLargeError` as soon as it is spent: the work of a build is bounded by its budget.
 * The DSL checker uses it, so that a rule whose counts multiply to millions of states is a rule
 * error, not a hang. Recursion is only per level of
 * group nesting; copying a region of states (Flink `copyWithoutTransitiveNots`) uses a stack of its own.
 */
import { type Automaton, type AutomatonState, type StateKind, type Transition, type Action, FINAL_NAME } from './automaton.js';
import { type EdgeCondition, TRUE, and, elementCondition, not } from './edge-condition.js';
import type { Nfa, NfaOptions } from './nfa.js';
import type { Condition, Contiguity, Element, GroupAtom, Rule } from './rule.js';
import { createMatcher } from './matcher.js';

/** Default of `NfaOptions.maxPartialMatches`. */
export const DEFAULT_MAX_PARTIAL_MATCHES = 10_000;

/**
 * Compiles a checked rule into its NFA. Throws `Error` (API misuse: the DSL checker rejects these
 * first) when the pattern starts with `not`, ends with `-> not X` without `within`, negates a group
 * or a quantified element, or when `options.maxPartialMatches` is not a positive integer.
 */
export function compile(rule: Rule, options: NfaOptions = {}): Nfa {
  const maxPartialMatches = options.maxPartialMatches ?? DEFAULT_MAX_PARTIAL_MATCHES;
  if (!Number.isInteger(maxPartialMatches) || maxPartialMatches < 1) {
    throw new Error(`compile: maxPartialMatches must be a positive integer, got ${String(options.maxPartialMatches)}`);
  }
  return createMatcher(rule, buildAutomaton(rule), { maxPartialMatches });
}

/** The automaton would exceed the size budget given to `buildAutomaton`. */
export class AutomatonTooLargeError extends Error {
  override readonly name = 'AutomatonTooLargeError';

  constructor(readonly maxSize: number) {
    super(`the automaton exceeds ${maxSize.toLocaleString('en-US')} states, transitions and element conversions`);
  }
}

/** Options of `buildAutomaton`. */
export interface BuildOptions {
  /** Budget of states, transitions and element conversions (see the module comment); default unlimited. */
  readonly maxSize?: number;
}

/**
 * Builds the automaton of a rule (see the module comment). Throws as `compile` does, and
 * `AutomatonTooLargeError` when `options.maxSize` is exceeded.
 */
export function buildAutomaton(rule: Rule, options: BuildOptions = {}): Automaton {
  checkPattern(rule);
  const builder = new Builder(options.maxSize ?? Infinity);
  const final = builder.state(FINAL_NAME, 'final');
  const within = rule.within !== undefined && rule.within > 0;
  const head = convertSequence(builder, rule.pattern.elements, final, { scope: null, following: null, within });
  builder.makeStart(head);
  return builder.freeze(head);
}

function checkPattern(rule: Rule): void {
  const elements = rule.pattern.elements;
  if (elements.length === 0) throw new Error(`rule ${rule.name}: the pattern is empty`);
  const last = elements[elements.length - 1];
  if (last.negated && last.contiguity !== 'strict' && !(rule.within !== undefined && rule.within > 0)) {
    throw new Error(`rule ${rule.name}: a pattern ending with "-> not ${last.alias}" needs "within"`);
  }
  const visit = (pattern: readonly Element[]): void => {
    if (pattern.length > 0 && pattern[0].negated) throw new Error(`rule ${rule.name}: a pattern may not begin with "not"`);
    for (const element of pattern) {
      if (element.negated && (element.atom.kind === 'group' || element.quantifier !== undefined)) {
        throw new Error(`rule ${rule.name}: "not ${element.alias}" may not be a group or quantified`);
      }
      if (element.atom.kind === 'group') visit(element.atom.pattern.elements);
    }
  };
  visit(elements);
}

/** Mutable states under construction; frozen into an `Automaton` at the end of `buildAutomaton`. */
class Builder {
  readonly states: { name: string; kind: StateKind; transitions: Transition[] }[] = [];
  private readonly stops = new Map<string, number>();
  /** States, transitions and element conversions made so far, against `maxSize`. */
  private size = 0;

  constructor(private readonly maxSize: number) {}

  /** Counts one state, transition or element conversion against the budget. */
  grow(): void {
    if (++this.size > this.maxSize) throw new AutomatonTooLargeError(this.maxSize);
  }

  state(name: string, kind: StateKind): number {
    this.grow();
    this.states.push({ name, kind, transitions: [] });
    return this.states.length - 1;
  }

  edge(from: number, action: Action, to: number, condition: EdgeCondition): void {
    this.grow();
    this.states[from].transitions.push({ action, from, to, condition });
  }

  /** The stop state of `not <name>`, one per negated element (Flink `createStopState`). */
  stop(name: string, condition: EdgeCondition): number {
    let id = this.stops.get(name);
    if (id === undefined) {
      id = this.state(name, 'stop');
      this.stops.set(name, id);
      this.edge(id, 'take', id, condition);
    }
    return id;
  }

  /** State id → a copy made before a greedy loop restricted it (Flink `originalStateMap`). */
  readonly originals = new Map<number, number>();

  /** A copy of a state with the same transitions, self loops on the copy (Flink `copy`). */
  copy(id: number): number {
    const original = this.states[id];
    const c = this.state(original.name, original.kind);
    for (const t of [...original.transitions]) this.edge(c, t.action, t.to === t.from ? c : t.to, t.condition);
    return c;
  }

  /** Flink `updateWithGreedyCondition`: no transition of `id` may fire on an event the loop takes. */
  restrictGreedy(id: number, loopTake: EdgeCondition): void {
    const state = this.states[id];
    state.transitions = state.transitions.map((t) => ({ ...t, condition: and(t.condition, not(loopTake)) }));
  }

  makeStart(id: number): void {
    this.states[id].kind = 'start';
  }

  freeze(start: number): Automaton {
    const states: AutomatonState[] = this.states.map((s, id) => Object.freeze({ id, name: s.name, kind: s.kind, transitions: Object.freeze([...s.transitions]) }));
    return Object.freeze({ states: Object.freeze(states), start });
  }
}

/** The group an element is in (Flink `currentGroupPattern`) and whether it is the loop's head copy. */
interface GroupScope {
  readonly group: Element & { readonly atom: GroupAtom };
  /** True while converting the first (head) copy of a quantified group (Flink `firstOfLoopMap`). */
  readonly firstOfLoop: boolean;
}

/** What converting an element needs to know about its surroundings. */
interface Context {
  readonly scope: GroupScope | null;
  /** The element right after this one (in the enclosing sequence when last in a group). */
  readonly following: Element | null;
  /** The rule has a `within`. */
  readonly within: boolean;
}

/** Per-element data shared by the state builders. */
interface ElementContext extends Context {
  readonly element: Element;
  /** The sequence the element is in. */
  readonly sequence: readonly Element[];
  /** The element's place in `sequence`: the elements before it are `sequence[0..index)` (not a copy: rules may be 10,000s of elements long). */
  readonly index: number;
}

function isNotFollow(element: Element): boolean {
  return element.negated && element.contiguity !== 'strict';
}

function isNotNext(element: Element): boolean {
  return element.negated && element.contiguity === 'strict';
}

function isOptional(element: Element): boolean {
  return element.quantifier?.optional === true;
}

/** Converts a sequence backwards (Flink `createMiddleStates` + the head's `convertPattern`); returns its entry state. */
function convertSequence(b: Builder, elements: readonly Element[], sink: number, ctx: Context): number {
  let last = sink;
  for (let i = elements.length - 1; i >= 0; i--) {
    b.grow();
    const element = elements[i];
    // Written out, not `{ ...ctx, ... }`: V8's object spread is far slower here (bench/README.md), and this runs once per element per group copy.
    const following = i + 1 < elements.length ? elements[i + 1] : ctx.following;
    const ec: ElementContext = { scope: ctx.scope, following, within: ctx.within, element, sequence: elements, index: i };
    if (isNotFollow(element)) {
      // A `-> not X` in the middle becomes stop edges on the states after it (addStopStates);
      // at the end of a pattern with `within` it is a pending state waiting for the deadline.
      if (ctx.within && b.states[last].kind === 'final') last = pendingState(b, ec);
    } else if (isNotNext(element)) {
      last = notNextState(b, ec, last);
    } else {
      last = convertElement(b, ec, last);
    }
  }
  return last;
}

function takeCondition(ec: ElementContext, element: Element): EdgeCondition {
  if (element.atom.kind !== 'event') throw new Error(`internal: take condition of group ${element.alias}`);
  return withGroupUntil(ec, elementCondition(element.atom.type, element.atom.condition), true);
}

/** Flink `extendWithUntilCondition` for the enclosing group's `until`. */
function withGroupUntil(ec: Context, condition: EdgeCondition | null, isTake: boolean): EdgeCondition | null;
function withGroupUntil(ec: Context, condition: EdgeCondition, isTake: true): EdgeCondition;
function withGroupUntil(ec: Context, condition: EdgeCondition | null, isTake: boolean): EdgeCondition | null {
  return withUntil(condition, ec.scope?.group.quantifier?.until, isTake);
}

function withUntil(condition: EdgeCondition | null, until: Condition | undefined, isTake: boolean): EdgeCondition | null {
  if (until === undefined) return condition;
  const notUntil = not({ kind: 'user', condition: until });
  if (condition !== null) return and(notUntil, condition);
  return isTake ? notUntil : null;
}

function ignoreFor(contiguity: Contiguity, element: Element, ec: ElementContext): EdgeCondition | null {
  const own = contiguity === 'strict' ? null : contiguity === 'relaxed' ? not(takeConditionRaw(element)) : TRUE;
  return withGroupUntil(ec, own, false);
}

function takeConditionRaw(element: Element): EdgeCondition {
  if (element.atom.kind !== 'event') throw new Error(`internal: condition of group ${element.alias}`);
  return elementCondition(element.atom.type, element.atom.condition);
}

function isHeadOfGroup(ec: ElementContext): boolean {
  return ec.scope !== null && ec.index === 0;
}

/** Ignore condition before the element's first event (Flink `getIgnoreCondition`). */
function ignoreCondition(ec: ElementContext): EdgeCondition | null {
  let contiguity = ec.element.contiguity;
  if (isHeadOfGroup(ec) && ec.scope !== null) {
    const group = ec.scope.group;
    contiguity = ec.scope.firstOfLoop ? group.contiguity : group.quantifier?.contiguity ?? 'relaxed';
  }
  return ignoreFor(contiguity, ec.element, ec);
}

/** Ignore condition between iterations of a loop (Flink `getInnerIgnoreCondition`). */
function innerIgnoreCondition(ec: ElementContext): EdgeCondition | null {
  let contiguity = ec.element.quantifier?.contiguity ?? 'relaxed';
  if (isHeadOfGroup(ec) && ec.scope !== null) contiguity = ec.scope.group.quantifier?.contiguity ?? 'relaxed';
  return ignoreFor(contiguity, ec.element, ec);
}

/** `-> not X` conditions in force before this element: the nots reached backwards over optional elements. */
function currentNots(ec: ElementContext): { name: string; condition: EdgeCondition }[] {
  const { reach, previousNot } = notReach(ec.sequence);
  const nots: { name: string; condition: EdgeCondition }[] = [];
  for (let i = previousNot[ec.index]; i >= reach[ec.index]; i = previousNot[i]) {
    const previous = ec.sequence[i];
    nots.push({ name: previous.alias, condition: takeCondition(ec, previous) });
  }
  return nots;
}

/**
 * For each index of a sequence: how far back its `not`s reach (`reach[i]`: the first index of the
 * run of `-> not` and optional elements just before it) and the nearest `-> not` before it
 * (`previousNot[i]`, -1 for none). Made once per sequence, so that {@link currentNots} costs the
 * nots it returns, not the optional elements it would walk over (12,000 `b?` in a row took 2 s).
 */
const NOT_REACH = new WeakMap<readonly Element[], { reach: Int32Array; previousNot: Int32Array }>();
function notReach(sequence: readonly Element[]): { reach: Int32Array; previousNot: Int32Array } {
  let found = NOT_REACH.get(sequence);
  if (found === undefined) {
    const reach = new Int32Array(sequence.length + 1);
    const previousNot = new Int32Array(sequence.length + 1);
    previousNot[0] = -1;
    for (let i = 1; i <= sequence.length; i++) {
      const before = sequence[i - 1];
      const inRun = isNotFollow(before) || isOptional(before);
      reach[i] = inRun ? reach[i - 1] : i;
      previousNot[i] = isNotFollow(before) ? i - 1 : previousNot[i - 1];
    }
    found = { reach, previousNot };
    NOT_REACH.set(sequence, found);
  }
  return found;
}

function addStopStates(b: Builder, ec: ElementContext, state: number): void {
  for (const n of currentNots(ec)) b.edge(state, 'proceed', b.stop(n.name, n.condition), n.condition);
}

/** A `-> not X` right after a loop also holds between its iterations (Flink `addStopStateToLooping`). */
function addStopToLooping(b: Builder, ec: ElementContext, state: number): void {
  const following = ec.following;
  if (following !== null && isNotFollow(following)) {
    const condition = takeCondition(ec, following);
    b.edge(state, 'proceed', b.stop(following.alias, condition), condition);
  }
}

/**
 * Taking an event of an optional element ends the `not`s before it: a copy of the sink without
 * their stop edges (Flink `copyWithoutTransitiveNots`). Returns the sink itself when not needed.
 */
function withoutTransitiveNots(b: Builder, ec: ElementContext, sink: number): number {
  const nots = currentNots(ec);
  if (nots.length === 0 || !isOptional(ec.element)) return sink;
  return copyRegion(b, sink, new Set(nots.map((n) => n.name)));
}

/**
 * Copies state `root` and, through its `proceed` edges, every state it proceeds to, dropping the
 * proceed edges into the stop states of `dropped` (Flink's recursive `copyWithoutTransitiveNots`,
 * in the same order, so states get the same ids). Written with a stack of its own: a chain of
 * optional elements can be as long as the rule. Where Flink would recurse forever, on a proceed cycle
 * (a looping group whose elements are all optional), the copy proceeds back to the copy in progress.
 */
function copyRegion(b: Builder, root: number, dropped: ReadonlySet<string>): number {
  /** One state being copied: its transitions, the next one to copy, and its copy. */
  interface Frame {
    readonly from: number;
    readonly copy: number;
    readonly transitions: readonly Transition[];
    next: number;
  }
  const frames: Frame[] = [];
  const inProgress = new Map<number, number>();
  const open = (id: number): number => {
    const original = b.states[id];
    const copy = b.state(original.name, original.kind);
    inProgress.set(id, copy);
    frames.push({ from: id, copy, transitions: [...original.transitions], next: 0 });
    return copy;
  };
  const rootCopy = open(root);
  let finished: number | undefined; // the copy of the proceed target just completed
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (finished !== undefined) {
      b.edge(frame.copy, 'proceed', finished, frame.transitions[frame.next - 1].condition);
      finished = undefined;
    }
    let descended = false;
    while (frame.next < frame.transitions.length && !descended) {
      const t = frame.transitions[frame.next++];
      const target = b.states[t.to];
      if (t.action !== 'proceed') b.edge(frame.copy, t.action, t.to === t.from ? frame.copy : t.to, t.condition);
      else if (target.kind === 'stop') {
        if (!dropped.has(target.name)) b.edge(frame.copy, 'proceed', t.to, t.condition);
      } else if (inProgress.has(t.to)) b.edge(frame.copy, 'proceed', inProgress.get(t.to)!, t.condition);
      else {
        open(t.to);
        descended = true;
      }
    }
    if (descended) continue;
    frames.pop();
    inProgress.delete(frame.from);
    finished = frame.copy;
  }
  return rootCopy;
}

/** Flink `convertPattern`: one element, single, times or looping; returns its entry state. */
function convertElement(b: Builder, ec: ElementContext, sink: number): number {
  const q = ec.element.quantifier;
  let state: number;
  if (q !== undefined && q.max === Infinity) {
    const looping = createLooping(b, ec, withoutTransitiveNots(b, ec, sink));
    state = createTimes(b, ec, looping, sink, q.min, q.min);
  } else if (q !== undefined && !(q.min === 1 && q.max === 1)) {
    state = createTimes(b, ec, sink, sink, q.min, q.max);
  } else {
    const ignore = ec.element.atom.kind === 'event' ? ignoreCondition(ec) : null;
    state = createSingleton(b, ec, { sink, proceed: sink, take: null, ignore, optional: isPatternOptional(ec), firstOfLoop: true });
  }
  addStopStates(b, ec, state);
  return state;
}

/** Flink `isPatternOptional` (1.20): the element's own `optional`. */
function isPatternOptional(ec: ElementContext): boolean {
  return isOptional(ec.element);
}

/** Flink `isHeadOfOptionalGroupPattern`: the first element of an optional group, in the group's first copy. */
function isHeadOfOptionalGroup(ec: ElementContext): boolean {
  return isHeadOfGroup(ec) && ec.scope !== null && ec.scope.firstOfLoop && ec.scope.group.quantifier?.optional === true;
}

/** Flink `createTimesState`: `from` mandatory copies, then `to − from` optional ones. */
function createTimes(b: Builder, ec: ElementContext, sink: number, proceed: number, from: number, to: number): number {
  const q = ec.element.quantifier;
  const isEvent = ec.element.atom.kind === 'event';
  const take = isEvent ? withUntil(takeCondition(ec, ec.element), q?.until, true) : null;
  const inner = isEvent ? withUntil(innerIgnoreCondition(ec), q?.until, false) : null;
  if (q?.greedy === true && from !== to && take !== null) {
    if (q.until !== undefined) b.originals.set(sink, b.copy(sink));
    b.restrictGreedy(sink, take);
  }
  let last = sink;
  for (let i = from; i < to; i++) {
    last = createSingleton(b, ec, { sink: last, proceed, take, ignore: inner, optional: true, firstOfLoop: false });
    addStopToLooping(b, ec, last);
  }
  for (let i = 0; i < from - 1; i++) {
    last = createSingleton(b, ec, { sink: last, proceed: null, take, ignore: inner, optional: false, firstOfLoop: false });
    addStopToLooping(b, ec, last);
  }
  return createSingleton(b, ec, { sink: last, proceed, take, ignore: isEvent ? ignoreCondition(ec) : null, optional: isPatternOptional(ec), firstOfLoop: true });
}

interface SingletonSpec {
  readonly sink: number;
  readonly proceed: number | null;
  /** Take condition (null: the element's own). */
  readonly take: EdgeCondition | null;
  readonly ignore: EdgeCondition | null;
  readonly optional: boolean;
  /** For a group: whether this copy is the head of its loop. */
  readonly firstOfLoop: boolean;
}

/** Flink `createSingletonState`: one state for one event, with its ignore twin when optional. */
function createSingleton(b: Builder, ec: ElementContext, spec: SingletonSpec): number {
  const element = ec.element;
  if (element.atom.kind === 'group') return createGroup(b, ec, element.atom, spec);
  const take = spec.take ?? takeCondition(ec, element);
  const state = b.state(element.alias, 'normal');
  const sink = withoutTransitiveNots(b, ec, spec.sink);
  b.edge(state, 'take', sink, take);
  if (spec.optional && spec.proceed !== null) {
    const proceedCondition = withGroupUntil(ec, TRUE, true);
    const until = element.quantifier?.until;
    if (element.quantifier?.greedy === true && until !== undefined) {
      // A greedy loop stopped by `until` leaves towards the state as it was before the greedy restriction.
      const untilCondition: EdgeCondition = { kind: 'user', condition: until };
      b.edge(state, 'proceed', b.originals.get(spec.proceed) ?? spec.proceed, and(proceedCondition, untilCondition));
      b.edge(state, 'proceed', spec.proceed, and(proceedCondition, not(untilCondition)));
    } else {
      b.edge(state, 'proceed', spec.proceed, proceedCondition);
    }
  }
  if (spec.ignore !== null) {
    let ignoreState = state;
    if (spec.optional || isHeadOfOptionalGroup(ec)) {
      ignoreState = b.state(element.alias, 'normal');
      b.edge(ignoreState, 'take', sink, take);
      b.edge(ignoreState, 'ignore', ignoreState, spec.ignore);
      addStopStates(b, ec, ignoreState);
    }
    b.edge(state, 'ignore', ignoreState, spec.ignore);
  }
  return state;
}

/** Flink `createGroupPatternState`: one copy of a group's sub-pattern. */
function createGroup(b: Builder, ec: ElementContext, atom: GroupAtom, spec: SingletonSpec): number {
  const proceedCondition = withGroupUntil(ec, TRUE, true);
  const scope: GroupScope = { group: ec.element as GroupScope['group'], firstOfLoop: spec.firstOfLoop };
  const head = convertSequence(b, atom.pattern.elements, spec.sink, { scope, following: ec.following, within: ec.within });
  if (spec.optional && spec.proceed !== null) b.edge(head, 'proceed', spec.proceed, proceedCondition);
  return head;
}

/** Flink `createLooping`: the Kleene closure state, taking into itself and proceeding out. */
function createLooping(b: Builder, ec: ElementContext, sink: number): number {
  const element = ec.element;
  if (element.atom.kind === 'group') return createLoopingGroup(b, ec, element.atom, sink);
  const until = element.quantifier?.until;
  const ignore = withUntil(innerIgnoreCondition(ec), until, false);
  const take = withUntil(takeCondition(ec, element), until, true) as EdgeCondition;
  const proceedCondition = withGroupUntil(ec, TRUE, true);
  const looping = b.state(element.alias, 'normal');
  if (element.quantifier?.greedy === true) {
    if (until !== undefined) {
      const untilCondition: EdgeCondition = { kind: 'user', condition: until };
      const original = b.copy(sink);
      b.edge(looping, 'proceed', original, and(proceedCondition, untilCondition));
      b.originals.set(sink, original);
      b.edge(looping, 'proceed', sink, and(proceedCondition, not(untilCondition)));
    } else {
      b.edge(looping, 'proceed', sink, proceedCondition);
    }
    b.restrictGreedy(sink, takeCondition(ec, element));
  } else {
    b.edge(looping, 'proceed', sink, proceedCondition);
  }
  b.edge(looping, 'take', looping, take);
  addStopToLooping(b, ec, looping);
  if (ignore !== null) {
    const ignoreState = b.state(element.alias, 'normal');
    b.edge(ignoreState, 'take', looping, take);
    b.edge(ignoreState, 'ignore', ignoreState, ignore);
    b.edge(looping, 'ignore', ignoreState, ignore);
    addStopToLooping(b, ec, ignoreState);
  }
  return looping;
}

/** Flink `createLoopingGroupPatternState`: the group's sub-pattern looping back through a dummy state. */
function createLoopingGroup(b: Builder, ec: ElementContext, atom: GroupAtom, sink: number): number {
  const proceedCondition = withGroupUntil(ec, TRUE, true);
  const dummy = b.state(ec.element.alias, 'normal');
  const scope: GroupScope = { group: ec.element as GroupScope['group'], firstOfLoop: false };
  const head = convertSequence(b, atom.pattern.elements, dummy, { scope, following: ec.following, within: ec.within });
  b.edge(head, 'proceed', sink, proceedCondition);
  b.edge(dummy, 'proceed', head, proceedCondition);
  return head;
}

/** Flink NOT_NEXT: proceed (or, at the end, ignore into the final state) on `not X`, stop on X. */
function notNextState(b: Builder, ec: ElementContext, sink: number): number {
  const state = b.state(ec.element.alias, 'normal');
  const condition = takeCondition(ec, ec.element);
  const stop = b.stop(ec.element.alias, condition);
  // At the end the edge must not be a proceed, so that the next event completes the match.
  b.edge(state, b.states[sink].kind === 'final' ? 'ignore' : 'proceed', sink, not(condition));
  b.edge(state, 'proceed', stop, condition);
  return state;
}

/** Flink's pending state of a trailing `-> not X` with `within`: ignore other events, stop on X. */
function pendingState(b: Builder, ec: ElementContext): number {
  const state = b.state(ec.element.alias, 'pending');
  const condition = takeCondition(ec, ec.element);
  b.edge(state, 'proceed', b.stop(ec.element.alias, condition), condition);
  b.edge(state, 'ignore', state, not(condition));
  return state;
}
