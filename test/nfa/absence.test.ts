/**
 * Trailing negation and time (DSL.md sections 3 and 5): `-> not X` at the end with `within`
 * completes at the deadline (Flink's pending state, flink-cep 1.16+), `next not X` at the end
 * completes on the key's next event, and an event at exactly the deadline neither extends nor
 * cancels a partial match.
 */
import { describe, expect, it } from 'vitest';
import { el, rule } from './build.js';
import { events, run } from './harness.js';

describe('trailing -> not X with within', () => {
  const unpaid = () => rule([el('o', 'order'), el('p', 'payment', { negated: true })], { within: 10 });

  it('completes at the deadline with end = first + within when no X came', () => {
    const result = run(unpaid(), events('o1:order@100 x:other@105'));
    expect(result.matches).toEqual(['o:o1']);
    expect(result.all[0]).toMatchObject({ kind: 'match', start: 100, end: 110 });
  });

  it('is cancelled by an X before the deadline', () => {
    expect(run(unpaid(), events('o1:order@100 p1:payment@109')).matches).toEqual([]);
  });

  it('an X at exactly the deadline comes too late to cancel it', () => {
    const result = run(unpaid(), events('o1:order@100 p1:payment@110'));
    expect(result.matches).toEqual(['o:o1']);
  });

  it('completes only when the clock reaches the deadline', () => {
    const r = unpaid();
    const before = run(r, events('o1:order@100'), { end: 109 });
    expect(before.matches).toEqual([]);
    expect(before.nfa.nextDeadline(before.state)).toBe(110);
    const at = run(r, events('o1:order@100'), { end: 110 });
    expect(at.matches).toEqual(['o:o1']);
    expect(at.nfa.isEmpty(at.state)).toBe(true);
  });

  it('each order gets its own deadline', () => {
    const result = run(unpaid(), events('o1:order@100 o2:order@104 p:payment@112'));
    expect(result.matches).toEqual(['o:o1']);
  });

  it('is rejected without within', () => {
    expect(() => run(rule([el('o', 'order'), el('p', 'payment', { negated: true })]), [])).toThrow(/needs "within"/);
  });
});

describe('trailing next not X', () => {
  const r = () => rule([el('a', 'a'), el('b', 'b', { negated: true, contiguity: 'strict' })]);

  it('completes on the next event when it is not X, end = the last matched event', () => {
    const result = run(r(), events('a1:a@1 c:c@5'));
    expect(result.matches).toEqual(['a:a1']);
    expect(result.all[0]).toMatchObject({ start: 1, end: 1 });
  });

  it('is killed when the next event is X', () => {
    expect(run(r(), events('a1:a@1 b:b@2 c:c@3')).matches).toEqual([]);
  });

  it('waits for the next event', () => {
    const result = run(r(), events('a1:a@1'), { end: 100 });
    expect(result.matches).toEqual([]);
    expect(result.nfa.partialMatchCount(result.state)).toBe(1);
  });
});

describe('within (last - first < within)', () => {
  const r = (onTimeout?: boolean) => rule([el('a', 'a'), el('b', 'b')], { within: 10, onTimeout: onTimeout ? [] : undefined });

  it('an event at exactly the deadline does not extend the partial match', () => {
    expect(run(r(), events('a1:a@0 b1:b@10')).matches).toEqual([]);
    expect(run(r(), events('a1:a@0 b1:b@9')).matches).toEqual(['a:a1 b:b1']);
  });

  it('a timed-out partial match is reported with end = its last event, only with on timeout', () => {
    const result = run(r(true), events('a1:a@3 x:x@20'));
    expect(result.timeouts).toEqual(['a:a1']);
    expect(result.all[0]).toMatchObject({ kind: 'timeout', start: 3, end: 3 });
    expect(run(r(false), events('a1:a@3 x:x@20')).all).toEqual([]);
  });
});
