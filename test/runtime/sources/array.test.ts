/**
 * `fromArray` (src/runtime/sources/array.ts) and `runOnArray` (src/runtime/run-on-array.ts): events
 * in memory through the real engine; an element that is not an object is a bad record at its
 * position, the others unaffected.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../src/dsl/index.js';
import { compile } from '../../../src/nfa/index.js';
import { runEngine } from '../../../src/runtime/engine.js';
import { runOnArray } from '../../../src/runtime/run-on-array.js';
import { fromArray } from '../../../src/runtime/sources/array.js';

const rules = parseRules(`
rule pair
  key by k
  pattern a as x -> b as y
  within 1m
  emit { first: x.n, second: y.n }
  on timeout emit { first: x.n }
`).map((r) => compile(r));

describe('fromArray / runOnArray', () => {
  it('runs rules over an array to the end of input: matches, then timeouts', async () => {
    const events = [
      { type: 'a', ts: 0, k: 'k1', n: 1 },
      { type: 'a', ts: 1000, k: 'k2', n: 2 },
      { type: 'b', ts: 2000, k: 'k1', n: 3 },
    ];
    const { alerts, summary } = await runOnArray(rules, events);
    expect(alerts.map((a) => [a.kind, a.key, a.fields])).toEqual([
      ['match', 'k1', { first: 1, second: 3 }],
      ['timeout', 'k2', { first: 2 }],
    ]);
    expect(summary).toMatchObject({ events: 3, badRecords: 0, alerts: 2 });
  });

  it('sets aside an element that is not an object as a bad record at array[i]', async () => {
    const log: string[] = [];
    const { alerts, summary } = await runOnArray(rules, [{ type: 'a', ts: 0, k: 'k', n: 1 }, 'garbage', null, { type: 'b', ts: 5, k: 'k', n: 2 }], { log: (l) => log.push(l) });
    expect(alerts.map((a) => a.fields)).toEqual([{ first: 1, second: 2 }]);
    expect(summary).toMatchObject({ events: 2, badRecords: 2 });
    expect(log).toEqual(['cep: bad record at array[1]: not an object', 'cep: bad record at array[2]: not an object']);
  });

  it('reads any iterable once, names its input, and refuses what is not iterable at once', async () => {
    function* generated(): Generator<Record<string, unknown>> {
      for (let i = 0; i < 4; i++) yield { type: i < 2 ? 'a' : 'b', ts: i, k: `k${i % 2}`, n: i };
    }
    const collected: unknown[] = [];
    const summary = await runEngine({ rules, sources: [fromArray(generated(), { input: 'gen' })], sinks: [{ write: (a) => void collected.push(a.fields), close: async () => undefined }] });
    expect(summary.events).toBe(4);
    expect(collected).toEqual([{ first: 0, second: 2 }, { first: 1, second: 3 }]);
    expect(fromArray([], { input: 'gen' }).inputs).toEqual(['gen']);
    expect(() => fromArray(42 as unknown as unknown[])).toThrow(TypeError);
    expect(() => fromArray(null as unknown as unknown[])).toThrow('fromArray expects an array (or iterable) of event objects, got null');
  });
});
