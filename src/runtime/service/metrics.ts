/**
 * The Prometheus metrics of DSL.md section 10, with prom-client. Nothing is counted here: every
 * metric reads the engine's own counters ({@link RunningEngine.counters}) when it is scraped
 * (prom-client `collect`), so `/metrics`, the summary and the dashboard agree by construction.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `cep_events_total` | counter | `input` (file, `-`, or `topic/partition`) |
 * | `cep_bad_records_total`, `cep_late_events_total` | counter | |
 * | `cep_alerts_total` | counter | `rule`, `kind` (`match`, `timeout`) |
 * | `cep_partial_matches`, `cep_keys` | gauge | `rule` |
 * | `cep_evicted_keys_total`, `cep_dropped_partial_matches_total`, `cep_condition_errors_total` | counter | `rule` |
 * | `cep_watermark_lag_seconds` | gauge | `input`: how far its watermark trails the wall clock (Kafka) or the replay's clock (`--speed`), s; no sample in a replay at full speed, before the first watermark or after the end |
 * | `cep_kafka_lag` | gauge | `topic`, `partition`: records after the last fetched batch |
 *
 * Plus prom-client's default process metrics (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { parseTopicPartition } from '../../alerts/kafka-options.js';
import type { RunCounters, RunningEngine } from '../engine.js';

/** Where the metrics read from: the running engine, or `null` before it starts (no samples then). */
export type EngineRef = () => RunningEngine | null;

/** The metrics of a run: the registry, and one scrape's text exposition. */
export interface Metrics {
  readonly registry: Registry;
  /** The text exposition (format 0.0.4) of every metric, the engine's counters read once. */
  scrape(): Promise<string>;
}

/** The metrics of DSL.md section 10 over `engine`, plus the default process metrics. */
export function createMetrics(engine: EngineRef): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let counters: RunCounters | null = null;
  const scrape = async (): Promise<string> => {
    counters = engine()?.counters() ?? null;
    return registry.metrics();
  };
  type Fill = (c: RunCounters, set: (labels: Record<string, string>, value: number) => void) => void;
  // Each metric takes its samples from the counters read for the scrape (none before the engine runs).
  const define = (kind: 'counter' | 'gauge', name: string, help: string, labelNames: string[], fill: Fill): void => {
    const collect = function (this: Counter | Gauge): void {
      this.reset();
      if (counters !== null) fill(counters, (labels, value) => (this instanceof Counter ? this.inc(labels, value) : this.set(labels, value)));
    };
    const configuration = { name, help, labelNames, registers: [registry], collect };
    if (kind === 'counter') new Counter(configuration);
    else new Gauge(configuration);
  };
  const counter = (name: string, help: string, labelNames: string[], fill: Fill): void => define('counter', name, help, labelNames, fill);
  const gauge = (name: string, help: string, labelNames: string[], fill: Fill): void => define('gauge', name, help, labelNames, fill);
  counter('cep_events_total', 'Events read (good records), by input', ['input'], (c, set) => {
    for (const [input, n] of Object.entries(c.eventsByInput)) set({ input }, n);
  });
  counter('cep_bad_records_total', 'Records set aside as bad (not JSON, no event time, ...)', [], (c, set) => set({}, c.badRecords));
  counter('cep_late_events_total', 'Events not after the watermark (not matched)', [], (c, set) => set({}, c.lateEvents));
  counter('cep_alerts_total', 'Alerts, by rule and kind', ['rule', 'kind'], (c, set) => {
    for (const [rule, r] of Object.entries(c.rules)) {
      set({ rule, kind: 'match' }, r.alerts.match);
      set({ rule, kind: 'timeout' }, r.alerts.timeout);
    }
  });
  // Counters keep the rules removed by a reload (their counts stay); gauges are of the running rules.
  const perRule = (field: 'partialMatches' | 'keys' | 'evictedKeys' | 'droppedPartialMatches' | 'conditionErrors', runningOnly = false) => (c: RunCounters, set: Parameters<Fill>[1]): void => {
    for (const [rule, r] of Object.entries(c.rules)) if (r.running || !runningOnly) set({ rule }, r[field]);
  };
  gauge('cep_partial_matches', 'Live partial matches, by rule', ['rule'], perRule('partialMatches', true));
  gauge('cep_keys', 'Keys holding state, by rule', ['rule'], perRule('keys', true));
  counter('cep_evicted_keys_total', 'Keys evicted at --max-keys while holding partial matches, by rule', ['rule'], perRule('evictedKeys'));
  counter('cep_dropped_partial_matches_total', 'Partial matches dropped at --max-partial-matches, by rule', ['rule'], perRule('droppedPartialMatches'));
  counter('cep_condition_errors_total', 'Condition evaluations that failed (counted as false), by rule', ['rule'], perRule('conditionErrors'));
  gauge('cep_watermark_lag_seconds', 'How far the watermark of the input trails the wall clock (Kafka) or the paced replay clock, seconds', ['input'], (c, set) => {
    for (const [input, lag] of Object.entries(c.watermarkLags)) set({ input }, lag / 1000);
  });
  gauge('cep_kafka_lag', 'Records in the partition after the last batch fetched', ['topic', 'partition'], (c, set) => {
    for (const [input, lag] of Object.entries(c.inputLag)) {
      const { topic, partition } = parseTopicPartition(input);
      set({ topic, partition: String(partition) }, lag);
    }
  });
  return { registry, scrape };
}
