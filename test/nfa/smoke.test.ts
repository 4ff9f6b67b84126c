import { describe, expect, it } from 'vitest';
import { el, rule } from './build.js';
import { matchSet, stream } from './harness.js';

describe('smoke', () => {
  it('a -> b', () => {
    const r = rule([el('a', 'a'), el('b', 'b')]);
    expect(matchSet(r, stream([1, 'a'], [2, 'x'], [3, 'a'], [4, 'b']))).toEqual(['a:1 b:4', 'a:3 b:4']);
  });
});
