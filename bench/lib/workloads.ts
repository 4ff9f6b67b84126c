/**
 * The workloads of bench/peers.bench.ts (issue 6): each is one rule in our DSL, the name of its
 * counterpart in the peers (bench/peers/flink `FlinkPatterns`, bench/peers/esper
 * `EsperStatements`), the after-match skip strategy used on every side, and its input: a seeded
 * synthetic stream (bench/lib/generate.ts) or a real dataset from examples/data.
 *
 * The real-data workloads (5) run the example rule files as they are (skip past last, our
 * default); the peers run hand-written equivalents of the same rules.
 *
 * (7) runs 100 rules on one stream (100 patterns in Flink, each its own CEP operator on the keyed
 * stream; 100 statements in Esper): rule i is `r<i>a -> r<i>b within 10s`, and the stream spreads
 * its events and planted pairs evenly over the 100 rules' types. (8) is the memory workload:
 * 1,000,000 keys each holding one partial match of `a -> b within 1h` when the input ends
 * (bench/lib/generate.ts `pendingKeys`), read for peak RSS and heap as much as for wall time.
 *
 * Skip strategies: Esper's `every a -> b` has Flink's noSkip semantics, so the pattern workloads
 * run with `skip none` here and `noSkip()` in Flink. The Kleene workload runs with `skip past
 * last` (our default, Flink `skipPastLastEvent()`), where a relaxed `{3,}` loop gives one alert
 * per run instead of one per suffix of the run.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamSpec } from './generate.js';

/** examples/ at the repository root. */
const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/** Peer workload id, as the Java peers take it with `--workload`. */
export type PeerWorkload = 'ab' | 'absence' | 'kleene' | 'any' | 'ssh' | 'orders' | 'disjoint';

/** After-match skip strategy, named as the Java peers take it with `--skip`. */
export type PeerSkip = 'noSkip' | 'skipPastLastEvent';

/** One benchmark run: the same events and the same pattern on every engine. */
export interface Workload {
  /** Short id, used in the table, the JSON and the chart. */
  readonly id: string;
  /** What it measures, one line. */
  readonly title: string;
  /** The rules in our DSL (DSL.md): the text of one rule, or a rule file. */
  readonly rules: { readonly text: string } | { readonly file: string };
  /** The peers' counterpart (bench/peers/flink `FlinkPatterns`, bench/peers/esper `EsperStatements`). */
  readonly peer: PeerWorkload;
  readonly skip: PeerSkip;
  /** `within` of the synthetic rule, ms (the peers take it as `--within`); 0 for rule files. */
  readonly within: number;
  /** Allowed out-of-orderness, ms (watermark = max seen − maxDelay − 1 on every engine). */
  readonly maxDelay: number;
  /** Key field of the events. */
  readonly keyField: string;
  /** Fields the peers must keep as text for the rules' conditions (real data). */
  readonly attrs?: readonly string[];
  /** For `disjoint`: the number of rules, rule i reading the copy `r<i>` of the types (the peers take it as `--copies`). */
  readonly copies?: number;
  /**
   * The input: a synthetic stream, the pending-keys stream of that many keys
   * (bench/lib/generate.ts `pendingKeys`), or the path of a real NDJSON file.
   */
  readonly input: { readonly synthetic: StreamSpec } | { readonly pendingKeys: number } | { readonly file: string };
  /** Which scaling series the run belongs to (x value in the chart), if any. */
  readonly series?: { readonly name: 'keys' | 'within'; readonly x: number };
}

/** Sizes: `full` for the published numbers, `quick` for a smoke run (BENCH_QUICK=1). */
export interface Sizes {
  /** Events per synthetic workload (1)–(4). */
  readonly events: number;
  /** Events of the 100-rule workload (7). */
  readonly rulesEvents: number;
  /** Keys of the pending-keys workload (8). */
  readonly pendingKeys: number;
  /** Events per scaling point (6). */
  readonly scalingEvents: number;
  /** Keys of the scaling series (6). */
  readonly keySeries: readonly number[];
  /** `within` values (ms) of the scaling series (6). */
  readonly withinSeries: readonly number[];
}

export const FULL: Sizes = {
  events: 500_000,
  rulesEvents: 100_000,
  pendingKeys: 1_000_000,
  scalingEvents: 200_000,
  keySeries: [1_000, 10_000, 100_000, 1_000_000],
  withinSeries: [1_000, 10_000, 60_000, 600_000],
};

export const QUICK: Sizes = {
  events: 20_000,
  rulesEvents: 5_000,
  pendingKeys: 20_000,
  scalingEvents: 10_000,
  keySeries: [1_000, 1_000_000],
  withinSeries: [1_000, 60_000],
};

/** Mean event-time rate of the synthetic streams, events/s. */
const RATE = 10_000;
/** Out-of-orderness of the synthetic streams, ms. */
const MAX_DELAY = 100;
/** Fraction of events in planted matching sequences. */
const MATCH_FRACTION = 0.1;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Rules of the 100-rule workload (7). */
const RULES = 100;

function stream(events: number, keys: number, sequence: string[], span: number, noiseTypes: string[], seed: number): StreamSpec {
  return { events, keys, rate: RATE, maxDelay: MAX_DELAY, matchFraction: MATCH_FRACTION, sequence, span, noiseTypes, seed };
}

function rule(text: string): { text: string } {
  return { text };
}

function abRule(within: number): { text: string } {
  return rule(`rule ab key by id pattern a -> b within ${within}ms skip none`);
}

/** Every workload for the given sizes, in run order. */
export function workloads(sizes: Sizes): Workload[] {
  const synthetic = (spec: StreamSpec) => ({ synthetic: spec });
  const list: Workload[] = [
    {
      id: 'ab',
      title: '(1) a -> b within 10s, 100,000 keys',
      rules: abRule(10 * SECOND),
      peer: 'ab',
      skip: 'noSkip',
      within: 10 * SECOND,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: synthetic(stream(sizes.events, 100_000, ['a', 'b'], 10 * SECOND, ['a', 'b', 'x', 'y'], 1)),
    },
    {
      id: 'absence',
      title: '(2) a -> not b within 10s, 100,000 keys',
      rules: rule('rule absence key by id pattern a -> not b within 10s skip none'),
      peer: 'absence',
      skip: 'noSkip',
      within: 10 * SECOND,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: synthetic(stream(sizes.events, 100_000, ['a', 'b'], 10 * SECOND, ['a', 'b', 'x', 'y'], 2)),
    },
    {
      id: 'kleene',
      title: '(3) a{3,} -> b within 1m, 1,000 keys, skip past last',
      rules: rule('rule kleene key by id pattern a{3,} -> b within 1m skip past last'),
      peer: 'kleene',
      skip: 'skipPastLastEvent',
      within: MINUTE,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: synthetic(stream(sizes.events, 1_000, ['a', 'a', 'a', 'b'], MINUTE, ['a', 'b', 'x', 'y'], 3)),
    },
    {
      id: 'any',
      title: '(4) a ->> b ->> c within 100ms (skip till any), 100 keys',
      rules: rule('rule skip_till_any key by id pattern a ->> b ->> c within 100ms skip none'),
      peer: 'any',
      skip: 'noSkip',
      within: 100,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: synthetic(stream(sizes.events, 100, ['a', 'b', 'c'], 100, ['a', 'b', 'c', 'x'], 4)),
    },
  ];
  list.push(
    {
      id: 'ssh',
      title: '(5) examples/rules/ssh.cep on ssh-auth.ndjson (2 rules)',
      rules: { file: join(EXAMPLES, 'rules', 'ssh.cep') },
      peer: 'ssh',
      skip: 'skipPastLastEvent',
      within: 0,
      maxDelay: 0,
      keyField: 'ip',
      input: { file: join(EXAMPLES, 'data', 'ssh-auth.ndjson') },
    },
    {
      id: 'orders',
      title: '(5) examples/rules/orders.cep on olist-orders.ndjson (3 rules)',
      rules: { file: join(EXAMPLES, 'rules', 'orders.cep') },
      peer: 'orders',
      skip: 'skipPastLastEvent',
      within: 0,
      maxDelay: 0,
      keyField: 'order_id',
      attrs: ['ts', 'estimated'],
      input: { file: join(EXAMPLES, 'data', 'olist-orders.ndjson') },
    },
  );
  list.push(
    {
      id: 'rules100',
      title: '(7) 100 rules r<i>a -> r<i>b within 10s on one stream, 100,000 keys',
      rules: rule(Array.from({ length: RULES }, (_, i) => `rule r${i} key by id pattern r${i}a -> r${i}b within 10s skip none`).join('\n')),
      peer: 'disjoint',
      skip: 'noSkip',
      within: 10 * SECOND,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      copies: RULES,
      input: synthetic({ ...stream(sizes.rulesEvents, 100_000, ['a', 'b'], 10 * SECOND, ['a', 'b', 'x', 'y'], 8), copies: RULES }),
    },
    {
      id: 'pending',
      title: `(8) ${sizes.pendingKeys.toLocaleString('en-US')} pending keys: a -> b within 1h, one partial match per key at the end`,
      rules: abRule(HOUR),
      peer: 'ab',
      skip: 'noSkip',
      within: HOUR,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: { pendingKeys: sizes.pendingKeys },
    },
  );
  for (const keys of sizes.keySeries) {
    list.push({
      id: `keys-${keys}`,
      title: `(6) a -> b within 10s, ${keys.toLocaleString('en-US')} keys`,
      rules: abRule(10 * SECOND),
      peer: 'ab',
      skip: 'noSkip',
      within: 10 * SECOND,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: synthetic(stream(sizes.scalingEvents, keys, ['a', 'b'], 10 * SECOND, ['a', 'b', 'x', 'y'], 6)),
      series: { name: 'keys', x: keys },
    });
  }
  for (const within of sizes.withinSeries) {
    list.push({
      id: `within-${within / SECOND}s`,
      title: `(6) a -> b within ${within / SECOND}s, 10,000 keys`,
      rules: abRule(within),
      peer: 'ab',
      skip: 'noSkip',
      within,
      maxDelay: MAX_DELAY,
      keyField: 'id',
      input: synthetic(stream(sizes.scalingEvents, 10_000, ['a', 'b'], within, ['a', 'b', 'x', 'y'], 7)),
      series: { name: 'within', x: within },
    });
  }
  return list;
}
