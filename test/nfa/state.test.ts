/**
 * Per-key state: the partial-match limit (FLINK-33538), no leak after long runs with `within`
 * (FLINK-19970, FLINK-23314, FLINK-32701), serialisation round trips mid-match, condition errors,
 * `relevantTypes` and option checks.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/nfa/compiler.js';
import type { CepEvent } from '../../src/nfa/event.js';
import { NfaState, type Match } from '../../src/nfa/nfa.js';
import { cond, el, group, rule } from './build.js';
import { ev, events, render, run } from './harness.js';

describe('partial-match limit', () => {
  it('drops the oldest partial matches of the key and counts them', () => {
    const r = rule([el('a', 'a'), el('b', 'b', { contiguity: 'nondeterministic' })]);
    const input = [...Array.from({ length: 250 }, (_, i) => ev(`a${i}`, 'a', i)), ev('b', 'b', 1000)];
    const result = run(r, input, { maxPartialMatches: 100, end: 1000 });
    expect(result.nfa.stats.droppedPartialMatches).toBe(150);
    expect(result.matches).toHaveLength(100);
    expect(result.matches[0]).toBe('a:a150 b:b');
    expect(result.nfa.partialMatchCount(result.state)).toBeLessThanOrEqual(100);
  });

  it('rejects a limit that is not a positive integer', () => {
    const r = rule([el('a', 'a')]);
    expect(() => compile(r, { maxPartialMatches: 0 })).toThrow(/maxPartialMatches/);
    expect(() => compile(r, { maxPartialMatches: 1.5 })).toThrow(/maxPartialMatches/);
  });
});

describe('no leak with within', () => {
  it('after a long run the state of a key with nothing pending is empty', () => {
    const r = rule([el('a', 'a'), el('b', 'b')], { within: 10, skip: { kind: 'skipPastLastEvent' } });
    const nfa = compile(r);
    const state = nfa.initialState();
    let matches = 0;
    for (let i = 0; i < 100_000; i++) {
      const event: CepEvent = { type: i % 7 === 0 ? 'b' : 'a', time: i * 3, data: { i } };
      nfa.advanceTime(state, event.time);
      matches += nfa.process(state, event).length;
      expect(nfa.partialMatchCount(state)).toBeLessThanOrEqual(4);
    }
    expect(matches).toBeGreaterThan(10_000);
    nfa.advanceTime(state, 100_000 * 3 + 10);
    expect(nfa.isEmpty(state)).toBe(true);
    expect(nfa.nextDeadline(state)).toBe(Infinity);
    expect(JSON.stringify(nfa.serializeState(state)).length).toBeLessThan(100);
  });
});

describe('serializeState / deserializeState', () => {
  const r = rule(
    [
      el('s', 'start'),
      group('g', [el('x', 'a'), el('y', 'b', { quantifier: { min: 1, max: Infinity, contiguity: 'nondeterministic' } })], { contiguity: 'nondeterministic', quantifier: { min: 1, max: 2 } }),
      el('e', 'end', { condition: cond('count(y) >= 2', (_e, b) => b.events('y').length >= 2, ['y']) }),
    ],
    { within: 50, onTimeout: [] },
  );
  const input = events('s1:start@1 a1:a@2 b1:b@3 s2:start@4 b2:b@5 a2:a@6 b3:b@7 x:other@8 b4:b@9 e1:end@10 a3:a@11 b5:b@12 e2:end@13 s3:start@14 a4:a@80');

  function feed(events: readonly CepEvent[], cut: number): Match[] {
    const nfa = compile(r);
    let state = nfa.initialState();
    const out: Match[] = [];
    events.forEach((event, i) => {
      if (i === cut) state = nfa.deserializeState(JSON.parse(JSON.stringify(nfa.serializeState(state))));
      out.push(...nfa.advanceTime(state, event.time), ...nfa.process(state, event));
    });
    out.push(...nfa.advanceTime(state, Infinity));
    return out;
  }

  it('a round trip mid-match gives the same results', () => {
    const straight = feed(input, -1).map((m) => `${m.kind} ${m.start}-${m.end} ${render(m)}`);
    expect(straight.length).toBeGreaterThan(5);
    for (const cut of [3, 7, 10, 12]) {
      expect(feed(input, cut).map((m) => `${m.kind} ${m.start}-${m.end} ${render(m)}`)).toEqual(straight);
    }
  });

  it('shares events between partial matches in the serialised buffer', () => {
    const nfa = compile(r);
    const state = nfa.initialState();
    for (const event of input.slice(0, 9)) {
      nfa.advanceTime(state, event.time);
      nfa.process(state, event);
    }
    const data = nfa.serializeState(state) as { buffer: { events: unknown[] } };
    expect(nfa.partialMatchCount(state)).toBeGreaterThan(3);
    expect(data.buffer.events.length).toBeLessThanOrEqual(9);
  });

  it('rejects data it did not write', () => {
    const nfa = compile(r);
    expect(() => nfa.deserializeState({ hello: 1 })).toThrow(/serializeState/);
    expect(() => nfa.deserializeState({ version: 1, n: 0, buffer: { events: [], nodes: [] }, partials: [[999, -1, 0, 0]], completed: [] })).toThrow(/automaton state/);
  });
});

describe('recycled key states', () => {
  // Many keys of `a -> b within 150`, interleaved: a key's events come 97 ms apart, typed b a a b a a ..., each key's state released when it empties.
  const r = rule([el('a', 'a'), el('b', 'b')], { within: 150, skip: { kind: 'skipPastLastEvent' }, onTimeout: [] });
  const input: { key: number; event: CepEvent }[] = [];
  for (let i = 0; i < 3_000; i++) {
    const key = (i * 7919) % 97;
    input.push({ key, event: ev(i, i % 3 === 0 ? 'b' : 'a', i) });
  }

  /** Matches (kinds, times, events) of the stream, with or without releasing emptied states. */
  function feed(release: boolean): string[] {
    const nfa = compile(r);
    const states = new Map<number, ReturnType<typeof nfa.initialState>>();
    const out: string[] = [];
    for (const { key, event } of input) {
      const state = states.get(key) ?? nfa.initialState();
      states.set(key, state);
      for (const m of [...nfa.advanceTime(state, event.time), ...nfa.process(state, event)]) out.push(`${key} ${m.kind} ${m.start}-${m.end} ${render(m)}`);
      if (nfa.isEmpty(state)) {
        states.delete(key);
        if (release) nfa.release(state);
      }
    }
    return out;
  }

  it('give the same matches as fresh states', () => {
    const fresh = feed(false);
    expect(fresh.filter((m) => m.includes(' match ')).length).toBeGreaterThan(500);
    expect(fresh.filter((m) => m.includes(' timeout ')).length).toBeGreaterThan(50);
    expect(feed(true)).toEqual(fresh);
  });

  it('come back reset, last released first', () => {
    const nfa = compile(r);
    const state = nfa.initialState();
    nfa.process(state, ev(1, 'a', 1));
    nfa.process(state, ev(2, 'b', 2));
    expect(nfa.isEmpty(state)).toBe(true);
    nfa.release(state);
    const again = nfa.initialState();
    expect(again).toBe(state);
    expect(nfa.serializeState(again)).toEqual(nfa.serializeState(compile(r).initialState()));
  });

  it('are not taken while something is pending, nor twice', () => {
    const nfa = compile(r);
    const pending = nfa.initialState();
    nfa.process(pending, ev(1, 'a', 1));
    nfa.release(pending);
    expect(nfa.initialState()).not.toBe(pending);
    expect(nfa.partialMatchCount(pending)).toBe(1);

    const empty = nfa.initialState();
    nfa.release(empty);
    nfa.release(empty);
    const first = nfa.initialState();
    const second = nfa.initialState();
    expect(first).toBe(empty);
    expect(second).not.toBe(empty);
  });

  it('a vacant state the holder keeps is taken over as it is, holder fields untouched, and clear empties a state without a match', () => {
    const nfa = compile(r);
    const other = compile(rule([el('x', 'c'), el('y', 'd')], { within: 10 }));
    const vacant = other.initialState();
    other.process(vacant, ev(1, 'c', 1));
    vacant.lru = 7;
    vacant.rules = 'holder';
    other.clear(vacant);
    expect(other.isEmpty(vacant)).toBe(true);
    expect(other.advanceTime(vacant, Infinity)).toEqual([]);
    const taken = nfa.initialState(vacant);
    expect(taken).toBe(vacant);
    expect([taken.lru, taken.rules]).toEqual([7, 'holder']);
    expect(nfa.serializeState(taken)).toEqual(nfa.serializeState(compile(r).initialState()));
    expect(nfa.process(taken, ev(2, 'a', 2))).toEqual([]);
    expect(nfa.process(taken, ev(3, 'b', 3)).map(render)).toEqual(['a:2 b:3']);
    // A state of another class (another NFA implementation's) is not taken.
    class Foreign extends NfaState {}
    const foreign = new Foreign();
    expect(nfa.initialState(foreign)).not.toBe(foreign);
  });

  it('are kept up to a bound', () => {
    const nfa = compile(r);
    const released = new Set(Array.from({ length: 5_000 }, () => nfa.initialState()));
    for (const state of released) nfa.release(state);
    const reused = Array.from({ length: 5_000 }, () => nfa.initialState()).filter((state) => released.has(state)).length;
    expect(reused).toBeGreaterThan(0);
    expect(reused).toBeLessThanOrEqual(1_024);
  });
});

describe('condition errors', () => {
  it('a condition that throws is false and counted', () => {
    const boom = cond('boom', (e) => {
      if (e.data.bad === true) throw new Error('boom');
      return true;
    });
    const r = rule([el('a', 'a', { condition: boom }), el('b', 'b')]);
    const result = run(r, events('a1:a a2:a b:b', { a1: { bad: true } }));
    expect(result.matches).toEqual(['a:a2 b:b']);
    expect(result.nfa.stats.conditionErrors).toBe(1);
  });
});

describe('relevantTypes', () => {
  it('lists every type of a relaxed pattern, negations included', () => {
    const nfa = compile(rule([el('a', 'a'), el('n', 'n', { negated: true }), el('b', 'b', { contiguity: 'nondeterministic' })]));
    expect([...(nfa.relevantTypes ?? [])].sort()).toEqual(['a', 'b', 'n']);
  });

  it('is null when any event can matter', () => {
    expect(compile(rule([el('a', 'a'), el('b', 'b', { contiguity: 'strict' })])).relevantTypes).toBeNull();
    expect(compile(rule([el('a', 'a'), el('b', null)])).relevantTypes).toBeNull();
    // A trailing not after a loop: any event moves the partial match into the waiting state.
    expect(compile(rule([el('e1', 'b', { quantifier: { min: 1, max: Infinity } }), el('e2', 'a', { negated: true })], { within: 8 })).relevantTypes).toBeNull();
    expect([...(compile(rule([el('e1', 'b'), el('e2', 'a', { negated: true })], { within: 8 })).relevantTypes ?? [])].sort()).toEqual(['a', 'b']);
    expect(compile(rule([el('a', 'a', { quantifier: { min: 2, max: 3, contiguity: 'strict' } })])).relevantTypes).toBeNull();
    expect(compile(rule([el('a', 'a', { quantifier: { min: 1, max: Infinity, until: cond('x', () => true) } })])).relevantTypes).toBeNull();
  });

  it('skipping irrelevant events gives the same matches', () => {
    const r = rule([el('a', 'a'), el('b', 'b', { quantifier: { min: 1, max: 2, optional: true } }), el('n', 'n', { negated: true }), el('c', 'c')], { within: 100 });
    const all = events('a1:a x1:x b1:b x2:x x3:y b2:b c1:c a2:a x4:x n:n c2:c a3:a c3:c');
    const relevant = compile(r).relevantTypes as ReadonlySet<string>;
    expect(run(r, all.filter((e) => relevant.has(e.type))).matches).toEqual(run(r, all).matches);
  });
});
