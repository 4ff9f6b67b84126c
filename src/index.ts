/**
 * The package's programmatic API, one import for TypeScript users:
 * rules (`parseRules`, the `rule`/`begin` builder) → `compile` → `runEngine` with sources and sinks.
 *
 * ```ts
 * import { parseRules, compile, runEngine, NdjsonSource, FileSink } from 'cep-engine';
 * const rules = parseRules(text, 'rules.cep').map((r) => compile(r));
 * await runEngine({ rules, sources: [new NdjsonSource('events.ndjson')], sinks: [new FileSink({})] });
 * ```
 */
export { parseRules, rule, begin, RuleError, RuleErrors, printSourceLocation } from './dsl/index.js';
export type { ConditionFn, ElementOptions, Target } from './dsl/index.js';
export * from './nfa/index.js';
export { runEngine } from './runtime/engine.js';
export type { EngineOptions, Summary, Progress } from './runtime/engine.js';
export type { Source, SourceRecord, SourceEvent, SourceBadRecord, SourceControl, SourceTaskStart, SourceTaskEnd } from './runtime/source.js';
export { NdjsonSource } from './runtime/sources/ndjson.js';
export { CsvSource } from './runtime/sources/csv.js';
export { createKafkaSource } from './runtime/kafka-source.js';
export type { KafkaSource, KafkaSourceOptions } from './runtime/kafka-source.js';
export type { Alert } from './alerts/alert.js';
export { toAlert } from './alerts/alert.js';
export type { AlertSink, EngineStats } from './alerts/sink.js';
export { FileSink } from './alerts/file-sink.js';
export { startAlertServer } from './alerts/ws-sink.js';
export type { AlertServer } from './alerts/ws-sink.js';
export { createKafkaSink } from './alerts/kafka-sink.js';
export type { KafkaSink, KafkaSinkOptions } from './alerts/kafka-sink.js';
export { LiveError } from './alerts/live-error.js';
