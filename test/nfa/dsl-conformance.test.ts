/**
 * The conformance scenarios again, written in the rule language (DSL.md) and parsed with
 * `parseRules`: each row names the Flink method (NFAITCase, GreedyITCase, GroupITCase,
 * TimesRangeITCase, UntilConditionITCase) it comes from. Rules carry `skip none`, Flink's noSkip.
 * Events are `id:type@time` (harness `events`); matches are their event ids in order.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { events, flat } from './harness.js';

/** One rule from a pattern (and optional `within`), with `skip none`. */
function dsl(pattern: string, within?: string) {
  const [rule] = parseRules(`rule t\n  key by k\n  pattern ${pattern}\n${within === undefined ? '' : `  within ${within}\n`}  skip none\n`, 'conformance.cep');
  return rule;
}

type Row = readonly [flinkTest: string, pattern: string, input: string, expected: string[], data?: Record<string, Record<string, unknown>>];

const rows: Row[] = [
  ['NFAITCase.testNoConditionNFA', 'any as s -> any as e', 'a:a b:b c:c d:d e:e', ['a b', 'b c', 'c d', 'd e']],
  ['NFAITCase.testStrictContinuityNoResults', 'a next b', 'm:a c:c e:b', []],
  ['NFAITCase.testBranchingPattern', 'start ->> sub[volume > 5] as f ->> sub[name == "next-one"] as s ->> end', 's:start m1:sub m2:sub m3:sub n1:sub n2:sub e:end',
    ['s m1 n1 e', 's m1 n2 e', 's m2 n1 e', 's m2 n2 e', 's m3 n1 e', 's m3 n2 e'],
    { m1: { volume: 10 }, m2: { volume: 10 }, m3: { volume: 10 }, n1: { name: 'next-one', volume: 2 }, n2: { name: 'next-one', volume: 2 } }],
  ['NFAITCase.testEagerZeroOrMore', 'c -> a* -> b', 's:c m1:a m2:a x:d m3:a b:b', ['s b', 's m1 b', 's m1 m2 b', 's m1 m2 m3 b']],
  ['NFAITCase.testZeroOrMore', 'c ->> a* combinations -> b', 's:c m1:a m2:a b:b', ['s b', 's m1 b', 's m1 m2 b', 's m2 b']],
  ['NFAITCase.testBeginWithZeroOrMore', 'a* -> b', 'm1:a m2:a m3:a e:b', ['e', 'm1 e', 'm1 m2 e', 'm1 m2 m3 e', 'm2 e', 'm2 m3 e', 'm3 e']],
  ['NFAITCase.testNextZeroOrMore', 'start next middle* consecutive -> end', 's:start x:event m1:middle m2:middle m3:middle e:end', ['s e']],
  ['NFAITCase.testOptional', 'c -> a? -> b', 's:c m:a b:b', ['s b', 's m b']],
  ['NFAITCase.testTimes', 'c next a{2} combinations -> b', 's:c m1:a m2:a m3:a b:b', ['s m1 m2 b', 's m1 m3 b']],
  ['NFAITCase.testStartWithTimes', 'a{2} consecutive -> b', 'm1:a m2:a m3:a b:b', ['m1 m2 b', 'm2 m3 b']],
  ['NFAITCase.testTimesStrictWithNextAndConsecutive', 'c next a{2} consecutive -> b', 's:c m1:a f:f m2:a m3:a b:b', []],
  ['NFAITCase.testStartWithOptional', 'c? -> b', 's:c b:b', ['b', 's b']],
  ['NFAITCase.testEndWithZeroOrMore', 'c -> a*', 's:c m1:a m2:a m3:a', ['s', 's m1', 's m1 m2', 's m1 m2 m3']],
  ['NFAITCase.testEndWithOneOrMore', 'c -> a+', 's:c m1:a m2:a m3:a', ['s m1', 's m1 m2', 's m1 m2 m3']],
  ['NFAITCase.testOneOrMoreStrictOptional', 'c ->> a* consecutive -> b', 's:c f1:f m1:a f2:f m2:a m3:a b:b', ['s b', 's m1 b', 's m2 b', 's m2 m3 b', 's m3 b']],
  ['NFAITCase.testStrictOneOrMore', 'c -> a+ consecutive -> b', 's:c d1:d m1:a m2:a m3:a d2:d m4:a b:b', ['s m1 b', 's m1 m2 b', 's m1 m2 m3 b']],
  ['NFAITCase.testIterativeWithBranchingPatternEager', 'start -> sub[starts_with(name, "foo") and sum(middle.price) + price < 5]+ as middle -> end',
    's1:start@1 m1:sub@2 m2:sub@3 s2:start@4 m3:sub@5 m4:sub@5 n:next-one@6 e:end@8', ['s1 m1 e', 's1 m1 m2 e', 's1 m1 m2 m4 e', 's2 m3 e', 's2 m3 m4 e'],
    { s1: { price: 1 }, m1: { name: 'foo1', price: 1 }, m2: { name: 'foo2', price: 2 }, s2: { price: 2 }, m3: { name: 'foo3', price: 3 }, m4: { name: 'foo4', price: 1 } }],
  ['NFAITCase.testIterativeWithPrevPatternDependency', 'start+ -> end[sum(start.price) >= 2]', 's1:start s2:start e:end', ['s1 s2 e', 's2 e'], { s1: { price: 1 }, s2: { price: 2 } }],
  ['NFAITCase.testNotNext', 'a next not b ->> c -> d', 'a1:a c1:c b1:b c2:c d:d', ['a1 c1 d', 'a1 c2 d']],
  ['NFAITCase.testNotFollowedBy', 'a -> not b ->> c -> d', 'a1:a c1:c b1:b c2:c d:d', ['a1 c1 d']],
  ['NFAITCase.testNotFollowedByBeforeOptionalTimes', 'a -> not b ->> c{2} optional -> d', 'a1:a c1:c b1:b c2:c d:d', ['a1 c1 c2 d']],
  ['NFAITCase.testNotNextAfterOneOrMoreSkipTillAny', 'a ->> b+ next not c -> d', 'a1:a b1:b c1:c b2:b d1:d', ['a1 b2 d1']],
  ['NFAITCase.testNotFollowedByAnyAfterOneOrMoreCombinations', 'a ->> b+ combinations -> not c -> d', 'a1:a b1:b b2:b b3:b c1:c b4:b b5:b b6:b d1:d',
    ['a1 b4 b5 b6 d1', 'a1 b4 b5 d1', 'a1 b4 b6 d1', 'a1 b4 d1', 'a1 b5 b6 d1', 'a1 b5 d1', 'a1 b6 d1']],
  ['GreedyITCase.testGreedyZeroOrMoreInBetween', 'c -> a* greedy -> d', 'c:c x1:dummy a1:a x2:dummy a2:a x3:dummy a3:a d:d', ['c a1 a2 a3 d']],
  ['GreedyITCase.testGreedyUntilZeroOrMoreWithDummyEventsAfterQuantifier', 'c -> a* greedy until [price > 3] -> d', 'c:c a1:a a2:a a3:a a4:a d:d', ['c a1 a2 a3 d'],
    { c: { price: 1 }, a1: { price: 2 }, a2: { price: 3 }, a3: { price: 3 }, a4: { price: 4 }, d: { price: 3 } }],
  ['GreedyITCase.testGreedyTimesRange', 'c -> a{2,5} greedy -> d', 'c:c a1:a a2:a a3:a a4:a d:d', ['c a1 a2 a3 a4 d']],
  ['GreedyITCase.testGreedyZeroOrMoreBeforeGroupPattern', 'c -> a* greedy -> (d -> e){2} -> f', 'c:c a1:a a2:a x:dummy a3:a d1:d e1:e d2:d e2:e f:f', ['c a1 a2 a3 d1 e1 d2 e2 f']],
  ['GroupITCase.testGroupFollowedByOneOrMore', 'c -> (a -> b)+ -> d', 'c:c a1:a b1:b a2:a b2:b d:d', ['c a1 b1 a2 b2 d', 'c a1 b1 d']],
  ['GroupITCase.testGroupFollowedByOptional', 'c -> (a -> b)? -> d', 'c:c a1:a a2:a b:b d:d', ['c a1 b d', 'c d']],
  ['GroupITCase.testGroupNextZeroOrMore', 'c next (a -> b)* consecutive -> d', 'c:c a1:a b1:b a2:a b2:b a3:a b3:b d:d', ['c a1 b1 a2 b2 a3 b3 d', 'c a1 b1 a2 b2 d', 'c a1 b1 d', 'c d']],
  ['GroupITCase.testGroupNest', 'd -> (a -> (b -> c)*)? -> e', 'd:d a1:a b1:b c1:c b2:b c2:c e:e', ['d a1 b1 c1 b2 c2 e', 'd a1 b1 c1 e', 'd a1 e', 'd e']],
  ['GroupITCase.testGroupBegin', '(a -> b){1,2} -> d', 'a1:a b1:b a2:a b2:b d:d', ['a1 b1 a2 b2 d', 'a1 b1 d', 'a2 b2 d']],
  ['GroupITCase.testGroupStartsWithOptionalPattern', 'a next (b? next c) next d', 'a:a c:c d:d', ['a c d']],
  ['TimesRangeITCase.testTimesRange', 'c next a{1,3} combinations -> b', 'c:c m1:a m2:a m3:a b:b', ['c m1 b', 'c m1 m2 b', 'c m1 m2 m3 b', 'c m1 m3 b']],
  ['TimesRangeITCase.testTimesRangeNonStrictOptional3', 'c ->> a{2,3} optional -> b', 'c:c f1:f m1:a f2:f m2:a m3:a b:b', ['c b', 'c m1 m2 b', 'c m1 m2 m3 b', 'c m2 m3 b']],
  ['TimesRangeITCase.testTimesRangeNotStrictWithFollowedBy', 'c -> a{2,3} -> b', 'c:c m1:a m2:a m3:a b:b', ['c m1 m2 b', 'c m1 m2 m3 b']],
  ['UntilConditionITCase.testUntilConditionFollowedByOneOrMoreCombinations', 'c -> a+ combinations until [price == 5] -> any[price == 5] as end',
    'c:c m1:a m2:a m3:a brk:a ign:a', ['c m1 brk', 'c m1 m2 brk', 'c m1 m2 m3 brk', 'c m1 m3 brk'], { c: { price: 1 }, m1: { price: 2 }, m2: { price: 3 }, m3: { price: 4 }, brk: { price: 5 }, ign: { price: 6 } }],
  ['UntilConditionITCase.testIterativeUntilConditionZeroOrMore', 'c -> any* until [sum(middle.price) == 6] as middle', 'c:c m1:a m2:a m3:d brk:a ign:a', ['c', 'c m1', 'c m1 m2', 'c m1 m2 m3'],
    { c: { price: 1 }, m1: { price: 2 }, m2: { price: 3 }, m3: { price: 1 }, brk: { price: 5 }, ign: { price: 6 } }],
];

describe('conformance in the rule language', () => {
  for (const [name, pattern, input, expected, data] of rows) {
    it(`${name}: ${pattern}`, () => {
      expect(flat(dsl(pattern), events(input, data))).toEqual([...expected].sort());
    });
  }

  it('NFAITCase.testSimplePatternWithTimeWindowNFA with within 10ms', () => {
    expect(flat(dsl('start -> middle -> end', '10ms'), events('1:start@1 2:start@2 3:middle@3 4:foobar@4 5:end@11 6:end@13')).sort()).toEqual(['2 3 5']);
  });
});
