/**
 * The key state's own bookkeeping: the deadline kept as two small integers (exact for every time a
 * caller can pass, and `isDue` equal to `deadline <= time`), the oldest partial match kept apart
 * from the others, and a matcher run whose deadline crosses a 2^30 ms boundary of that split.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/nfa/compiler.js';
import { KeyState } from '../../src/nfa/key-state.js';
import { BufferNode } from '../../src/nfa/shared-buffer.js';
import { mulberry32 } from '../../bench/lib/generate.js';
import { el, rule } from './build.js';
import { ev, render } from './harness.js';

const SPLIT = 2 ** 30;

describe('KeyState deadline', () => {
  const random = mulberry32(7);
  // Epoch ms of today, times around the split boundaries, negative times, the safe-integer ends, fractions.
  const times = [
    0, 1, -1, SPLIT - 1, SPLIT, SPLIT + 1, -SPLIT, -SPLIT - 1, 1_704_067_200_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0.5, -0.25, 1_704_067_200_000.75,
    ...Array.from({ length: 2_000 }, () => Math.floor((random() - 0.5) * 2 ** 45)),
    ...Array.from({ length: 200 }, () => Math.floor(random() * 4) * SPLIT + Math.floor(random() * 3) - 1),
  ];

  it('reads back exactly what was set, Infinity included', () => {
    const state = new KeyState();
    expect(state.deadline).toBe(Infinity);
    for (const t of [...times, Infinity]) {
      state.deadline = t;
      expect(state.deadline).toBe(t);
    }
  });

  it('isDue(time) is deadline <= time', () => {
    const state = new KeyState();
    for (const deadline of [...times, Infinity]) {
      state.deadline = deadline;
      for (const time of [deadline - 1, deadline, deadline + 1, deadline - 0.5, deadline + 0.5, times[Math.floor(random() * times.length)], Infinity, -Infinity]) {
        expect(state.isDue(time), `deadline ${deadline}, time ${time}`).toBe(deadline <= time);
      }
    }
  });
});

describe('KeyState partial matches', () => {
  const nodes = Array.from({ length: 5 }, (_, i) => new BufferNode('a', ev(i, 'a', i), i, null, 1));

  it('keeps the oldest apart and the others in order', () => {
    const state = new KeyState();
    expect(state.partialCount).toBe(0);
    expect(state.partials()).toEqual([]);
    state.setPartials(nodes);
    expect(state.head).toBe(nodes[0]);
    expect(state.partialCount).toBe(5);
    expect(Array.from({ length: 5 }, (_, i) => state.partialAt(i))).toEqual(nodes);
    expect(state.partials()).toEqual(nodes);
    state.setPartials(nodes.slice(0, 1));
    expect(state.head).toBe(nodes[0]);
    expect(state.rest).toHaveLength(0);
  });

  it('drops the oldest', () => {
    const state = new KeyState();
    for (const [count, left] of [[0, nodes], [1, nodes.slice(1)], [4, nodes.slice(4)], [5, []]] as const) {
      state.setPartials(nodes);
      state.dropOldest(count);
      expect(state.partials()).toEqual(left);
      expect(state.head).toBe(left[0] ?? null);
    }
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
