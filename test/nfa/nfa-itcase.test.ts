/**
 * Scenarios of Flink CEP's NFAITCase (flink-cep, org.apache.flink.cep.nfa), restated in our own
 * words: each test names the Flink method it comes from. Flink's tests run without a skip
 * strategy (`noSkip`); so do these rules. Events carry their Flink name as their type.
 */
import { describe, expect, it } from 'vitest';
import { cond, el, rule } from './build.js';
import { events, flat, run } from './harness.js';

const A = (alias: string, type: string, o: Parameters<typeof el>[2] = {}) => el(alias, type, o);
const plus = { min: 1, max: Infinity };
const star = { min: 1, max: Infinity, optional: true };

describe('NFAITCase', () => {
  it('testNoConditionNFA: any -> any pairs each event with the next', () => {
    const r = rule([el('start', null), el('end', null)]);
    expect(flat(r, events('a:a b:b c:c d:d e:e'))).toEqual(['a b', 'b c', 'c d', 'd e']);
  });

  it('testAnyWithNoConditionNFA: any ->> any pairs every two events', () => {
    const r = rule([el('start', null), el('end', null, { contiguity: 'nondeterministic' })]);
    expect(flat(r, events('a:a b:b c:c d:d e:e'))).toEqual(['a b', 'a c', 'a d', 'a e', 'b c', 'b d', 'b e', 'c d', 'c e', 'd e']);
  });

  it('testSimplePatternNFA: start -> middle[volume > 5] -> end', () => {
    const r = rule([A('start', 'start'), el('middle', 'sub', { condition: cond('volume > 5', (e) => (e.data.volume as number) > 5) }), A('end', 'end')]);
    const input = events('s:start@1 x:foobar@2 y:sub@3 m:sub@3 s2:start@4 e:end@5', { y: { volume: 5 }, m: { volume: 10 } });
    expect(flat(r, input)).toEqual(['s m e']);
  });

  it('testStrictContinuityWithResults: a next b', () => {
    const r = rule([A('middle', 'a'), A('end', 'b', { contiguity: 'strict' })]);
    expect(flat(r, events('m:a@3 e:b@5'))).toEqual(['m e']);
  });

  it('testStrictContinuityNoResults: a next b with c between', () => {
    const r = rule([A('middle', 'a'), A('end', 'b', { contiguity: 'strict' })]);
    expect(flat(r, events('m:a@3 c:c@4 e:b@5'))).toEqual([]);
  });

  it('testSimplePatternWithTimeWindowNFA: within 10 drops partial matches whose deadline passed', () => {
    const r = rule([A('start', 'start'), A('middle', 'middle'), A('end', 'end')], { within: 10 });
    const input = events('1:start@1 2:start@2 3:middle@3 4:foobar@4 5:end@11 6:end@13');
    expect(flat(r, input)).toEqual(['2 3 5']);
  });

  it('testSimplePatternWithTimeoutHandling: timed-out partial matches are returned', () => {
    const r = rule([A('start', 'start'), A('middle', 'middle', { contiguity: 'nondeterministic' }), A('end', 'end', { contiguity: 'nondeterministic' })], {
      within: 10,
      onTimeout: [],
    });
    const input = events('1:start@1 2:start@2 3:middle@3 4:foobar@4 5:end@11 6:end@13');
    const result = run(r, input, { end: 13 });
    expect(result.matches).toEqual(['start:2 middle:3 end:5']);
    expect([...result.timeouts].sort()).toEqual(['start:1', 'start:1 middle:3', 'start:2', 'start:2 middle:3']);
  });

  it('testBranchingPattern: followedByAny branches over every middle event', () => {
    const r = rule([
      A('start', 'start'),
      el('first', 'sub', { contiguity: 'nondeterministic', condition: cond('volume > 5', (e) => (e.data.volume as number) > 5) }),
      el('second', 'sub', { contiguity: 'nondeterministic', condition: cond('name == "next-one"', (e) => e.data.name === 'next-one') }),
      A('end', 'end', { contiguity: 'nondeterministic' }),
    ]);
    const big = { volume: 10 };
    const small = { name: 'next-one', volume: 2 };
    const input = events('s:start@1 m1:sub@3 m2:sub@4 m3:sub@5 n1:sub@6 n2:sub@7 e:end@8', { m1: big, m2: big, m3: big, n1: small, n2: small });
    expect(flat(r, input)).toEqual(['s m1 n1 e', 's m1 n2 e', 's m2 n1 e', 's m2 n2 e', 's m3 n1 e', 's m3 n2 e']);
  });

  it('testComplexBranchingAfterZeroOrMore', () => {
    const r = rule([
      A('start', 'c'),
      A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }),
      A('end1', 'b', { contiguity: 'nondeterministic' }),
      A('end2', 'd', { contiguity: 'nondeterministic' }),
      A('end3', 'e', { contiguity: 'nondeterministic' }),
    ]);
    const input = events('s:c@1 m1:a@3 m2:a@4 m3:a@5 b:b@6 d1:d@7 d2:d@8 e:e@9');
    const expected: string[] = [];
    for (const d of ['d1', 'd2']) {
      for (const ms of ['m1 m2 m3', 'm1 m2', 'm1 m3', 'm2 m3', 'm1', 'm2', 'm3', '']) {
        expected.push(['s', ms, 'b', d, 'e'].filter((x) => x !== '').join(' '));
      }
    }
    expect(flat(r, input)).toEqual(expected.sort());
  });

  it('testZeroOrMore: c ->> a* combinations -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 b:b@6'))).toEqual(['s b', 's m1 b', 's m1 m2 b', 's m2 b']);
  });

  it('testEagerZeroOrMore: c -> a* -> b takes consecutive runs of a', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: star }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 x:d@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m1 b', 's m1 m2 b', 's m1 m2 m3 b']);
  });

  it('testBeginWithZeroOrMore: a* -> b', () => {
    const r = rule([A('middle', 'a', { quantifier: star }), A('end', 'b')]);
    expect(flat(r, events('m1:a@3 m2:a@4 m3:a@5 e:b@6'))).toEqual(['e', 'm1 e', 'm1 m2 e', 'm1 m2 m3 e', 'm2 e', 'm2 m3 e', 'm3 e']);
  });

  it('testZeroOrMoreAfterZeroOrMore', () => {
    const r = rule([
      A('start', 'c'),
      A('first', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }),
      A('second', 'd', { quantifier: { ...star, contiguity: 'nondeterministic' } }),
      A('end', 'e'),
    ]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:d@4 m3:d@5 e:e@6'))).toEqual(['s e', 's m1 e', 's m1 m2 e', 's m1 m2 m3 e', 's m2 e', 's m2 m3 e'].sort());
  });

  it('testZeroOrMoreAfterBranching', () => {
    const r = rule([
      A('start', 'c'),
      A('branching', 'a', { contiguity: 'nondeterministic' }),
      A('merging', 'f', { contiguity: 'nondeterministic' }),
      A('kleene', 'd', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }),
      A('end', 'e'),
    ]);
    const expected = ['m1', 'm2'].flatMap((m) => ['', 'k1', 'k2', 'k1 k2'].map((k) => ['s', m, 'f', k, 'e'].filter((x) => x !== '').join(' ')));
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 f:f@5 k1:d@6 k2:d@7 e:e@8'))).toEqual(expected.sort());
  });

  it('testStrictContinuityNoResultsAfterZeroOrMore: d -> a* next b with c before b', () => {
    const r = rule([A('start', 'd'), A('middle', 'a', { quantifier: star }), A('end', 'b', { contiguity: 'strict' })]);
    expect(flat(r, events('s:d@1 m1:a@2 m2:a@3 c:c@4 e:b@5'))).toEqual([]);
  });

  it('testStrictContinuityResultsAfterZeroOrMore: d ->> a* combinations next b', () => {
    const r = rule([A('start', 'd'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }), A('end', 'b', { contiguity: 'strict' })]);
    expect(flat(r, events('s:d@1 m1:a@2 m2:a@3 e:b@5'))).toEqual(['s m1 m2 e', 's m2 e']);
  });

  it('testAtLeastOne: c ->> a+ combinations ->> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...plus, contiguity: 'nondeterministic' } }), A('end1', 'b', { contiguity: 'nondeterministic' })]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 b:b@6'))).toEqual(['s m1 b', 's m1 m2 b', 's m2 b']);
  });

  it('testBeginWithAtLeastOne: a+ combinations -> b', () => {
    const r = rule([A('start', 'a', { quantifier: { ...plus, contiguity: 'nondeterministic' } }), A('end', 'b')]);
    expect(flat(r, events('a1:a@3 a2:a@4 a3:a@5 b:b@6'))).toEqual(['a1 a2 a3 b', 'a1 a2 b', 'a1 a3 b', 'a1 b', 'a2 a3 b', 'a2 b', 'a3 b']);
  });

  it('testNextZeroOrMore: start next middle* consecutive -> end', () => {
    const r = rule([A('start', 'start'), A('middle', 'middle', { contiguity: 'strict', quantifier: { ...star, contiguity: 'strict' } }), A('end', 'end')]);
    expect(flat(r, events('s:start@1 x:event@2 m1:middle@3 m2:middle@4 m3:middle@5 e:end@6'))).toEqual(['s e']);
  });

  it('testAtLeastOneEager: c ->> a+ ->> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: plus }), A('end1', 'b', { contiguity: 'nondeterministic' })]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 m3:a@5 b:b@6'))).toEqual(['s m1 b', 's m1 m2 b', 's m1 m2 m3 b', 's m2 b', 's m2 m3 b', 's m3 b']);
  });

  it('testOptional: c -> a? -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: { min: 1, max: 1, optional: true } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m:a@5 b:b@6'))).toEqual(['s b', 's m b']);
  });

  it('testTimes: c next a{2} combinations -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@2 m2:a@3 m3:a@4 b:b@6'))).toEqual(['s m1 m2 b', 's m1 m3 b']);
  });

  it('testStartWithTimes: a{2} consecutive -> b', () => {
    const r = rule([A('middle', 'a', { quantifier: { min: 2, max: 2, contiguity: 'strict' } }), A('end1', 'b')]);
    expect(flat(r, events('m1:a@2 m2:a@3 m3:a@4 b:b@6'))).toEqual(['m1 m2 b', 'm2 m3 b']);
  });

  it('testTimesNonStrictWithNext: c next a{2} combinations -> b, with f between', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@2 f1:f@3 m2:a@4 f2:f@5 m3:a@6 b:b@7'))).toEqual(['s m1 m2 b', 's m1 m3 b']);
  });

  it('testTimesNotStrictWithFollowedByEager: c -> a{2} -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: { min: 2, max: 2 } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@2 m2:a@4 m3:a@6 b:b@7'))).toEqual(['s m1 m2 b']);
  });

  it('testTimesNotStrictWithFollowedByNotEager: c ->> a{2} combinations -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@2 m2:a@4 m3:a@6 b:b@7'))).toEqual(['s m1 m2 b', 's m1 m3 b', 's m2 m3 b']);
  });

  it('testTimesStrictWithNextAndConsecutive: c next a{2} consecutive -> b, broken by f', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2, contiguity: 'strict' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@2 f:f@3 m2:a@4 m3:a@6 b:b@7'))).toEqual([]);
  });

  it('testStartWithOptional: c? -> b', () => {
    const r = rule([A('start', 'c', { quantifier: { min: 1, max: 1, optional: true } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 b:b@6'))).toEqual(['b', 's b']);
  });

  it('testEndWithZeroOrMore: c -> a*', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: star })]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 m3:a@5'))).toEqual(['s', 's m1', 's m1 m2', 's m1 m2 m3']);
  });

  it('testStartAndEndWithZeroOrMore: a* alone', () => {
    const r = rule([A('start', 'a', { quantifier: star })]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 m3:a@5 d1:d@6 d2:d@6 d3:d@6'))).toEqual(['m1', 'm1 m2', 'm1 m2 m3', 'm2', 'm2 m3', 'm3']);
  });

  it('testEndWithOptional: c -> a?', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: { min: 1, max: 1, optional: true } })]);
    expect(flat(r, events('s:c@1 m1:a@3'))).toEqual(['s', 's m1']);
  });

  it('testEndWithOneOrMore: c -> a+', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: plus })]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 m3:a@5'))).toEqual(['s m1', 's m1 m2', 's m1 m2 m3']);
  });

  it('testTimesNonStrictOptional1: c -> a{3} optional -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: { min: 3, max: 3, optional: true } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f:f@2 b:b@7'))).toEqual(['s b']);
  });

  it('testTimesNonStrictOptional2: c ->> a{2} combinations optional -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, optional: true, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f1:f@2 m1:a@3 f2:f@4 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m1 m2 b', 's m1 m3 b', 's m2 m3 b']);
  });

  it('testTimesNonStrictOptional3: c ->> a{2} optional -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, optional: true } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f1:f@2 m1:a@3 f2:f@4 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m1 m2 b', 's m2 m3 b']);
  });

  it('testTimesStrictOptional: c ->> a{2} consecutive optional -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, optional: true, contiguity: 'strict' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f1:f@2 m1:a@3 f2:f@4 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m2 m3 b']);
  });

  it('testOneOrMoreStrictOptional: c ->> a* consecutive -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'strict' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f1:f@2 m1:a@3 f2:f@4 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m1 b', 's m2 b', 's m2 m3 b', 's m3 b']);
  });

  it('testTimesStrictOptional1: c next a{2} consecutive optional -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2, optional: true, contiguity: 'strict' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m1 m2 b']);
  });

  it('testOptionalTimesNonStrictWithNext: c next a{2} combinations optional -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2, optional: true, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@2 f1:f@3 m2:a@4 f2:f@5 m3:a@6 b:b@7'))).toEqual(['s b', 's m1 m2 b', 's m1 m3 b']);
  });

  // testOneOrMore(strategy) of Flink: c -> a+ (consecutive | relaxed | combinations) -> b.
  const oneOrMoreInput = () => events('s:c@1 d1:d@2 m1:a@3 m2:a@4 m3:a@4 d2:d@5 m4:a@6 b:b@7');
  const oneOrMore = (contiguity: 'strict' | 'relaxed' | 'nondeterministic', optional = false) =>
    rule([A('start', 'c'), A('middle', 'a', { quantifier: { ...plus, optional, contiguity } }), A('end1', 'b')]);

  it('testStrictOneOrMore', () => {
    expect(flat(oneOrMore('strict'), oneOrMoreInput())).toEqual(['s m1 b', 's m1 m2 b', 's m1 m2 m3 b']);
  });

  it('testSkipTillNextOneOrMore', () => {
    expect(flat(oneOrMore('relaxed'), oneOrMoreInput())).toEqual(['s m1 b', 's m1 m2 b', 's m1 m2 m3 b', 's m1 m2 m3 m4 b']);
  });

  it('testSkipTillAnyOneOrMore', () => {
    const expected = ['', 'm2', 'm3', 'm4', 'm2 m3', 'm2 m4', 'm3 m4', 'm2 m3 m4'].map((x) => ['s m1', x, 'b'].filter((y) => y !== '').join(' '));
    expect(flat(oneOrMore('nondeterministic'), oneOrMoreInput())).toEqual(expected.sort());
  });

  it('testStrictEagerZeroOrMore', () => {
    expect(flat(oneOrMore('strict', true), oneOrMoreInput())).toEqual(['s b', 's m1 b', 's m1 m2 b', 's m1 m2 m3 b']);
  });

  it('testSkipTillAnyZeroOrMore', () => {
    const expected = ['', 'm2', 'm3', 'm4', 'm2 m3', 'm2 m4', 'm3 m4', 'm2 m3 m4'].map((x) => ['s m1', x, 'b'].filter((y) => y !== '').join(' '));
    expect(flat(oneOrMore('nondeterministic', true), oneOrMoreInput())).toEqual([...expected, 's b'].sort());
  });

  it('testSkipTillNextZeroOrMore', () => {
    expect(flat(oneOrMore('relaxed', true), oneOrMoreInput())).toEqual(['s b', 's m1 b', 's m1 m2 b', 's m1 m2 m3 b', 's m1 m2 m3 m4 b']);
  });

  it('testTimesStrict: c ->> a{2} consecutive -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, contiguity: 'strict' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f1:f@2 m1:a@3 f2:f@4 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s m2 m3 b']);
  });

  it('testTimesNonStrict: c ->> a{2} combinations -> b', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, contiguity: 'nondeterministic' } }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 f1:f@2 m1:a@3 f2:f@4 m2:a@5 m3:a@6 b:b@7'))).toEqual(['s m1 m2 b', 's m1 m3 b', 's m2 m3 b']);
  });

  for (const optional of [true, false]) {
    it(`testStartWith${optional ? 'Zero' : 'One'}OrMoreStrict: a${optional ? '*' : '+'} consecutive alone`, () => {
      const r = rule([A('start', 'a', { quantifier: { ...plus, optional, contiguity: 'strict' } })]);
      expect(flat(r, events('s1:c@1 m1:a@3 s2:c@4 m2:a@5 m3:a@6'))).toEqual(['m1', 'm2', 'm2 m3', 'm3']);
    });
  }

  // Clearing the shared buffer: once the clock passes every deadline the key's state is empty.
  const clearing: [string, ReturnType<typeof rule>, string][] = [
    ['testTimesClearingBuffer', rule([A('start', 'c'), A('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2 } }), A('end1', 'b')], { within: 8 }), 's:c@1 m1:a@2 m2:a@3 m3:a@4 b:b@6'],
    ['testOptionalClearingBuffer', rule([A('start', 'c'), A('middle', 'a', { quantifier: { min: 1, max: 1, optional: true } }), A('end1', 'b')], { within: 8 }), 's:c@1 m:a@5 b:b@6'],
    ['testAtLeastOneClearingBuffer', rule([A('start', 'c'), A('middle', 'a', { quantifier: { ...plus, contiguity: 'nondeterministic' } }), A('end1', 'b')], { within: 8 }), 's:c@1 m1:a@3 m2:a@4 b:b@6'],
    ['testZeroOrMoreClearingBuffer', rule([A('start', 'c'), A('middle', 'a', { quantifier: { ...star, contiguity: 'nondeterministic' } }), A('end1', 'b')], { within: 8 }), 's:c@1 m1:a@3 m2:a@4 b:b@6'],
  ];
  for (const [name, r, input] of clearing) {
    it(`${name}: the state is empty after the deadline`, () => {
      const after = run(r, events(input), { end: 10 });
      expect(after.matches.length).toBeGreaterThan(0);
      expect(after.nfa.isEmpty(after.state)).toBe(true);
    });
  }

  // Iterative conditions: a loop's condition reads the events its alias has taken so far.
  const price = (e: { data: Readonly<Record<string, unknown>> }) => e.data.price as number;
  const sumOf = (list: readonly { data: Readonly<Record<string, unknown>> }[]) => list.reduce((acc, e) => acc + price(e), 0);
  const fooSumBelow5 = cond('starts_with(name, "foo") and sum(middle.price) + price < 5', (e, b) => String(e.data.name).startsWith('foo') && sumOf(b.events('middle')) + price(e) < 5, ['middle']);
  const iterativeInput = () =>
    events('s1:start@1 m1:sub@2 m2:sub@3 s2:start@4 m3:sub@5 m4:sub@5 n:next-one@6 e:end@8', {
      s1: { price: 1 }, m1: { name: 'foo1', price: 1 }, m2: { name: 'foo2', price: 2 }, s2: { price: 2 }, m3: { name: 'foo3', price: 3 }, m4: { name: 'foo4', price: 1 },
    });

  it('testIterativeWithBranchingPatternEager: start -> sub[sum < 5]+ -> end', () => {
    const r = rule([A('start', 'start'), el('middle', 'sub', { condition: fooSumBelow5, quantifier: plus }), A('end', 'end')]);
    expect(flat(r, iterativeInput())).toEqual(['s1 m1 e', 's1 m1 m2 e', 's1 m1 m2 m4 e', 's2 m3 e', 's2 m3 m4 e']);
  });

  it('testIterativeWithBranchingPatternCombinations: start -> sub[sum < 5]+ combinations -> end', () => {
    const r = rule([A('start', 'start'), el('middle', 'sub', { condition: fooSumBelow5, quantifier: { ...plus, contiguity: 'nondeterministic' } }), A('end', 'end')]);
    expect(flat(r, iterativeInput())).toEqual(['s1 m1 e', 's1 m1 m2 e', 's1 m1 m2 m4 e', 's1 m1 m3 e', 's1 m1 m4 e', 's2 m3 e', 's2 m3 m4 e']);
  });

  const startSumBelow5 = cond('sum(start.price) + price < 5', (e, b) => sumOf(b.events('start')) + price(e) < 5, ['start']);
  const loopingStartInput = () => events('s1:start@1 s2:start@2 s3:start@3 e:end@4', { s1: { price: 1 }, s2: { price: 2 }, s3: { price: 3 } });

  it('testIterativeWithLoopingStartingEager: start[sum < 5]* -> end', () => {
    const r = rule([el('start', 'start', { condition: startSumBelow5, quantifier: star }), A('end', 'end')]);
    expect(flat(r, loopingStartInput())).toEqual(['e', 's1 e', 's1 s2 e', 's2 e', 's3 e']);
  });

  it('testIterativeWithLoopingStartingCombination: start[sum < 5]* combinations -> end', () => {
    const r = rule([el('start', 'start', { condition: startSumBelow5, quantifier: { ...star, contiguity: 'nondeterministic' } }), A('end', 'end')]);
    expect(flat(r, loopingStartInput())).toEqual(['e', 's1 e', 's1 s2 e', 's1 s3 e', 's2 e', 's3 e']);
  });

  const startSumAtLeast2 = cond('sum(start.price) >= 2', (_e, b) => sumOf(b.events('start')) >= 2, ['start']);

  it('testIterativeWithPrevPatternDependency: start+ -> end[sum(start.price) >= 2]', () => {
    const r = rule([A('start', 'start', { quantifier: plus }), el('end', 'end', { condition: startSumAtLeast2 })]);
    expect(flat(r, events('s1:start@1 s2:start@2 e:end@4', { s1: { price: 1 }, s2: { price: 2 } }))).toEqual(['s1 s2 e', 's2 e']);
  });

  it('testIterativeWithABACPattern: start ->> sub -> start[sum <= 5]+ -> end', () => {
    const r = rule([
      A('start', 'start'),
      el('middle1', 'sub', { contiguity: 'nondeterministic', condition: cond('starts_with(name, "foo")', (e) => String(e.data.name).startsWith('foo')) }),
      el('middle2', 'start', { condition: cond('sum(middle2.price) + price <= 5', (e, b) => sumOf(b.events('middle2')) + price(e) <= 5, ['middle2']), quantifier: plus }),
      A('end', 'end'),
    ]);
    const input = events('s1:start@1 m1:sub@2 s2:start@2 s3:start@2 m2:sub@2 s4:start@2 m3:sub@2 m4:sub@2 e:end@4', {
      s1: { price: 1 }, m1: { name: 'foo1', price: 1 }, s2: { price: 2 }, s3: { price: 3 }, m2: { name: 'foo2', price: 2 }, s4: { price: 4 }, m3: { name: 'foo3', price: 3 }, m4: { name: 'foo4', price: 1 },
    });
    expect(flat(r, input)).toEqual(['s1 m1 s2 e', 's1 m1 s2 s3 e', 's1 m2 s4 e', 's2 m2 s4 e', 's3 m2 s4 e']);
  });

  it('testIterativeWithPrevPatternDependencyAfterBranching: start+ ->> sub ->> end[sum(start.price) >= 2]', () => {
    const r = rule([
      A('start', 'start', { quantifier: plus }),
      el('middle1', 'sub', { contiguity: 'nondeterministic' }),
      el('end', 'end', { contiguity: 'nondeterministic', condition: startSumAtLeast2 }),
    ]);
    const input = events('s1:start@1 s2:start@2 m1:sub@4 s3:start@5 m2:sub@6 e:end@7', { s1: { price: 1 }, s2: { price: 2 }, s3: { price: 3 } });
    expect(flat(r, input)).toEqual(['s1 s2 m1 e', 's1 s2 m2 e', 's1 s2 s3 m2 e', 's2 m1 e', 's2 m2 e', 's2 s3 m2 e', 's3 m2 e']);
  });

  const volumeAbove5 = cond('volume > 5', (e) => (e.data.volume as number) > 5);
  const nextOne = cond('name == "next-one"', (e) => e.data.name === 'next-one');
  const branchingInput = () =>
    events('s:start@1 m1:sub@3 m2:sub@4 m3:sub@5 n1:sub@6 n2:sub@7 e:end@8', {
      m1: { volume: 10 }, m2: { volume: 10 }, m3: { volume: 10 }, n1: { name: 'next-one', volume: 2 }, n2: { name: 'next-one', volume: 2 },
    });

  it('testBranchingPatternSkipTillNext: followedBy takes the first matching event only', () => {
    const r = rule([A('start', 'start'), el('first', 'sub', { condition: volumeAbove5 }), el('second', 'sub', { condition: nextOne }), A('end', 'end', { contiguity: 'nondeterministic' })]);
    expect(flat(r, branchingInput())).toEqual(['s m1 n1 e']);
  });

  it('testBranchingPatternMixedFollowedBy: ->> then ->', () => {
    const r = rule([
      A('start', 'start'),
      el('first', 'sub', { contiguity: 'nondeterministic', condition: volumeAbove5 }),
      el('second', 'sub', { condition: nextOne }),
      A('end', 'end', { contiguity: 'nondeterministic' }),
    ]);
    expect(flat(r, branchingInput())).toEqual(['s m1 n1 e', 's m2 n1 e', 's m3 n1 e']);
  });

  // Negation: `next not X` (notNext) and `-> not X` (notFollowedBy).
  const notB = (contiguity: 'strict' | 'relaxed') => A('notPattern', 'b', { negated: true, contiguity });

  it('testNotNext: a next not b ->> c -> d', () => {
    const r = rule([A('start', 'a'), notB('strict'), A('middle', 'c', { contiguity: 'nondeterministic' }), A('end', 'd')]);
    expect(flat(r, events('a1:a c1:c b1:b c2:c d:d'))).toEqual(['a1 c1 d', 'a1 c2 d']);
  });

  it('testNotNextNoMatches: the b right after a kills the match', () => {
    const r = rule([A('start', 'a'), notB('strict'), A('middle', 'c'), A('end', 'd')]);
    expect(flat(r, events('a1:a b1:b c1:c c2:c d:d'))).toEqual([]);
  });

  it('testNotNextNoMatchesAtTheEnd: a ->> c ->> d next not b, the next event is b', () => {
    const r = rule([A('start', 'a'), A('middle', 'c', { contiguity: 'nondeterministic' }), A('end', 'd', { contiguity: 'nondeterministic' }), notB('strict')]);
    expect(flat(r, events('a1:a c1:c c2:c d:d b1:b'))).toEqual([]);
  });

  it('testNotFollowedBy: a -> not b ->> c -> d', () => {
    const r = rule([A('start', 'a'), notB('relaxed'), A('middle', 'c', { contiguity: 'nondeterministic' }), A('end', 'd')]);
    expect(flat(r, events('a1:a c1:c b1:b c2:c d:d'))).toEqual(['a1 c1 d']);
  });

  it('testNotFollowedByBeforeOptional: a -> not b ->> c? -> d', () => {
    const r = rule([A('start', 'a'), notB('relaxed'), A('middle', 'c', { contiguity: 'nondeterministic', quantifier: { min: 1, max: 1, optional: true } }), A('end', 'd')]);
    expect(flat(r, events('a1:a c1:c b1:b c2:c d:d'))).toEqual(['a1 c1 d']);
  });

  it('testTimesWithNotFollowedBy: a ->> b{2} -> not c -> d', () => {
    const r = rule([A('start', 'a'), A('middle', 'b', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2 } }), A('notPattern', 'c', { negated: true }), A('end', 'd')]);
    expect(flat(r, events('a1:a b1:b c:c b2:b d:d'))).toEqual([]);
  });

  it('testIgnoreStateOfTimesWithNotFollowedBy: a -> not b ->> c{2} optional -> d', () => {
    const r = rule([A('start', 'a'), notB('relaxed'), A('middle', 'c', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, optional: true } }), A('end', 'd')]);
    expect(flat(r, events('a1:a@1 d1:d@2 e:e@3 b1:b@4 c1:c@5 c2:c@6 d2:d@7'))).toEqual(['a1 d1']);
  });

  it('testTimesWithNotFollowedByAfter: a ->> b{2} -> not c -> d', () => {
    const r = rule([A('start', 'a'), A('middle', 'b', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2 } }), A('notPattern', 'c', { negated: true }), A('end', 'd')]);
    expect(flat(r, events('a1:a@1 d1:d@2 e:e@3 b1:b@4 b2:b@5 c1:c@6 d2:d@7'))).toEqual([]);
  });

  it('testNotFollowedByBeforeOptionalAtTheEnd: a -> not b ->> c? at the end', () => {
    const r = rule([A('start', 'a'), notB('relaxed'), A('end', 'c', { contiguity: 'nondeterministic', quantifier: { min: 1, max: 1, optional: true } })]);
    expect(flat(r, events('a1:a c1:c b1:b c2:c'))).toEqual(['a1', 'a1 c1']);
  });

  it('testNotFollowedByBeforeOptionalTimes: a -> not b ->> c{2} optional -> d', () => {
    const r = rule([A('start', 'a'), notB('relaxed'), A('middle', 'c', { contiguity: 'nondeterministic', quantifier: { min: 2, max: 2, optional: true } }), A('end', 'd')]);
    expect(flat(r, events('a1:a c1:c b1:b c2:c d:d'))).toEqual(['a1 c1 c2 d']);
  });

  it('testNotFollowedByWithBranchingAtStart: a -> not b -> c -> d', () => {
    const r = rule([A('start', 'a'), notB('relaxed'), A('middle', 'c'), A('end', 'd')]);
    expect(flat(r, events('a1:a b1:b c1:c a2:a c2:c d:d'))).toEqual(['a2 c2 d']);
  });

  const notNextAfterOneOrMore = (any: boolean) =>
    rule([A('a', 'a'), A('b', 'b', { contiguity: any ? 'nondeterministic' : 'relaxed', quantifier: plus }), A('notC', 'c', { negated: true, contiguity: 'strict' }), A('d', 'd')]);

  it('testNotNextAfterOneOrMoreSkipTillNext: a -> b+ next not c -> d', () => {
    expect(flat(notNextAfterOneOrMore(false), events('a1:a b1:b c1:c b2:b d1:d'))).toEqual([]);
  });

  it('testNotNextAfterOneOrMoreSkipTillAny: a ->> b+ next not c -> d', () => {
    expect(flat(notNextAfterOneOrMore(true), events('a1:a b1:b c1:c b2:b d1:d'))).toEqual(['a1 b2 d1']);
  });

  const notFollowedAfterOneOrMore = (eager: boolean, any: boolean) =>
    rule([
      A('a', 'a'),
      A('b', 'b', { contiguity: any ? 'nondeterministic' : 'relaxed', quantifier: { ...plus, contiguity: eager ? 'relaxed' : 'nondeterministic' } }),
      A('notC', 'c', { negated: true }),
      A('d', 'd'),
    ]);
  const afterInput = () => events('a1:a b1:b b2:b b3:b c1:c b4:b b5:b b6:b d1:d');

  it('testNotFollowedByNextAfterOneOrMoreEager', () => {
    expect(flat(notFollowedAfterOneOrMore(true, false), afterInput())).toEqual([]);
  });

  it('testNotFollowedByAnyAfterOneOrMoreEager', () => {
    expect(flat(notFollowedAfterOneOrMore(true, true), afterInput())).toEqual(['a1 b4 b5 b6 d1', 'a1 b4 b5 d1', 'a1 b4 d1', 'a1 b5 b6 d1', 'a1 b5 d1', 'a1 b6 d1']);
  });

  it('testNotFollowedByNextAfterOneOrMoreCombinations', () => {
    expect(flat(notFollowedAfterOneOrMore(false, false), afterInput())).toEqual([]);
  });

  it('testNotFollowedByAnyAfterOneOrMoreCombinations', () => {
    expect(flat(notFollowedAfterOneOrMore(false, true), afterInput())).toEqual(['a1 b4 b5 b6 d1', 'a1 b4 b5 d1', 'a1 b4 b6 d1', 'a1 b4 d1', 'a1 b5 b6 d1', 'a1 b5 d1', 'a1 b6 d1']);
  });

  const notFollowedBeforeLoop = (eager: boolean, any: boolean, optional: boolean) =>
    rule([
      A('a', 'a'),
      A('notC', 'c', { negated: true }),
      A('b', 'b', { contiguity: any ? 'nondeterministic' : 'relaxed', quantifier: { ...plus, optional, contiguity: eager ? 'relaxed' : 'nondeterministic' } }),
      A('d', 'd'),
    ]);
  const beforeInput = () => events('a1:a b1:b c1:c b4:b b5:b b6:b d1:d');
  const eagerBefore = ['a1 b1 b4 b5 b6 d1', 'a1 b1 b4 b5 d1', 'a1 b1 b4 d1', 'a1 b1 d1'];
  const combinationsBefore = ['a1 b1 b4 b5 b6 d1', 'a1 b1 b4 b5 d1', 'a1 b1 b4 b6 d1', 'a1 b1 b4 d1', 'a1 b1 b5 b6 d1', 'a1 b1 b5 d1', 'a1 b1 b6 d1', 'a1 b1 d1'];

  for (const optional of [false, true]) {
    const kind = optional ? 'ZeroOrMore' : 'OneOrMore';
    it(`testNotFollowedByAnyBefore${kind}Eager / SkipTillAny`, () => {
      expect(flat(notFollowedBeforeLoop(true, true, optional), beforeInput())).toEqual(eagerBefore);
    });
    it(`testNotFollowedByAnyBefore${kind}Combinations`, () => {
      expect(flat(notFollowedBeforeLoop(false, true, optional), beforeInput())).toEqual(combinationsBefore);
    });
    it(`testNotFollowedByBefore${kind}Eager / SkipTillNext`, () => {
      expect(flat(notFollowedBeforeLoop(true, false, optional), beforeInput())).toEqual(eagerBefore);
    });
    it(`testNotFollowedByBefore${kind}Combinations`, () => {
      expect(flat(notFollowedBeforeLoop(false, false, optional), beforeInput())).toEqual(combinationsBefore);
    });
  }

  it('testEagerZeroOrMoreSameElement: the same event fed several times', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { quantifier: star }), A('end1', 'b')]);
    const input = events('s:c@1 m1:a@3 m1:a@3 m1:a@3 m2:a@4 d:d@5 m3:a@6 m3:a@6 b:b@7');
    expect(flat(r, input)).toEqual(['s b', 's m1 b', 's m1 m1 b', 's m1 m1 m1 b', 's m1 m1 m1 m2 b', 's m1 m1 m1 m2 m3 b', 's m1 m1 m1 m2 m3 m3 b']);
  });

  it('testMultipleTakesVersionCollision: c -> a+ combinations -> a+ combinations -> b', () => {
    const r = rule([A('start', 'c'), A('middle1', 'a', { quantifier: { ...plus, contiguity: 'nondeterministic' } }), A('middle2', 'a', { quantifier: { ...plus, contiguity: 'nondeterministic' } }), A('end', 'b')]);
    const expected = [
      ...Array(4).fill('s m1 m2 m3 m4 m5 b'),
      ...Array(3).fill('s m1 m2 m3 m4 b'), ...Array(2).fill('s m1 m2 m3 m5 b'), ...Array(2).fill('s m1 m2 m4 m5 b'), ...Array(2).fill('s m1 m3 m4 m5 b'),
      ...Array(2).fill('s m1 m2 m3 b'), 's m1 m3 m4 b', 's m1 m4 m5 b', 's m1 m2 m4 b', 's m1 m2 m5 b',
      's m1 m2 b',
    ];
    expect(flat(r, events('s:c@1 m1:a@3 m2:a@4 m3:a@5 m4:a@6 m5:a@7 b:b@10'))).toEqual(expected.sort());
  });

  it('testZeroOrMoreSameElement: c ->> a* combinations ->> b takes every subset of the a events', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }), A('end1', 'b', { contiguity: 'nondeterministic' })]);
    const ms = ['m1', 'm1a', 'm2', 'm3', 'm3a'];
    const expected: string[] = [];
    for (let mask = 0; mask < 32; mask++) expected.push(['s', ...ms.filter((_, i) => (mask & (1 << i)) !== 0), 'b'].join(' '));
    expect(flat(r, events('s:c@1 m1:a@3 m1a:a@3 m2:a@4 d:d@5 m3:a@6 m3a:a@6 b:b@7'))).toEqual(expected.sort());
  });

  it('testSimplePatternWSameElement: the same event fed twice matches twice', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic' }), A('end1', 'b')]);
    expect(flat(r, events('s:c@1 m1:a@3 m1:a@3 b:b@7'))).toEqual(['s m1 b', 's m1 b']);
  });

  it('testIterativeConditionWSameElement: -> b[sum(middle.price) == 4] after a* combinations', () => {
    const r = rule([
      A('start', 'c'),
      A('middle', 'a', { contiguity: 'nondeterministic', quantifier: { ...star, contiguity: 'nondeterministic' } }),
      el('end', 'b', { condition: cond('sum(middle.price) == 4', (_e, b) => sumOf(b.events('middle')) === 4, ['middle']) }),
    ]);
    const two = { price: 2 };
    expect(flat(r, events('s:c@1 m1:a@3 m1a:a@3 m1b:a@3 e:b@7', { m1: two, m1a: two, m1b: two }))).toEqual(['s m1 m1a e', 's m1 m1b e', 's m1a m1b e']);
  });

  it('testEndWLoopingWSameElement: c ->> a* at the end', () => {
    const r = rule([A('start', 'c'), A('middle', 'a', { contiguity: 'nondeterministic', quantifier: star })]);
    expect(flat(r, events('s:c@1 m1:a@3 m1a:a@3 m1b:a@3 e:b@7'))).toEqual(['s', 's m1', 's m1 m1a', 's m1 m1a m1b', 's m1a', 's m1a m1b', 's m1b']);
  });

  it('testRepeatingPatternWSameElement: c -> a* -> b? -> a', () => {
    const r = rule([A('start', 'c'), A('middle1', 'a', { quantifier: star }), A('middle2', 'b', { quantifier: { min: 1, max: 1, optional: true } }), A('end', 'a')]);
    expect(flat(r, events('s:c@1 m1:a@3 m1:a@3 m2:a@3 d:d@5 b:b@6 m3:a@7'))).toEqual(
      ['s m1', 's m1 m1', 's b m3', 's m1 m1 m2', 's m1 b m3', 's m1 m1 m2 m3', 's m1 m1 b m3', 's m1 m1 m2 b m3'].sort(),
    );
  });
});
