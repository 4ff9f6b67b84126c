import { describe, expect, it } from 'vitest';
import { TimeQueue } from '../../src/runtime/time-queue.js';
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

describe('TimeQueue', () => {
  it('pops by time, ties in insertion order', () => {
    const q = new TimeQueue<{ time: number; seq: number; id: string }>();
    const items = [5, 1, 5, 3, 1, 9, 0, 3].map((time, seq) => ({ time, seq, id: `${time}/${seq}` }));
    for (const item of items) q.push(item);
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop().id);
    expect(out).toEqual(['0/6', '1/1', '1/4', '3/3', '3/7', '5/0', '5/2', '9/5']);
    expect(q.peekTime()).toBe(Infinity);
    expect(() => q.pop()).toThrow(/empty/);
  });

  it('lists its entries in pop order without changing itself, and retains some in that order', () => {
    const q = new TimeQueue<{ time: number; seq: number; id: string }>();
    const items = [5, 1, 5, 3, 1, 9, 0, 3].map((time, seq) => ({ time, seq, id: `${time}/${seq}` }));
    for (const item of items) q.push(item);
    expect(q.ordered().map((e) => e.id)).toEqual(['0/6', '1/1', '1/4', '3/3', '3/7', '5/0', '5/2', '9/5']);
    expect(q.size).toBe(8);
    q.retain((e) => e.time !== 3);
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop().id);
    expect(out).toEqual(['0/6', '1/1', '1/4', '5/0', '5/2', '9/5']);
  });
});

describe('TimeQueue as the reorder buffer', () => {
  it('releases by time, ties in arrival order, whether events came in order or not', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const buffer = new TimeQueue<{ time: number; seq: number }>();
    const all: { time: number; seq: number }[] = [];
    let clock = 0;
    const out: { time: number; seq: number }[] = [];
    for (let seq = 0; seq < 5000; seq++) {
      clock += Math.floor(rnd() * 3);
      const time = rnd() < 0.2 ? clock - Math.floor(rnd() * 20) : clock; // a fifth arrive late
      const e = { time, seq };
      all.push(e);
      buffer.push(e);
      // Release up to a lagging watermark now and then, as the engine does.
      if (seq % 50 === 0) while (buffer.peekTime() <= clock - 30) out.push(buffer.pop());
    }
    while (buffer.size > 0) out.push(buffer.pop());
    const sorted = [...all].sort((a, b) => a.time - b.time || a.seq - b.seq);
    // Nothing arrives more than 20 behind the clock and releases stop 30 behind it: the release order is the full sort.
    expect(out).toHaveLength(all.length);
    expect(out).toEqual(sorted);
  });
});
