import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../src/alerts/iso-time.js';

describe('isoUtc', () => {
  it('writes what Date.prototype.toISOString writes, across days, years and edge times', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const times = [0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */, 1_704_067_200_028, 253_402_300_799_999];
    for (let i = 0; i < 20_000; i++) times.push(Math.floor(random() * 4_102_444_800_000)); // 1970..2100
    // Consecutive times within a day, as alerts come: the cached date part must not go stale.
    for (let t = 1_704_153_599_000; t < 1_704_153_601_000; t += 7) times.push(t);
    for (const t of times) expect(isoUtc(t)).toBe(new Date(t).toISOString());
  });

  it('falls back to Date for times outside 1970..9999 or with fractions, and throws as it does', () => {
    for (const t of [-1, -86_400_001, 1.5, 253_402_300_800_000, 8.64e15]) expect(isoUtc(t)).toBe(new Date(t).toISOString());
    expect(() => isoUtc(NaN)).toThrow(RangeError);
    expect(() => isoUtc(Infinity)).toThrow(RangeError);
  });
});
