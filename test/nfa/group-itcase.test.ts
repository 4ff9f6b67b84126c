/**
 * Scenarios of Flink CEP's GroupITCase (flink-cep 1.20: group patterns, `( ... )` here), restated
 * in our own words; each test names the Flink method. Rules use Flink's `noSkip`.
 */
import { describe, expect, it } from 'vitest';
import { el, group, rule } from './build.js';
import { events, flat, flatten, run } from './harness.js';
import type { Contiguity, Quantifier } from '../../src/nfa/rule.js';

type Q = Partial<Quantifier> & { min: number; max: number };
const plus: Q = { min: 1, max: Infinity };
const star: Q = { min: 1, max: Infinity, optional: true };
const opt: Q = { min: 1, max: 1, optional: true };

/** `c <op> (a -> b)<q> -> d`, Flink's usual group scenario. */
function cGroupD(quantifier: Q | undefined, contiguity: Contiguity = 'relaxed', inner: Contiguity = 'relaxed') {
  return rule([el('start', 'c'), group('g', [el('middle1', 'a'), el('middle2', 'b', { contiguity: inner })], { quantifier, contiguity }), el('end', 'd')]);
}

const abab = () => events('c:c a1:a b1:b a2:a b2:b d:d');
const ababab = () => events('c:c a1:a b1:b a2:a b2:b a3:a b3:b d:d');

describe('GroupITCase', () => {
  it('testGroupFollowedByTimes: c -> (a -> b){2} -> d', () => {
    expect(flat(cGroupD({ min: 2, max: 2 }), abab())).toEqual(['c a1 b1 a2 b2 d']);
  });

  it('testGroupFollowedByOptional: c -> (a -> b)? -> d', () => {
    expect(flat(cGroupD(opt), events('c:c a1:a a2:a b:b d:d'))).toEqual(['c a1 b d', 'c d']);
  });

  it('testFollowedByGroupTimesOptional: c -> (a -> b){2} optional -> d', () => {
    expect(flat(cGroupD({ min: 2, max: 2, optional: true }), events('c:c a:a d:d'))).toEqual(['c d']);
  });

  it('testGroupFollowedByOneOrMore: c -> (a -> b)+ -> d', () => {
    expect(flat(cGroupD(plus), abab())).toEqual(['c a1 b1 a2 b2 d', 'c a1 b1 d']);
  });

  it('testGroupFollowedByZeroOrMore: c -> (a -> b)* -> d', () => {
    expect(flat(cGroupD(star), abab())).toEqual(['c a1 b1 a2 b2 d', 'c a1 b1 d', 'c d']);
  });

  it('testGroupFollowedByAnyTimesCombinations: c ->> (a -> b){2} combinations -> d', () => {
    expect(flat(cGroupD({ min: 2, max: 2, contiguity: 'nondeterministic' }, 'nondeterministic'), ababab())).toEqual(['c a1 b1 a2 b2 d', 'c a1 b1 a3 b3 d', 'c a2 b2 a3 b3 d']);
  });

  it('testGroupFollowedByAnyTimesOptional: c ->> (a -> b){2} optional -> d', () => {
    expect(flat(cGroupD({ min: 2, max: 2, optional: true }, 'nondeterministic'), ababab())).toEqual(['c a1 b1 a2 b2 d', 'c a2 b2 a3 b3 d', 'c d']);
  });

  it('testGroupFollowedByAnyOneOrMore: c ->> (a -> b)+ -> d', () => {
    expect(flat(cGroupD(plus, 'nondeterministic'), ababab())).toEqual(
      ['c a1 b1 d', 'c a2 b2 d', 'c a3 b3 d', 'c a1 b1 a2 b2 d', 'c a2 b2 a3 b3 d', 'c a1 b1 a2 b2 a3 b3 d'].sort(),
    );
  });

  it('testGroupNextZeroOrMore: c next (a -> b)* consecutive -> d', () => {
    expect(flat(cGroupD({ ...star, contiguity: 'strict' }, 'strict'), ababab())).toEqual(['c a1 b1 a2 b2 a3 b3 d', 'c a1 b1 a2 b2 d', 'c a1 b1 d', 'c d']);
  });

  it('testGroupNotFollowedBy: c ->> (a -> b) -> not d -> e', () => {
    const r = rule([el('start', 'c'), group('g', [el('middle1', 'a'), el('middle2', 'b')], { contiguity: 'nondeterministic' }), el('notPattern', 'd', { negated: true }), el('end', 'e')]);
    expect(flat(r, events('c:c a1:a b1:b d:d a2:a b2:b e:e'))).toEqual(['c a2 b2 e']);
  });

  it('testGroupNotNext: c ->> (a -> b) next not d -> e', () => {
    const r = rule([el('start', 'c'), group('g', [el('middle1', 'a'), el('middle2', 'b')], { contiguity: 'nondeterministic' }), el('notPattern', 'd', { negated: true, contiguity: 'strict' }), el('end', 'e')]);
    expect(flat(r, events('c:c a1:a b1:b d:d a2:a b2:b e:e'))).toEqual(['c a2 b2 e']);
  });

  it('testGroupNest: d -> (a -> (b -> c)*)? -> e', () => {
    const r = rule([el('start', 'd'), group('g1', [el('middle1', 'a'), group('g2', [el('middle2', 'b'), el('middle3', 'c')], { quantifier: star })], { quantifier: opt }), el('end', 'e')]);
    expect(flat(r, events('d:d a1:a b1:b c1:c b2:b c2:c e:e'))).toEqual(['d a1 b1 c1 b2 c2 e', 'd a1 b1 c1 e', 'd a1 e', 'd e']);
  });

  const nestInput = () => events('d:d a1:a b1:b c1:c b2:b c2:c b3:b c3:c a2:a b4:b c4:c b5:b c5:c b6:b c6:c e:e');

  it('testGroupNestTimes: d ->> (a -> (b -> c){3}){0,2} -> e', () => {
    // Flink's times(0, 2) is times(1, 2) made optional.
    const r = rule([
      el('start', 'd'),
      group('g1', [el('middle1', 'a'), group('g2', [el('middle2', 'b'), el('middle3', 'c')], { quantifier: { min: 3, max: 3 } })], { contiguity: 'nondeterministic', quantifier: { min: 1, max: 2, optional: true } }),
      el('end', 'e'),
    ]);
    expect(flat(r, nestInput())).toEqual(
      ['d e', 'd a1 b1 c1 b2 c2 b3 c3 e', 'd a2 b4 c4 b5 c5 b6 c6 e', 'd a1 b1 c1 b2 c2 b3 c3 a2 b4 c4 b5 c5 b6 c6 e'].sort(),
    );
  });

  it('testGroupNestTimesConsecutive: consecutive loops broken by another event', () => {
    const r = rule([
      el('start', 'd'),
      group('g1', [el('middle1', 'a'), group('g2', [el('middle2', 'b'), el('middle3', 'c')], { quantifier: { min: 3, max: 3, contiguity: 'strict' } })], {
        contiguity: 'nondeterministic',
        quantifier: { min: 1, max: 2, optional: true, contiguity: 'strict' },
      }),
      el('end', 'e'),
    ]);
    const input = events('d:d a1:a b1:b c1:c b2:b c2:c b3:b c3:c a2:a b4:b c4:c x:breaking b5:b c5:c b6:b c6:c e:e');
    expect(flat(r, input)).toEqual(['d a1 b1 c1 b2 c2 b3 c3 e', 'd e']);
  });

  it('testGroupBegin: (a -> b){1,2} -> d', () => {
    const r = rule([group('g', [el('middle1', 'a'), el('middle2', 'b')], { quantifier: { min: 1, max: 2 } }), el('end', 'd')]);
    expect(flat(r, events('a1:a b1:b a2:a b2:b d:d'))).toEqual(['a1 b1 a2 b2 d', 'a1 b1 d', 'a2 b2 d']);
  });

  it('testGroupFollowedByOneOrMoreWithUntilCondition: c -> (a -> b)+ until [name == "d"] -> d', () => {
    const until = { source: 'name == "d"', test: (e: { data: Readonly<Record<string, unknown>> }) => e.data.name === 'd', reads: [] };
    const r = cGroupD({ ...plus, until });
    const result = run(r, abab(), { end: 6 });
    expect([...result.all.map(flatten)].sort()).toEqual(['c a1 b1 a2 b2 d', 'c a1 b1 d']);
    // Flink leaves only its start state; here the start state is implicit, so nothing is left.
    expect(result.nfa.partialMatchCount(result.state)).toBe(0);
  });

  it('testGroupStartsWithOptionalPattern: a next (b? next c) next d', () => {
    const r = rule([el('start', 'a'), group('g', [el('middle1', 'b', { quantifier: opt }), el('middle2', 'c', { contiguity: 'strict' })], { contiguity: 'strict' }), el('d', 'd', { contiguity: 'strict' })]);
    expect(flat(r, events('a:a c:c d:d'))).toEqual(['a c d']);
  });

  it('testFollowedByOptionalGroupPattern: a -> (b next c)? next d', () => {
    const r = rule([el('start', 'a'), group('g', [el('middle1', 'b'), el('middle2', 'c', { contiguity: 'strict' })], { quantifier: opt }), el('d', 'd', { contiguity: 'strict' })]);
    expect(flat(r, events('a:a d1:d d2:d'))).toEqual(['a d1']);
  });
});
