/**
 * Scenarios of Flink CEP's GreedyITCase (flink-cep 1.20: greedy loops), restated in our own words;
 * each test names the Flink method. Rules use Flink's `noSkip`; events carry their Flink name as
 * their type.
 */
import { describe, expect, it } from 'vitest';
import { cond, el, group, rule } from './build.js';
import { events, flat } from './harness.js';

const greedyStar = { min: 1, max: Infinity, optional: true, greedy: true };
const greedyPlus = { min: 1, max: Infinity, greedy: true };
const priceAbove3 = cond('price > 3', (e) => (e.data.price as number) > 3);
const prices = { c: { price: 1 }, a1: { price: 2 }, a2: { price: 3 }, a3: { price: 3 }, a4: { price: 4 }, d: { price: 3 } };

describe('GreedyITCase', () => {
  for (const [kind, q] of [['ZeroOrMore', greedyStar], ['OneOrMore', greedyPlus]] as const) {
    const r = () => rule([el('start', 'c'), el('middle', 'a', { quantifier: q }), el('end', 'd')]);

    it(`testGreedy${kind}: c -> a${q === greedyStar ? '*' : '+'} greedy -> d takes every a`, () => {
      expect(flat(r(), events('c:c a1:a a2:a a3:a d:d'))).toEqual(['c a1 a2 a3 d']);
    });

    it(`testGreedy${kind}InBetween: dummies between the a events`, () => {
      expect(flat(r(), events('c:c x1:dummy a1:a x2:dummy a2:a x3:dummy a3:a d:d'))).toEqual(['c a1 a2 a3 d']);
    });

    it(`testGreedy${kind}WithDummyEventsAfterQuantifier`, () => {
      expect(flat(r(), events('c:c a1:a a2:a x:dummy d:d'))).toEqual(['c a1 a2 d']);
    });

    it(`testGreedy${kind}WithDummyEventsBeforeQuantifier`, () => {
      expect(flat(r(), events('c:c x:dummy d:d'))).toEqual(q === greedyStar ? ['c d'] : []);
    });

    const until = () => rule([el('start', 'c'), el('middle', 'a', { quantifier: { ...q, until: priceAbove3 } }), el('end', 'd')]);

    it(`testGreedyUntil${kind}WithDummyEventsAfterQuantifier: until [price > 3] stops the loop`, () => {
      expect(flat(until(), events('c:c a1:a a2:a a3:a a4:a d:d', prices))).toEqual(['c a1 a2 a3 d']);
    });

    it(`testGreedyUntil${kind === 'ZeroOrMore' ? '' : kind}WithDummyEventsBeforeQuantifier: the until event comes first`, () => {
      expect(flat(until(), events('c:c a4:a a1:a a2:a a3:a d:d', prices))).toEqual(q === greedyStar ? ['c d'] : []);
    });
  }

  it('testGreedyZeroOrMoreBeforeGroupPattern: c -> a* greedy -> (d -> e){2} -> f', () => {
    const r = rule([el('start', 'c'), el('middle', 'a', { quantifier: greedyStar }), group('g', [el('middle1', 'd'), el('middle2', 'e')], { quantifier: { min: 2, max: 2 } }), el('end', 'f')]);
    expect(flat(r, events('c:c a1:a a2:a x:dummy a3:a d1:d e1:e d2:d e2:e f:f'))).toEqual(['c a1 a2 a3 d1 e1 d2 e2 f']);
  });

  it('testEndWithZeroOrMoreGreedy: c -> a* greedy at the end', () => {
    const r = rule([el('start', 'c'), el('end', 'a', { quantifier: greedyStar })]);
    expect(flat(r, events('c:c a1:a a2:a x:dummy a3:a'))).toEqual(['c', 'c a1', 'c a1 a2', 'c a1 a2 a3']);
  });

  it('testEndWithZeroOrMoreConsecutiveGreedy: c -> a* consecutive greedy at the end', () => {
    const r = rule([el('start', 'c'), el('end', 'a', { quantifier: { ...greedyStar, contiguity: 'strict' } })]);
    expect(flat(r, events('c:c a1:a a2:a x:dummy a3:a'))).toEqual(['c', 'c a1', 'c a1 a2']);
  });

  it('testEndWithGreedyTimesRange: c -> a{2,5} greedy at the end', () => {
    const r = rule([el('start', 'c'), el('end', 'a', { quantifier: { min: 2, max: 5, greedy: true } })]);
    expect(flat(r, events('c:c a1:a a2:a a3:a a4:a x:dummy'))).toEqual(['c a1 a2', 'c a1 a2 a3', 'c a1 a2 a3 a4']);
  });

  it('testGreedyTimesRange: c -> a{2,5} greedy -> d', () => {
    const r = rule([el('start', 'c'), el('middle', 'a', { quantifier: { min: 2, max: 5, greedy: true } }), el('end', 'd')]);
    expect(flat(r, events('c:c a1:a a2:a a3:a a4:a d:d'))).toEqual(['c a1 a2 a3 a4 d']);
  });
});
