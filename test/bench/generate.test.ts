import { describe, expect, it } from 'vitest';
import { arrivalOrder, checkSpec, eventTimeOrder, pendingKeys, type StreamSpec } from '../../bench/lib/generate.js';
import { WatermarkLog, percentile } from '../../bench/lib/measure.js';

const spec: StreamSpec = {
  events: 5_000,
  keys: 50,
  rate: 1_000,
  maxDelay: 200,
  matchFraction: 0.2,
  sequence: ['a', 'b'],
  span: 1_000,
  noiseTypes: ['x', 'y'],
  seed: 42,
};

describe('synthetic streams', () => {
  it('is the same stream for the same seed and another for another seed', () => {
    const one = [...arrivalOrder(spec)];
    expect([...arrivalOrder(spec)]).toEqual(one);
    expect([...arrivalOrder({ ...spec, seed: 43 })]).not.toEqual(one);
  });

  it('writes exactly the requested number of events, in event-time order before delays', () => {
    const events = [...eventTimeOrder(spec)];
    expect(events).toHaveLength(spec.events);
    for (let i = 1; i < events.length; i++) expect(events[i].ts).toBeGreaterThanOrEqual(events[i - 1].ts);
  });

  it('never produces a late event for a watermark of max seen - maxDelay - 1', () => {
    let maxSeen = -Infinity;
    let disordered = 0;
    for (const e of arrivalOrder(spec)) {
      expect(e.ts).toBeGreaterThan(maxSeen - spec.maxDelay - 1);
      if (e.ts < maxSeen) disordered++;
      maxSeen = Math.max(maxSeen, e.ts);
    }
    expect(disordered).toBeGreaterThan(0);
  });

  it('plants the requested fraction of pattern events: with noise of other types, a/b events are about matchFraction', () => {
    const events = [...eventTimeOrder(spec)];
    const planted = events.filter((e) => e.type === 'a' || e.type === 'b').length / events.length;
    expect(planted).toBeGreaterThan(0.15);
    expect(planted).toBeLessThan(0.25);
    // Each planted b follows an a of its key by less than the span.
    const lastA = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'a') lastA.set(e.key, e.ts);
      if (e.type === 'b') {
        expect(lastA.has(e.key)).toBe(true);
        expect(e.ts - lastA.get(e.key)!).toBeLessThan(spec.span);
      }
    }
  });

  it('draws keys from the configured key space only', () => {
    const keys = new Set([...eventTimeOrder(spec)].map((e) => e.key));
    expect(keys.size).toBeLessThanOrEqual(spec.keys);
    expect(keys.size).toBeGreaterThan(spec.keys / 2);
    for (const k of keys) expect(Number(k.slice(1))).toBeLessThan(spec.keys);
  });

  it('spreads planted sequences and noise over the copies of the types when copies is set', () => {
    const events = [...eventTimeOrder({ ...spec, copies: 10 })];
    const types = new Set(events.map((e) => e.type));
    expect([...types].every((t) => /^r\d(a|b|x|y)$/.test(t))).toBe(true);
    expect(types.size).toBe(40);
    // Each planted r<i>b follows an r<i>a of its key, the same copy, by less than the span.
    const lastA = new Map<string, number>();
    for (const e of events) {
      const copy = e.type.slice(0, -1);
      if (e.type.endsWith('a')) lastA.set(`${copy} ${e.key}`, e.ts);
      if (e.type.endsWith('b')) expect(e.ts - (lastA.get(`${copy} ${e.key}`) ?? -Infinity)).toBeLessThan(spec.span);
    }
  });

  it('leaves every key of the pending-keys stream holding one a, every tenth key after one a -> b', () => {
    const events = [...pendingKeys(25)];
    expect(events).toHaveLength(25 + 3 * 2);
    for (let i = 1; i < events.length; i++) expect(events[i].ts).toBe(events[i - 1].ts + 1);
    const last = new Map<string, string>();
    const bs: string[] = [];
    for (const e of events) {
      if (e.type === 'b') {
        expect(last.get(e.key)).toBe('a');
        bs.push(e.key);
      }
      last.set(e.key, e.type);
    }
    expect(bs).toEqual(['k0', 'k10', 'k20']);
    expect(last.size).toBe(25);
    expect([...last.values()].every((t) => t === 'a')).toBe(true);
  });

  it('rejects a bad spec with the field named', () => {
    expect(() => checkSpec({ ...spec, copies: 0 })).toThrow(/copies/);
    expect(() => pendingKeys(0).next()).toThrow(/pending keys/);
    expect(() => checkSpec({ ...spec, keys: 0 })).toThrow(/keys/);
    expect(() => checkSpec({ ...spec, matchFraction: 1.5 })).toThrow(/matchFraction/);
    expect(() => checkSpec({ ...spec, sequence: [] })).toThrow(/sequence/);
  });
});

describe('latency measurement', () => {
  it('finds the instant the watermark first reached a match end', () => {
    const log = new WatermarkLog();
    log.advance(10, 1);
    log.advance(20, 2);
    log.advance(20, 3); // not an advance: ignored
    log.advance(Infinity, 4);
    expect(log.reachedAt(5, 99)).toBe(1);
    expect(log.reachedAt(10, 99)).toBe(1);
    expect(log.reachedAt(11, 99)).toBe(2);
    expect(log.reachedAt(1e15, 99)).toBe(4);
    expect(new WatermarkLog().reachedAt(1, 99)).toBe(99);
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([], 0.5)).toBeNull();
  });
});
