/**
 * Automaton shapes as (from, action, to) triples (after Flink's NFACompilerTest). States are
 * labelled `name#id`; ids follow the compiler's backward construction (final state first).
 */
import { describe, expect, it } from 'vitest';
import { buildAutomaton, describeCondition, triples } from '../../src/nfa/index.js';
import { el, group, rule } from './build.js';

describe('compiler shapes', () => {
  it('a -> b: take into the next state, ignore what does not match (skip till next)', () => {
    const automaton = buildAutomaton(rule([el('a', 'a'), el('b', 'b')]));
    expect(triples(automaton)).toEqual([
      ['b#1', 'take', '$end#0'],
      ['b#1', 'ignore', 'b#1'],
      ['a#2', 'take', 'b#1'],
      ['a#2', 'ignore', 'a#2'],
    ]);
    expect(automaton.states.map((s) => s.kind)).toEqual(['final', 'normal', 'start']);
    expect(describeCondition(automaton.states[1].transitions[1].condition)).toBe('not (type == "b")');
  });

  it('a next b: no ignore edge; a ->> b: ignore on true', () => {
    expect(triples(buildAutomaton(rule([el('a', 'a'), el('b', 'b', { contiguity: 'strict' })])))).toEqual([
      ['b#1', 'take', '$end#0'],
      ['a#2', 'take', 'b#1'],
      ['a#2', 'ignore', 'a#2'],
    ]);
    const any = buildAutomaton(rule([el('a', 'a'), el('b', 'b', { contiguity: 'nondeterministic' })]));
    expect(describeCondition(any.states[1].transitions[1].condition)).toBe('true');
  });

  it('a -> b+: a head copy, then the looping state with its ignore twin (Kleene closure)', () => {
    expect(triples(buildAutomaton(rule([el('a', 'a'), el('b', 'b', { quantifier: { min: 1, max: Infinity } })])))).toEqual([
      ['b#1', 'proceed', '$end#0'],
      ['b#1', 'take', 'b#1'],
      ['b#1', 'ignore', 'b#2'],
      ['b#2', 'take', 'b#1'],
      ['b#2', 'ignore', 'b#2'],
      ['b#3', 'take', 'b#1'],
      ['b#3', 'ignore', 'b#3'],
      ['a#4', 'take', 'b#3'],
      ['a#4', 'ignore', 'a#4'],
    ]);
  });

  it('a -> not n -> c: the state after the negation proceeds to a stop state on n', () => {
    const automaton = buildAutomaton(rule([el('a', 'a'), el('n', 'n', { negated: true }), el('c', 'c')]));
    expect(triples(automaton)).toEqual([
      ['c#1', 'take', '$end#0'],
      ['c#1', 'ignore', 'c#1'],
      ['c#1', 'proceed', 'n#2'],
      ['n#2', 'take', 'n#2'],
      ['a#3', 'take', 'c#1'],
      ['a#3', 'ignore', 'a#3'],
    ]);
    expect(automaton.states[2].kind).toBe('stop');
  });

  it('o -> not p within: a pending state that ignores all but p', () => {
    const automaton = buildAutomaton(rule([el('o', 'o'), el('p', 'p', { negated: true })], { within: 1000 }));
    expect(triples(automaton)).toEqual([
      ['p#1', 'proceed', 'p#2'],
      ['p#1', 'ignore', 'p#1'],
      ['p#2', 'take', 'p#2'],
      ['o#3', 'take', 'p#1'],
      ['o#3', 'ignore', 'o#3'],
    ]);
    expect(automaton.states.map((s) => s.kind)).toEqual(['final', 'pending', 'stop', 'start']);
  });

  it('a next not b at the end: ignore into the final state on not b', () => {
    expect(triples(buildAutomaton(rule([el('a', 'a'), el('b', 'b', { negated: true, contiguity: 'strict' })])))).toEqual([
      ['b#1', 'ignore', '$end#0'],
      ['b#1', 'proceed', 'b#2'],
      ['b#2', 'take', 'b#2'],
      ['a#3', 'take', 'b#1'],
      ['a#3', 'ignore', 'a#3'],
    ]);
  });

  it('(a -> b)? -> c: the head of the optional group proceeds past it and ignores into a twin without that proceed', () => {
    const automaton = buildAutomaton(rule([group('g', [el('a', 'a'), el('b', 'b')], { quantifier: { min: 1, max: 1, optional: true } }), el('c', 'c')]));
    expect(triples(automaton)).toEqual([
      ['c#1', 'take', '$end#0'],
      ['c#1', 'ignore', 'c#1'],
      ['b#2', 'take', 'c#1'],
      ['b#2', 'ignore', 'b#2'],
      ['a#3', 'take', 'b#2'],
      ['a#3', 'ignore', 'a#4'],
      ['a#3', 'proceed', 'c#1'],
      ['a#4', 'take', 'b#2'],
      ['a#4', 'ignore', 'a#4'],
    ]);
    expect(automaton.start).toBe(3);
  });

  it('rejects patterns the language forbids', () => {
    expect(() => buildAutomaton(rule([el('n', 'n', { negated: true }), el('a', 'a')]))).toThrow(/may not begin with "not"/);
    expect(() => buildAutomaton(rule([]))).toThrow(/empty/);
    expect(() => buildAutomaton(rule([el('a', 'a'), el('n', 'n', { negated: true, quantifier: { min: 2, max: 2 } }), el('b', 'b')]))).toThrow(/quantified/);
  });
});
