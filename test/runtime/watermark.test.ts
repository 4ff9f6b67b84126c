import { describe, expect, it } from 'vitest';
import { WatermarkTracker } from '../../src/runtime/watermark.js';

describe('WatermarkTracker', () => {
  it('is the largest time seen minus the delay minus 1 ms, and never goes back', () => {
    const w = new WatermarkTracker(['a'], { maxDelay: 1000 });
    expect(w.watermark).toBe(-Infinity);
    expect(w.observe('a', 10_000)).toBe(8_999);
    expect(w.observe('a', 9_000)).toBe(8_999);
    expect(w.observe('a', 12_000)).toBe(10_999);
  });

  it('takes the minimum over inputs; a finished input no longer holds it back', () => {
    const w = new WatermarkTracker(['a', 'b']);
    expect(w.observe('a', 100)).toBe(-Infinity);
    expect(w.observe('b', 50)).toBe(49);
    expect(w.finish('b')).toBe(99);
    expect(w.finish('a')).toBe(Infinity);
  });

  it('leaves out inputs idle for the given processing time', () => {
    let now = 0;
    const w = new WatermarkTracker(['a', 'b'], { idleAfter: 5_000, now: () => now });
    w.observe('a', 100);
    expect(w.recompute()).toBe(-Infinity);
    now = 5_000; // b has said nothing for 5 s; a spoke at 0 so is idle too: watermark held
    expect(w.recompute()).toBe(-Infinity);
    w.observe('a', 200);
    expect(w.recompute()).toBe(199);
    w.observe('b', 150); // b comes back: the watermark does not go back
    expect(w.watermark).toBe(199);
  });

  it('checks its options', () => {
    expect(() => new WatermarkTracker([], { maxDelay: -1 })).toThrow(/maxDelay/);
    expect(() => new WatermarkTracker([], { idleAfter: 0 })).toThrow(/idleAfter/);
  });
});
