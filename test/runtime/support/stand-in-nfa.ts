/**
 * A tiny hand-written NFA for runtime tests only: `first -> second within W`, keyed by the given
 * paths, skip past last event, optional timeout alerts. Each `first` event opens a partial match;
 * a `second` event completes the oldest one and clears the rest (skip past last); a partial match
 * whose deadline (first + W) is reached is dropped or timed out. It lets the engine be tested
 * without the real compiler; end-to-end tests use the real one.
 */
import type { CepEvent } from '../../../src/nfa/event.js';
import { NfaState, type Match, type Nfa, type NfaStats } from '../../../src/nfa/nfa.js';
import type { EmitField, Rule } from '../../../src/nfa/rule.js';

class State extends NfaState {
  pending: CepEvent[] = [];
}

export interface StandInOptions {
  name?: string;
  first: string;
  second: string;
  within: number;
  keyBy?: string[][];
  timeout?: boolean;
  emit?: EmitField[];
}

export function standInNfa(o: StandInOptions): Nfa {
  const rule: Rule = {
    name: o.name ?? `${o.first}_then_${o.second}`,
    severity: 'high',
    keyBy: o.keyBy ?? [['k']],
    pattern: {
      elements: [
        { contiguity: 'relaxed', negated: false, atom: { kind: 'event', type: o.first }, alias: 'x' },
        { contiguity: 'relaxed', negated: false, atom: { kind: 'event', type: o.second }, alias: 'y' },
      ],
    },
    within: o.within,
    skip: { kind: 'skipPastLastEvent' },
    emit: o.emit ?? [],
    onTimeout: o.timeout ? [] : undefined,
  };
  const stats: NfaStats = { conditionErrors: 0, droppedPartialMatches: 0 };
  const st = (s: unknown): State => s as State;
  return {
    rule,
    relevantTypes: new Set([o.first, o.second]),
    stats,
    initialState: () => new State(),
    process(state, event) {
      const s = st(state);
      if (event.type === o.second && s.pending.length > 0) {
        const x = s.pending[0];
        s.pending = [];
        return [{ kind: 'match', start: x.time, end: event.time, events: new Map([['x', [x]], ['y', [event]]]) }];
      }
      if (event.type === o.first) s.pending.push(event);
      return [];
    },
    advanceTime(state, time) {
      const s = st(state);
      const out: Match[] = [];
      while (s.pending.length > 0 && s.pending[0].time + o.within <= time) {
        const x = s.pending.shift()!;
        if (o.timeout) out.push({ kind: 'timeout', start: x.time, end: x.time + o.within, events: new Map([['x', [x]]]) });
      }
      return out;
    },
    isEmpty: (state) => st(state).pending.length === 0,
    release: () => undefined, // nothing recycled
    clear: (state) => {
      st(state).pending = [];
    },
    heldData: (state) => st(state).pending[0]?.data,
    nextDeadline: (state) => (st(state).pending.length === 0 ? Infinity : st(state).pending[0].time + o.within),
    partialMatchCount: (state) => st(state).pending.length,
    serializeState: (state) => ({ pending: st(state).pending }),
    deserializeState: (data) => Object.assign(new State(), data),
  };
}
