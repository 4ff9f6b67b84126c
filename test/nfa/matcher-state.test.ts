/**
 * The key state's own bookkeeping: the oldest partial match's start time kept as two small integers
 * (exact for every time a caller can pass, and `isDue` equal to `start + within <= time`), the
 * oldest partial match kept apart from the others, and a matcher run whose deadline crosses a 2^30
 * ms boundary of that split.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/nfa/compiler.js';
import { CompletedMatch } from '../../src/nfa/completed-match.js';
import { MatcherState } from '../../src/nfa/matcher-state.js';
import { BufferNode } from '../../src/nfa/shared-buffer.js';
import { prng as mulberry32 } from '../support/prng.js';
import { el, rule } from './build.js';
import { ev, render } from './harness.js';

const SPLIT = 2 ** 30;

describe('MatcherState start time and deadline', () => {
  const random = mulberry32(7);
  // Epoch ms of today, times around the split boundaries, negative times, the safe-integer ends, fractions.
  const times = [
    0, 1, -1, SPLIT - 1, SPLIT, SPLIT + 1, -SPLIT, -SPLIT - 1, 1_704_067_200_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0.5, -0.25, 1_704_067_200_000.75,
    ...Array.from({ length: 2_000 }, () => Math.floor((random() - 0.5) * 2 ** 45)),
    ...Array.from({ length: 200 }, () => Math.floor(random() * 4) * SPLIT + Math.floor(random() * 3) - 1),
  ];

  it('reads back exactly the time of the event that started the oldest partial match, and its event', () => {
    const state = new MatcherState();
    expect(state.oldestStartTime).toBe(Infinity);
    for (const t of times) {
      const event = ev(1, 'a', t);
      state.startWith('x', event, 0, 1);
      expect(state.oldestStartTime).toBe(t);
      expect(state.oldest()?.event).toEqual(event);
    }
    state.setOldest(null);
    expect(state.oldestStartTime).toBe(Infinity);
  });

  it('isDue(time, within) is start + within <= time', () => {
    const state = new MatcherState();
    expect(state.isDue(Infinity, 10)).toBe(true);
    expect(state.isDue(times[0], 10)).toBe(false);
    for (const start of times) {
      state.startWith('x', ev(1, 'a', start), 0, 1);
      for (const within of [0, 1, 10_000, 0.5, Infinity]) {
        const deadline = start + within;
        for (const time of [deadline - 1, deadline, deadline + 1, deadline - 0.5, deadline + 0.5, times[Math.floor(random() * times.length)], Infinity, -Infinity]) {
          expect(state.isDue(time, within), `start ${start}, within ${within}, time ${time}`).toBe(deadline <= time);
        }
      }
    }
  });
});

describe('MatcherState partial matches', () => {
  // Single-event partial matches (kept unboxed when oldest) and two-event ones (kept as nodes).
  const first = Array.from({ length: 5 }, (_, i) => new BufferNode('a', ev(i, 'a', i), i, null, 1));
  const second = first.map((a, i) => new BufferNode('b', ev(`b${i}`, 'b', 10 + i), 10 + i, a, 2));
  const mixed = [first[0], second[1], first[2], second[3], first[4]];

  for (const [name, nodes] of [['single-event', first], ['two-event', second], ['mixed', mixed]] as const) {
    it(`keeps ${name} partial matches in order, the oldest apart`, () => {
      const state = new MatcherState();
      expect(state.hasPartials).toBe(false);
      expect(state.partialCount).toBe(0);
      expect(state.oldest()).toBeNull();
      expect(state.oldestStartSeq).toBe(-1);
      expect(state.oldestStartTime).toBe(Infinity);
      state.setPartials(nodes);
      expect(state.partialCount).toBe(5);
      expect(state.oldest()).toEqual(nodes[0]);
      expect(state.oldestStartSeq).toBe(nodes[0].startSeq);
      expect(state.oldestStartTime).toBe(nodes[0].startTime);
      expect(Array.from({ length: 5 }, (_, i) => state.partialAt(i))).toEqual(nodes);
      expect(state.partials()).toEqual(nodes);
      expect(state.rest).toEqual(nodes.slice(1));
    });

    it(`drops the oldest ${name} partial matches`, () => {
      const state = new MatcherState();
      for (const count of [0, 1, 2, 4, 5]) {
        state.setPartials(nodes);
        state.dropOldest(count);
        expect(state.partials()).toEqual(nodes.slice(count));
        expect(state.oldestStartSeq).toBe(count < 5 ? nodes[count].startSeq : -1);
        expect(state.hasPartials).toBe(count < 5);
      }
    });
  }

  it('keeps a single-event oldest partial match unboxed, with its alias and automaton state', () => {
    const state = new MatcherState();
    const node = new BufferNode('x', ev(1, 'a', 5), 3, null, 7);
    state.setOldest(node);
    const back = state.oldest() as BufferNode;
    expect(back).not.toBe(node);
    expect([back.alias, back.event, back.seq, back.prev, back.state, back.startTime, back.startSeq]).toEqual(['x', node.event, 3, null, 7, 5, 3]);
    expect(back.event).not.toBe(node.event);
    state.setOldest(second[0]);
    expect(state.oldest()).toBe(second[0]);
    state.setOldest(null);
    expect(state.hasPartials).toBe(false);
  });
});

describe('MatcherState held data', () => {
  it('is the data of an event the state holds, unboxed, in a node, or in a held-back match, and undefined when empty', () => {
    const state = new MatcherState();
    expect(state.heldData()).toBeUndefined();
    const a = ev(1, 'a', 5);
    state.startWith('x', a, 0, 1);
    expect(state.heldData()).toBe(a.data);
    const b = ev(2, 'b', 6);
    state.setOldest(new BufferNode('y', b, 1, new BufferNode('x', a, 0, null, 1), 2));
    expect(state.heldData()).toBe(b.data);
    state.completed = [new CompletedMatch('match', new BufferNode('x', a, 0, null, 1), 5, ['x'])];
    state.setOldest(null);
    expect(state.heldData()).toBe(a.data);
    state.clear();
    expect(state.heldData()).toBeUndefined();
  });
});

describe('matcher deadline across a 2^30 ms boundary', () => {
  // `a -> b within 10ms` with the first event 5 ms before a multiple of 2^30: the deadline's high part differs from the start's.
  const start = 1_587 * SPLIT - 5;
  const r = rule([el('a', 'a'), el('b', 'b')], { within: 10 });

  for (const [offset, expected] of [[9, ['a:1 b:2']], [10, []]] as const) {
    it(`a b ${offset} ms after a ${expected.length > 0 ? 'matches' : 'has timed out'}`, () => {
      const nfa = compile(r);
      const state = nfa.initialState();
      nfa.process(state, ev(1, 'a', start));
      expect(nfa.nextDeadline(state)).toBe(start + 10);
      const b = ev(2, 'b', start + offset);
      const matches = [...nfa.advanceTime(state, b.time), ...nfa.process(state, b)];
      expect(matches.map(render)).toEqual(expected);
      expect(nfa.isEmpty(state)).toBe(true);
    });
  }
});
