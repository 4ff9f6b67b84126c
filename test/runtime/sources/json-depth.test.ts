import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsTooDeep } from '../../../src/runtime/sources/json-depth.js';

/** An object of `levels` levels: the record, then arrays or objects inside it. */
function nested(levels: number, inner: '[' | '{'): string {
  const open = inner === '[' ? '[' : '{"x":';
  const close = inner === '[' ? ']' : '}';
  return `{"v":${open.repeat(levels - 2)}${inner === '[' ? '[]' : '{}'}${close.repeat(levels - 2)}}`;
}

describe('nestsTooDeep', () => {
  it(`takes ${MAX_JSON_DEPTH} levels of arrays or objects and refuses one more`, () => {
    for (const inner of ['[', '{'] as const) {
      const ok = nested(MAX_JSON_DEPTH, inner);
      const deep = nested(MAX_JSON_DEPTH + 1, inner);
      expect(nestsTooDeep(ok, JSON.parse(ok))).toBe(false);
      expect(nestsTooDeep(deep, JSON.parse(deep))).toBe(true);
    }
  });

  it('finds the deep part anywhere, and 200,000 levels without a stack overflow', () => {
    const deep = `{"a":1,"b":[1,{"c":2}],"d":${'['.repeat(200_000)}${']'.repeat(200_000)},"e":3}`;
    expect(nestsTooDeep(deep, JSON.parse(deep))).toBe(true);
  });

  it('does not walk text too short to nest that deep', () => {
    const wide = JSON.stringify({ a: Array.from({ length: 1000 }, (_, i) => ({ i, s: 'x'.repeat(10) })) });
    expect(nestsTooDeep(wide, JSON.parse(wide))).toBe(false);
    // A value that does not match its text is not looked at when the text is short.
    expect(nestsTooDeep('{}', JSON.parse(nested(MAX_JSON_DEPTH + 1, '[')))).toBe(false);
  });
});
