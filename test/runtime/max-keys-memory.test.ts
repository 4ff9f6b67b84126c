/**
 * `--max-keys` bounds memory (issue 12: "an evicted key's partial match stays alive in the timer
 * queue until its deadline"): a stream where every event opens a partial match of a new key, all
 * deadlines an hour ahead, under `maxKeys` 100. Past the bound each new key evicts one, so the heap
 * must stay flat while keys keep coming: neither the evicted partial matches nor their timer entries
 * may accumulate. The heap is read after a forced garbage collection, in the engine's own process,
 * while the run is under way (by the source, before it yields the next event).
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import { runEngine } from '../../src/runtime/engine.js';
import type { Source, SourceRecord } from '../../src/runtime/source.js';
import { MemorySink } from './support/memory.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const T0 = Date.UTC(2024, 0, 1);
/** Keys after which the heap is read: past the bound and warmed up, then 200,000 evictions later. */
const CHECKPOINTS = [60_000, 260_000];

it('evicting 200,000 keys at maxKeys 100 leaves the heap flat: partial matches and their timers go', async () => {
  const heapMb: number[] = [];
  const source: Source = {
    inputs: ['keys'],
    async *records(): AsyncGenerator<SourceRecord> {
      for (let i = 1; i <= CHECKPOINTS[1]; i++) {
        if (CHECKPOINTS.includes(i)) {
          gc();
          heapMb.push(process.memoryUsage().heapUsed / 2 ** 20);
        }
        // One event per key, each with a 1 KB field so that a kept partial match shows.
        yield { kind: 'event', input: 'keys', position: `keys:${i}`, value: { type: 'a', ts: T0 + i, id: `key-${i}`, note: 'x'.repeat(1024) } } as SourceRecord;
      }
    },
    async close() {},
  };
  const [rule] = parseRules('rule pending key by id pattern a -> b within 1h');
  const summary = await runEngine({ rules: [compile(rule)], sources: [source], sinks: [new MemorySink()], maxKeys: 100, log: () => {} });

  expect(summary).toMatchObject({ events: CHECKPOINTS[1], alerts: 0 });
  expect(summary.evictedKeys).toBe(CHECKPOINTS[1] - 100);
  // Measured: 13.1 then 13.0 MB. Without the sweep of stale timer entries (keyed-state.ts SharedTimers)
  // it grew by 34.5 MB; kept partial matches, with their 1 KB events, would add 200 MB.
  expect(heapMb[1] - heapMb[0]).toBeLessThan(5);
}, 120_000);
