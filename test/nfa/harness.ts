/**
 * Test harness of the matcher that needs no runtime (after Flink's `NFATestHarness`): feeds
 * events of one key to `compile(rule)`, advancing the clock to each event's time before feeding it
 * and to +∞ at the end, and renders each match as `alias:id,id alias:id` (ids from `data.id`).
 */
import { compile } from '../../src/nfa/compiler.js';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Match, Nfa, NfaOptions, NfaState } from '../../src/nfa/nfa.js';
import type { Rule } from '../../src/nfa/rule.js';

/** Event `id` of `type` at `time` ms with extra data fields; `name` defaults to the type. */
export function ev(id: number | string, type: string, time: number, data: Record<string, unknown> = {}): CepEvent {
  return { type, time, data: { id, name: type, ...data } };
}

/** Events with times 1, 2, 3, ... in order, from `[id, type, data?]`. */
export function stream(...items: [number | string, string, Record<string, unknown>?][]): CepEvent[] {
  return items.map(([id, type, data], i) => ev(id, type, i + 1, data));
}

/** One match as text: aliases in pattern order, `alias:id,id`, separated by spaces. */
export function render(match: Match): string {
  return [...match.events].map(([alias, events]) => `${alias}:${events.map((e) => String(e.data.id)).join(',')}`).join(' ');
}

export interface RunResult {
  /** Complete matches (kind `match`) in emission order. */
  readonly matches: string[];
  readonly timeouts: string[];
  readonly all: Match[];
  readonly nfa: Nfa;
  /** The key's state after the run. */
  readonly state: NfaState;
}

/** Runs `rule` over `events` of one key; `end` is the final clock (default +∞). */
export function run(rule: Rule, events: readonly CepEvent[], options: NfaOptions & { end?: number } = {}): RunResult {
  const nfa = compile(rule, options);
  const state = nfa.initialState();
  const all: Match[] = [];
  for (const event of events) {
    all.push(...nfa.advanceTime(state, event.time));
    all.push(...nfa.process(state, event));
  }
  all.push(...nfa.advanceTime(state, options.end ?? Infinity));
  return {
    matches: all.filter((m) => m.kind === 'match').map(render),
    timeouts: all.filter((m) => m.kind === 'timeout').map(render),
    all,
    nfa,
    state,
  };
}

/** Matches as a sorted list (Flink's tests compare matches as a multiset). */
export function matchSet(rule: Rule, events: readonly CepEvent[], options: NfaOptions & { end?: number } = {}): string[] {
  return [...run(rule, events, options).matches].sort();
}

/**
 * Events from a compact spec: space-separated `id:type` or `id:type@time` (time in ms; default
 * the previous time + 1). `data` adds fields per event id.
 */
export function events(spec: string, data: Record<string, Record<string, unknown>> = {}): CepEvent[] {
  let time = 0;
  return spec.trim().split(/\s+/).map((token) => {
    const m = /^([^:]+):([^@]+)(?:@(\d+))?$/.exec(token);
    if (m === null) throw new Error(`bad event spec ${token}`);
    time = m[3] === undefined ? time + 1 : Number(m[3]);
    return ev(m[1], m[2], time, data[m[1]] ?? {});
  });
}

/** Each match as its event ids in matched order (`"s m1 e"`), sorted: Flink's `compareMaps`. */
export function flat(rule: Rule, input: readonly CepEvent[], options: NfaOptions & { end?: number } = {}): string[] {
  const result = run(rule, input, options);
  return result.all.filter((m) => m.kind === 'match').map(flatten).sort();
}

/** A match's event ids in event order. */
export function flatten(match: Match): string {
  return [...match.events.values()].flat().sort((a, b) => a.time - b.time).map((e) => String(e.data.id)).join(' ');
}
