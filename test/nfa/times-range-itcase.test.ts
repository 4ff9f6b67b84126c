/**
 * Scenarios of Flink CEP's TimesRangeITCase (`{n,m}` quantifiers), restated in our own words; each
 * test names the Flink method. Rules use Flink's `noSkip`. Flink's `times(0, m)` is `times(1, m)`
 * made optional, written `{1,m} optional` here (the language's lower bound is at least 1).
 */
import { describe, expect, it } from 'vitest';
import { el, rule } from './build.js';
import { events, flat } from './harness.js';
import type { Contiguity, Quantifier } from '../../src/nfa/rule.js';

/** `c <op> a{min,max}[flags] -> b`. */
function cAB(op: Contiguity, q: Partial<Quantifier> & { min: number; max: number }) {
  return rule([el('start', 'c'), el('middle', 'a', { contiguity: op, quantifier: q }), el('end1', 'b')]);
}

const plain = () => events('c:c m1:a m2:a m3:a b:b');
const withF = () => events('c:c f1:f m1:a f2:f m2:a m3:a b:b');

describe('TimesRangeITCase', () => {
  it('testTimesRange: c next a{1,3} combinations -> b', () => {
    expect(flat(cAB('strict', { min: 1, max: 3, contiguity: 'nondeterministic' }), plain())).toEqual(['c m1 b', 'c m1 m2 b', 'c m1 m2 m3 b', 'c m1 m3 b']);
  });

  it('testTimesRangeFromZero: c next a{0,2} combinations -> b', () => {
    expect(flat(cAB('strict', { min: 1, max: 2, optional: true, contiguity: 'nondeterministic' }), plain())).toEqual(['c b', 'c m1 b', 'c m1 m2 b', 'c m1 m3 b']);
  });

  it('testTimesRangeNonStrict: c ->> a{1,3} combinations -> b', () => {
    expect(flat(cAB('nondeterministic', { min: 1, max: 3, contiguity: 'nondeterministic' }), withF())).toEqual(
      ['c m1 m2 m3 b', 'c m1 m2 b', 'c m1 m3 b', 'c m2 m3 b', 'c m1 b', 'c m2 b', 'c m3 b'].sort(),
    );
  });

  it('testTimesRangeStrict: c ->> a{0,3} consecutive -> b', () => {
    expect(flat(cAB('nondeterministic', { min: 1, max: 3, optional: true, contiguity: 'strict' }), withF())).toEqual(['c b', 'c m1 b', 'c m2 b', 'c m2 m3 b', 'c m3 b']);
  });

  it('testTimesRangeStrictOptional: c ->> a{1,3} consecutive optional -> b', () => {
    expect(flat(cAB('nondeterministic', { min: 1, max: 3, optional: true, contiguity: 'strict' }), withF())).toEqual(['c b', 'c m1 b', 'c m2 b', 'c m2 m3 b', 'c m3 b']);
  });

  it('testTimesRangeStrictOptional1: c next a{1,3} consecutive optional -> b', () => {
    expect(flat(cAB('strict', { min: 1, max: 3, optional: true, contiguity: 'strict' }), plain())).toEqual(['c b', 'c m1 b', 'c m1 m2 b', 'c m1 m2 m3 b']);
  });

  it('testTimesRangeNonStrictOptional1: c -> a{1,3} optional -> b', () => {
    expect(flat(cAB('relaxed', { min: 1, max: 3, optional: true }), events('c:c f:f b:b'))).toEqual(['c b']);
  });

  it('testTimesRangeNonStrictOptional2: c ->> a{2,3} combinations optional -> b', () => {
    expect(flat(cAB('nondeterministic', { min: 2, max: 3, optional: true, contiguity: 'nondeterministic' }), withF())).toEqual(
      ['c b', 'c m1 m2 b', 'c m1 m2 m3 b', 'c m1 m3 b', 'c m2 m3 b'],
    );
  });

  it('testTimesRangeNonStrictOptional3: c ->> a{2,3} optional -> b', () => {
    expect(flat(cAB('nondeterministic', { min: 2, max: 3, optional: true }), withF())).toEqual(['c b', 'c m1 m2 b', 'c m1 m2 m3 b', 'c m2 m3 b']);
  });

  it('testTimesRangeNonStrictWithNext: c next a{2,3} combinations -> b', () => {
    expect(flat(cAB('strict', { min: 2, max: 3, contiguity: 'nondeterministic' }), events('c:c m1:a f1:f m2:a f2:f m3:a b:b'))).toEqual(['c m1 m2 b', 'c m1 m2 m3 b', 'c m1 m3 b']);
  });

  it('testTimesRangeNotStrictWithFollowedBy: c -> a{2,3} -> b', () => {
    expect(flat(cAB('relaxed', { min: 2, max: 3 }), plain())).toEqual(['c m1 m2 b', 'c m1 m2 m3 b']);
  });

  it('testTimesRangeNotStrictWithFollowedByAny: c ->> a{2,3} combinations -> b', () => {
    expect(flat(cAB('nondeterministic', { min: 2, max: 3, contiguity: 'nondeterministic' }), plain())).toEqual(['c m1 m2 b', 'c m1 m2 m3 b', 'c m1 m3 b', 'c m2 m3 b']);
  });
});
