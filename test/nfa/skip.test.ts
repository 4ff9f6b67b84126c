/**
 * After-match skip strategies (Flink `AfterMatchSkipStrategy`, DSL.md section 6) and the order of
 * matches completing on the same event (earlier first event first, then the lexicographically
 * earlier event sequence). The `b+ greedy -> c` scenario is the one of Flink's documentation.
 */
import { describe, expect, it } from 'vitest';
import { cond, el, rule } from './build.js';
import { events, run } from './harness.js';
import type { SkipStrategy } from '../../src/nfa/rule.js';

const bPlusC = (skip: SkipStrategy) => rule([el('b', 'b', { quantifier: { min: 1, max: Infinity, greedy: true } }), el('c', 'c')], { skip });
const input = () => events('b1:b b2:b b3:b c:c');

describe('after-match skip strategies on b+ greedy -> c', () => {
  it('noSkip: every match, earliest first event first', () => {
    expect(run(bPlusC({ kind: 'noSkip' }), input()).matches).toEqual(['b:b1,b2,b3 c:c', 'b:b2,b3 c:c', 'b:b3 c:c']);
  });

  it('skipToNext: keeps matches starting after the first event', () => {
    expect(run(bPlusC({ kind: 'skipToNext' }), input()).matches).toEqual(['b:b1,b2,b3 c:c', 'b:b2,b3 c:c', 'b:b3 c:c']);
  });

  it('skipPastLastEvent: one match per run of events', () => {
    expect(run(bPlusC({ kind: 'skipPastLastEvent' }), input()).matches).toEqual(['b:b1,b2,b3 c:c']);
  });

  it('skipToFirst b: nothing starts before the first b', () => {
    expect(run(bPlusC({ kind: 'skipToFirst', alias: 'b' }), input()).matches).toEqual(['b:b1,b2,b3 c:c', 'b:b2,b3 c:c', 'b:b3 c:c']);
  });

  it('skipToLast b: matches starting before the last b are dropped', () => {
    expect(run(bPlusC({ kind: 'skipToLast', alias: 'b' }), input()).matches).toEqual(['b:b1,b2,b3 c:c', 'b:b3 c:c']);
  });

  it('skipToFirst an alias absent from the match prunes nothing', () => {
    const r = rule([el('a', 'a', { quantifier: { min: 1, max: 1, optional: true } }), el('c', 'c')], { skip: { kind: 'skipToFirst', alias: 'a' } });
    expect(run(r, events('c1:c c2:c')).matches).toEqual(['c:c1', 'c:c2']);
  });
});

describe('matches held back by a skip strategy', () => {
  const sameKey = cond('k == a.k', (e, b) => b.events('a')[0]?.data.k === e.data.k, ['a']);
  const r = (skip: SkipStrategy, within?: number) => rule([el('a', 'a'), el('b', 'b', { condition: sameKey })], { skip, within });
  const data = { a1: { k: 1 }, a2: { k: 2 }, b2: { k: 2 }, b1: { k: 1 } };

  it('noSkip emits each match when it completes', () => {
    expect(run(r({ kind: 'noSkip' }), events('a1:a a2:a b2:b b1:b', data)).matches).toEqual(['a:a2 b:b2', 'a:a1 b:b1']);
  });

  it('skipPastLastEvent waits for the earlier partial match, which then wins and prunes the later one', () => {
    const result = run(r({ kind: 'skipPastLastEvent' }), events('a1:a a2:a b2:b', data), { end: 3 });
    expect(result.matches).toEqual([]);
    expect(result.nfa.isEmpty(result.state)).toBe(false);
    expect(run(r({ kind: 'skipPastLastEvent' }), events('a1:a a2:a b2:b b1:b', data)).matches).toEqual(['a:a1 b:b1']);
  });

  it('a held match is released when the earlier partial match times out', () => {
    const result = run(r({ kind: 'skipPastLastEvent' }, 10), events('a1:a@0 a2:a@1 b2:b@2', data), { end: 10 });
    expect(result.matches).toEqual(['a:a2 b:b2']);
    expect(result.nfa.isEmpty(result.state)).toBe(true);
  });
});

describe('order of matches completing on the same event', () => {
  it('earlier first event first, then the lexicographically earlier sequence', () => {
    const r = rule([el('a', 'a'), el('b', 'b', { contiguity: 'nondeterministic' }), el('c', 'c', { contiguity: 'nondeterministic' })]);
    expect(run(r, events('a1:a a2:a b1:b b2:b c:c')).matches).toEqual([
      'a:a1 b:b1 c:c',
      'a:a1 b:b2 c:c',
      'a:a2 b:b1 c:c',
      'a:a2 b:b2 c:c',
    ]);
  });
});
