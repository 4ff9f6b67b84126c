/**
 * The contract of an alert sink (stdout/file, WebSocket, Kafka). A sink receives each alert once,
 * in the order the engine produced them, and the engine's counters periodically.
 */
import type { Alert } from './alert.js';

/** The engine's counters, pushed to sinks that show them (the dashboard). */
export interface EngineStats {
  /** Events read so far (good records). */
  readonly events: number;
  /** Events per second over the last reporting interval. */
  readonly eventsPerSecond: number;
  readonly badRecords: number;
  readonly lateEvents: number;
  /** Alerts produced so far (the engine's count, not the size of any sink's history). */
  readonly alerts: number;
  /** Alerts per rule name, every rule of the run present (0 before its first alert). */
  readonly alertsByRule: Readonly<Record<string, number>>;
  /** Current watermark (ms; -Infinity before the first, Infinity at end of input). */
  readonly watermark: number;
  /**
   * How far the watermark trails the clock that event time should follow, ms: the wall clock on
   * Kafka; the replay's clock in a replay paced by `--speed` (the event time the pacing has reached);
   * null in a replay at full speed (recorded event time says nothing about the wall clock: "4009 days
   * behind" is no lag), before the first watermark and after the end of input.
   */
  readonly watermarkLag: number | null;
  /** Live partial matches over all rules and keys. */
  readonly partialMatches: number;
  /** Keys holding state. */
  readonly keys: number;
}

/**
 * Where alerts go (stdout/file, WebSocket, Kafka). The engine calls `write` once per alert in the
 * order it produced them, `stats` about once a second, and `close` once at the end (after every
 * write it made). While a returned write promise is pending the engine counts the alert as in
 * flight and pauses reading past 1,024 of them (backpressure); a write that throws or rejects fails the run
 * (`runEngine` rejects with that error after closing sources and sinks).
 */
export interface AlertSink {
  /** Accepts one alert. A returned promise resolves once the alert is delivered (or handed to a retrying producer). */
  write(alert: Alert): void | Promise<void>;
  /** Receives the engine's counters (about once a second and at the end). Optional. */
  stats?(stats: EngineStats): void;
  /** Flushes what is pending and releases resources. */
  close(): Promise<void>;
}
