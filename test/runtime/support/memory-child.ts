/**
 * Child process of the memory test: replays N generated events (`a -> b within 10s` over 100,000
 * keys) through the real parser, compiler and engine, then prints one JSON line with the counts
 * and the peak RSS (`process.resourceUsage().maxRSS`, KiB). Events are made on the fly, a chunk
 * at a time, so nothing but the engine's own state can make memory grow.
 * Usage: node --import tsx test/runtime/support/memory-child.ts EVENTS
 */
import type { Alert } from '../../../src/alerts/alert.js';
import { parseRules } from '../../../src/dsl/index.js';
import { compile } from '../../../src/nfa/compiler.js';
import { runEngine } from '../../../src/runtime/engine.js';
import type { Source, SourceRecord } from '../../../src/runtime/source.js';

const total = Number(process.argv[2] ?? 10_000_000);
const KEYS = 100_000;
const T0 = Date.UTC(2024, 0, 1);
const TYPES = ['a', 'b', 'c'];

/** A seeded stream: 10 events per ms of event time, random keys and types (a, b, c). */
const generated: Source & { batches(): AsyncGenerator<SourceRecord[]> } = {
  inputs: ['generated'],
  async *batches() {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < total; ) {
      const batch: SourceRecord[] = [];
      for (let j = 0; j < 4096 && i < total; j++, i++) {
        const value = { type: TYPES[next() % 3], ts: T0 + Math.floor(i / 10), id: `k${next() % KEYS}` };
        batch.push({ kind: 'event', input: 'generated', position: 'generated', value });
      }
      yield batch;
      await new Promise((resolve) => setImmediate(resolve));
    }
  },
  async *records() {
    for await (const batch of this.batches()) yield* batch;
  },
  async close() {},
};

let alerts = 0;
let lastAlert: Alert | null = null;
const rules = parseRules('rule ab\n  key by id\n  pattern a -> b\n  within 10s\n', 'memory.cep').map((r) => compile(r));
const summary = await runEngine({
  rules,
  sources: [generated],
  sinks: [{ write: (a) => void ((lastAlert = a), alerts++), close: async () => {} }],
  log: () => {},
});
process.stdout.write(JSON.stringify({ events: summary.events, alerts, lateEvents: summary.lateEvents, maxRssKiB: process.resourceUsage().maxRSS, eventsPerSecond: summary.eventsPerSecond, lastRule: (lastAlert as Alert | null)?.rule }) + '\n');
