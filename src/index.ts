/**
 * The package's programmatic API (`cep-engine`): rules (`parseRules`, the `rule`/`begin` builder) →
 * `compile` → `runEngine` with sources and sinks, or `runOnArray` for events already in memory.
 *
 * ```ts
 * import { parseRules, compile, runEngine, NdjsonSource, FileSink } from 'cep-engine';
 * const rules = parseRules(text, 'rules.cep').map((r) => compile(r));
 * await runEngine({ rules, sources: [new NdjsonSource('events.ndjson')], sinks: [new FileSink({})] });
 * ```
 *
 * Importing it loads neither kafkajs nor ws: the Kafka source and sink are in `cep-engine/kafka`,
 * the WebSocket alert server and its dashboard in `cep-engine/websocket` (package.json `exports`).
 */
export { parseRules, rule, begin, RuleError, RuleErrors, printSourceLocation } from './dsl/index.js';
export type { ConditionFn, ElementOptions, Target } from './dsl/index.js';
export * from './nfa/index.js';
export { runEngine } from './runtime/engine.js';
export type { EngineOptions, Summary, Progress, RunCounters, RunningEngine } from './runtime/engine.js';
export { runOnArray, type ArrayRunOptions } from './runtime/run-on-array.js';
export type { Source, SourceRecord, SourceEvent, SourceBadRecord, SourceControl, SourceTaskStart, SourceTaskEnd } from './runtime/source.js';
export { NdjsonSource } from './runtime/sources/ndjson.js';
export { CsvSource } from './runtime/sources/csv.js';
export { fromArray, type ArraySourceOptions } from './runtime/sources/array.js';
export type { Alert } from './alerts/alert.js';
export { alertJson, toAlert } from './alerts/alert.js';
export type { AlertSink, EngineStats } from './alerts/sink.js';
export { FileSink } from './alerts/file-sink.js';
export { LiveError } from './alerts/live-error.js';
