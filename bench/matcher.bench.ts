/**
 * Matcher benchmark: the NFA alone (events already parsed and routed to their key, in memory, one
 * core). Each event comes with its key's slot, as keyed state hands an operator its key's state:
 * states live in an array indexed by key, and a key whose state becomes empty is dropped and its
 * state released to the NFA for reuse, as the runtime does (src/runtime/keyed-state.ts). Finding
 * the slot from the key value (the runtime's keyed state) is not the matcher's work: it is
 * measured with the rest of the runtime by bench/replay.bench.ts.
 *
 *   node --import tsx --expose-gc bench/matcher.bench.ts
 *
 * Scenarios (DSL.md rules, default skip past last):
 *  (a) `a -> b within 10s` over 100,000 keys          — goal ≥ 3 million events/s
 *  (b) `a[v > 0]{3,} -> b within 1m`                   — a Kleene closure
 *  (c) `a ->> b ->> c within 100ms`                    — skip-till-any contiguity
 * For each: events/s by wall time and by CPU time (best of 5 runs after a warm-up, because the
 * machine's speed varies by tens of percent between runs; CPU time includes garbage collection,
 * which runs on helper threads too), matches, and bytes per live partial match (heap growth per
 * partial match with one pending partial match per key; includes the key's state object and its
 * Map entry, not the event itself). Prints a table, writes bench/results/matcher.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRules } from '../src/dsl/index.js';
import { compile } from '../src/nfa/compiler.js';
import type { CepEvent } from '../src/nfa/event.js';
import type { Nfa, NfaState } from '../src/nfa/nfa.js';
import { mulberry32 } from './lib/generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc: node --import tsx --expose-gc bench/matcher.bench.ts');

interface Scenario {
  readonly name: string;
  readonly rule: string;
  readonly keys: number;
  readonly events: number;
  /** Type of the i-th event of a key. */
  readonly typeOf: (i: number) => string;
  /** Milliseconds between consecutive events of the stream (fractions allowed: several events per ms). */
  readonly step: number;
}

const scenarios: Scenario[] = [
  { name: '(a) a -> b within 10s, 100k keys', rule: 'pattern a -> b within 10s', keys: 100_000, events: 2_000_000, typeOf: (i) => (i % 2 === 1 ? 'b' : 'a'), step: 0.05 },
  { name: '(b) a[v > 0]{3,} -> b within 1m', rule: 'pattern a[v > 0]{3,} -> b within 1m', keys: 10_000, events: 1_000_000, typeOf: (i) => (i % 6 === 5 ? 'b' : 'a'), step: 1 },
  { name: '(c) a ->> b ->> c within 100ms', rule: 'pattern a ->> b ->> c within 100ms', keys: 1_000, events: 1_000_000, typeOf: (i) => ['a', 'b', 'c'][i % 3], step: 0.01 },
];

/** Event time of the first event, epoch ms (real times: larger than a small integer, as in a replay). */
const EPOCH = Date.UTC(2024, 0, 1);

/** The stream: each event goes to a random key (fixed seed); times increase by `step` ms. */
function makeStream(s: Scenario): { events: CepEvent[]; keys: Int32Array } {
  const keyNames = Array.from({ length: s.keys }, (_, i) => `k${i}`);
  const perKey = new Int32Array(s.keys);
  const events: CepEvent[] = new Array(s.events);
  const keys = new Int32Array(s.events);
  const random = mulberry32(42);
  for (let i = 0; i < s.events; i++) {
    const k = Math.floor(random() * s.keys);
    const n = perKey[k]++;
    events[i] = { type: s.typeOf(n), time: EPOCH + Math.floor(i * s.step), data: { k: keyNames[k], v: 1 + (n % 5) } };
    keys[i] = k;
  }
  return { events, keys };
}

/**
 * Feeds the stream once, as the runtime would; returns [wall ms, CPU ms of this process, matches].
 * CPU time is reported beside wall time because the benchmark machine is shared: on a busy machine
 * wall time measures the neighbours, CPU time (user + system, one thread) the matcher.
 */
function feed(nfa: Nfa, events: readonly CepEvent[], keys: Int32Array, keyCount: number): [number, number, number] {
  const states: (NfaState | undefined)[] = new Array(keyCount).fill(undefined);
  let matches = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const key = keys[i];
    let state = states[key];
    if (state === undefined) {
      state = nfa.initialState();
      states[key] = state;
    } else {
      matches += nfa.advanceTime(state, event.time).length;
    }
    matches += nfa.process(state, event).length;
    if (nfa.isEmpty(state)) {
      states[key] = undefined;
      nfa.release(state);
    }
  }
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(c0);
  return [Number(t1 - t0) / 1e6, (cpu.user + cpu.system) / 1000, matches];
}

/** Heap bytes per live partial match: one `a` per key, each leaving one partial match. */
function bytesPerPartialMatch(nfa: Nfa, keyCount: number): number {
  const events: CepEvent[] = Array.from({ length: keyCount }, (_, i) => ({ type: 'a', time: EPOCH + i, data: { k: `k${i}`, v: 1 } }));
  const keys = events.map((e) => e.data.k as string);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const states = new Map<string, NfaState>();
  let partials = 0;
  for (let i = 0; i < events.length; i++) {
    const state = nfa.initialState();
    nfa.process(state, events[i]);
    states.set(keys[i], state);
  }
  for (const state of states.values()) partials += nfa.partialMatchCount(state);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  if (states.size !== keyCount) throw new Error('unreachable: states lost');
  return partials === 0 ? NaN : (after - before) / partials;
}

const rows: Record<string, string | number>[] = [];
for (const s of scenarios) {
  const [rule] = parseRules(`rule bench\n  key by k\n  ${s.rule}\n`, 'bench.cep');
  const { events, keys } = makeStream(s);
  let best = Infinity;
  let bestCpu = Infinity;
  let matches = 0;
  for (let run = 0; run < 6; run++) {
    const [ms, cpuMs, m] = feed(compile(rule), events, keys, s.keys);
    if (run > 0) {
      best = Math.min(best, ms);
      bestCpu = Math.min(bestCpu, cpuMs);
    }
    matches = m;
  }
  const bytes = bytesPerPartialMatch(compile(rule), Math.min(s.keys, 100_000));
  rows.push({
    scenario: s.name,
    keys: s.keys,
    events: s.events,
    'events/s (wall)': Math.round(s.events / (best / 1000)),
    'events/s (cpu)': Math.round(s.events / (bestCpu / 1000)),
    matches,
    'best wall ms': Math.round(best),
    'bytes/partial match': Math.round(bytes),
  });
}

console.table(rows);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'matcher.json'), `${JSON.stringify({ suite: 'matcher', node: process.version, date: new Date().toISOString(), results: rows }, null, 2)}\n`);
