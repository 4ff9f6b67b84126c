/**
 * Scenarios of Flink CEP's UntilConditionITCase (flink-cep 1.20: `until`), restated in our own
 * words; each test names the Flink method. Rules use Flink's `noSkip`. The until condition is
 * Flink's `price == 5`, and the element after the loop is `any[price == 5]`.
 */
import { describe, expect, it } from 'vitest';
import { cond, el, rule } from './build.js';
import { events, flat, run } from './harness.js';
import type { Contiguity } from '../../src/nfa/rule.js';

const price5 = cond('price == 5', (e) => e.data.price === 5);

/** `c -> a{1,}[optional] <contiguity> until [price == 5] -> any[price == 5]`. */
function untilRule(contiguity: Contiguity, optional = false) {
  return rule([el('start', 'c'), el('middle', 'a', { quantifier: { min: 1, max: Infinity, optional, contiguity, until: price5 } }), el('end', null, { condition: price5 })]);
}

/** Events `id:type` with their Flink prices. */
function priced(spec: string, prices: Record<string, number>) {
  return events(spec, Object.fromEntries(Object.entries(prices).map(([id, price]) => [id, { price }])));
}

/** Runs without advancing the clock past the last event, and checks that no partial match is left. */
function noneLeft(r: ReturnType<typeof rule>, input: ReturnType<typeof events>): string[] {
  const result = run(r, input, { end: input[input.length - 1].time });
  expect(result.nfa.partialMatchCount(result.state)).toBe(0);
  return flat(r, input);
}

describe('UntilConditionITCase', () => {
  const basic = () => priced('c:c m1:a m2:a brk:a ign:a', { c: 1, m1: 2, m2: 3, brk: 5, ign: 6 });

  it('testUntilConditionFollowedByOneOrMore: the loop ends at the until event, which the next element takes', () => {
    expect(noneLeft(untilRule('relaxed'), basic())).toEqual(['c m1 brk', 'c m1 m2 brk']);
  });

  it('testUntilConditionFollowedByOneOrMoreCombinations', () => {
    const input = priced('c:c m1:a m2:a m3:a brk:a ign:a', { c: 1, m1: 2, m2: 3, m3: 4, brk: 5, ign: 6 });
    expect(noneLeft(untilRule('nondeterministic'), input)).toEqual(['c m1 brk', 'c m1 m2 brk', 'c m1 m2 m3 brk', 'c m1 m3 brk']);
  });

  it('testUntilConditionFollowedByOneOrMoreConsecutive', () => {
    expect(noneLeft(untilRule('strict'), basic())).toEqual(['c m1 brk', 'c m1 m2 brk']);
  });

  it('testUntilConditionFollowedByOneOrMoreConsecutive2: a b between breaks the consecutive loop', () => {
    const input = priced('c:c m1:a m2:b m3:a brk:a ign:a', { c: 1, m1: 2, m2: 3, m3: 4, brk: 5, ign: 6 });
    expect(noneLeft(untilRule('strict'), input)).toEqual(['c m1 brk']);
  });

  it('testUntilConditionFollowedByZeroOrMore', () => {
    expect(noneLeft(untilRule('relaxed', true), basic())).toEqual(['c brk', 'c m1 brk', 'c m1 m2 brk']);
  });

  it('testUntilConditionFollowedByZeroOrMoreCombinations', () => {
    const input = priced('c:c m1:a m2:a m3:a brk:a ign:a', { c: 1, m1: 2, m2: 3, m3: 4, brk: 5, ign: 6 });
    expect(noneLeft(untilRule('nondeterministic', true), input)).toEqual(['c brk', 'c m1 brk', 'c m1 m2 brk', 'c m1 m2 m3 brk', 'c m1 m3 brk']);
  });

  it('testUntilConditionFollowedByZeroOrMoreConsecutive', () => {
    expect(noneLeft(untilRule('strict', true), basic())).toEqual(['c brk', 'c m1 brk', 'c m1 m2 brk']);
  });

  const atEnd = (optional: boolean) =>
    rule([el('start', 'c'), el('middle', 'a', { contiguity: 'nondeterministic', quantifier: { min: 1, max: Infinity, optional, until: price5 } })]);
  const anyInput = () => priced('c:c m1:a m2:a brk:a m3:a', { c: 1, m1: 2, m2: 3, brk: 5, m3: 6 });

  it('testUntilConditionFollowedByAnyOneOrMore: c ->> a+ until at the end', () => {
    expect(flat(atEnd(false), anyInput())).toEqual(['c m1', 'c m1 m2', 'c m2', 'c m3']);
  });

  it('testUntilConditionFollowedByAnyZeroOrMore: c ->> a* until at the end', () => {
    expect(flat(atEnd(true), anyInput())).toEqual(['c', 'c m1', 'c m1 m2', 'c m2', 'c m3']);
  });

  const emptyWhereInput = () => priced('c:c m1:a m2:a m3:d brk:a ign:a', { c: 1, m1: 2, m2: 3, m3: 1, brk: 5, ign: 6 });

  it('testUntilConditionWithEmptyWhere: c -> any+ until [price == 5]', () => {
    const r = rule([el('start', 'c'), el('middle', null, { quantifier: { min: 1, max: Infinity, until: price5 } })]);
    expect(noneLeft(r, emptyWhereInput())).toEqual(['c m1', 'c m1 m2', 'c m1 m2 m3']);
  });

  const sumIs6 = cond('sum(middle.price) == 6', (_e, b) => b.events('middle').reduce((acc, e) => acc + (e.data.price as number), 0) === 6, ['middle']);

  it('testIterativeUntilConditionOneOrMore: until reads the events the loop has taken', () => {
    const r = rule([el('start', 'c'), el('middle', null, { quantifier: { min: 1, max: Infinity, until: sumIs6 } })]);
    expect(noneLeft(r, emptyWhereInput())).toEqual(['c m1', 'c m1 m2', 'c m1 m2 m3']);
  });

  it('testIterativeUntilConditionZeroOrMore', () => {
    const r = rule([el('start', 'c'), el('middle', null, { quantifier: { min: 1, max: Infinity, optional: true, until: sumIs6 } })]);
    expect(noneLeft(r, emptyWhereInput())).toEqual(['c', 'c m1', 'c m1 m2', 'c m1 m2 m3']);
  });
});
