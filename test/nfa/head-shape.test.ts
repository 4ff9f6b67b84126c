/**
 * Head shapes: one number per (alias, automaton state, event type), the same number for the same
 * triple, and past the table's cap a key state keeps its single-event partial match as a node,
 * with the same contents and deadline.
 */
import { describe, expect, it } from 'vitest';
import { SHAPE_LIMIT, shapeAt, shapeOf } from '../../src/nfa/head-shape.js';
import { MatcherState } from '../../src/nfa/matcher-state.js';
import { BufferNode } from '../../src/nfa/shared-buffer.js';
import { ev } from './harness.js';

describe('head shapes', () => {
  it('numbers each (alias, state, type) once, from 1', () => {
    const a = shapeOf('x', 1, 'a');
    expect(a).toBeGreaterThanOrEqual(1);
    expect(shapeOf('y', 1, 'a')).not.toBe(a);
    expect(shapeOf('x', 2, 'a')).not.toBe(a);
    expect(shapeOf('x', 1, 'b')).not.toBe(a);
    expect(shapeOf('x', 1, 'a')).toBe(a);
    expect(shapeOf('x', 1, String.fromCharCode(97))).toBe(a);
    expect(shapeAt(a)).toEqual({ id: a, alias: 'x', state: 1, type: 'a' });
  });

  it('past the cap, a single-event partial match is kept as its node, with the same contents', () => {
    for (let i = 0; shapeOf('t', 1, `type${i}`) !== 0; i++) if (i > SHAPE_LIMIT) throw new Error('no cap');
    const state = new MatcherState();
    const event = ev(1, 'unseen', 1_704_067_200_000);
    state.startWith('u', event, 4, 3);
    const node = state.oldest() as BufferNode;
    expect([node.alias, node.event, node.seq, node.prev, node.state]).toEqual(['u', event, 4, null, 3]);
    expect(state.oldestStartTime).toBe(1_704_067_200_000);
    expect(state.oldestStartSeq).toBe(4);
    expect(state.oldest()).toBe(node);
    // Shapes numbered before the cap still unbox.
    state.setOldest(new BufferNode('x', ev(2, 'a', -5), 9, null, 1));
    expect(state.oldest()).not.toBe(state.oldest());
    expect(state.oldestStartTime).toBe(-5);
    expect(state.oldestStartSeq).toBe(9);
  });
});
