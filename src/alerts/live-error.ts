/**
 * Errors of the live components (WebSocket alert server, Kafka sink and source), after kafkajs
 * `src/errors.js` and ws's `WS_ERR_*` codes (STYLE.md 10): a stable `code` a caller can switch on,
 * a `retriable` flag (true when trying again later may succeed: a broker down, a port taken by a
 * process that may exit), the context as fields (`topic`, `partition`, `host`, `port`, ...), and
 * the underlying error as `cause`.
 */

/** Stable error codes of the live components. */
export type LiveErrorCode =
  /** The Kafka producer could not connect to the brokers. */
  | 'CEP_KAFKA_CONNECT'
  /** Alerts could not be delivered to Kafka after the producer's retries. */
  | 'CEP_KAFKA_SEND'
  /** The Kafka consumer failed (group join, fetch, crash of the consumer loop). */
  | 'CEP_KAFKA_CONSUME'
  /** Committing consumed offsets failed. */
  | 'CEP_KAFKA_COMMIT'
  /** A write to a sink that was already closed. */
  | 'CEP_SINK_CLOSED'
  /** The WebSocket alert server could not listen on its address. */
  | 'CEP_WS_LISTEN'
  /** The metrics and health server (`--metrics`) could not listen on its address. */
  | 'CEP_METRICS_LISTEN';

/** Context fields carried by a {@link LiveError}. */
export interface LiveErrorContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly brokers?: readonly string[];
  readonly host?: string;
  readonly port?: number;
  /** Number of alerts (or records) affected. */
  readonly count?: number;
}

/** The context fields of a {@link LiveError} are its own properties (`error.topic`), declared once in {@link LiveErrorContext}. */
export interface LiveError extends LiveErrorContext {}

/** A runtime or sink error of a live component. */
export class LiveError extends Error {
  override readonly name = 'LiveError';
  readonly code: LiveErrorCode;
  readonly retriable: boolean;

  constructor(code: LiveErrorCode, message: string, options: { retriable: boolean; cause?: unknown; context?: LiveErrorContext }) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable;
    Object.assign(this, options.context);
  }
}

/** Whether a caught error says it may succeed on retry (kafkajs `retriable`, or a transient socket error). */
export function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retriable?: unknown; code?: unknown; name?: unknown; cause?: unknown };
  // kafkajs gives up with a non-retriable "retries exceeded" wrapping the error it kept retrying.
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' && e.cause !== undefined && e.cause !== error) return isRetriable(e.cause);
  if (typeof e.retriable === 'boolean') return e.retriable;
  return e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT' || e.code === 'EADDRINUSE';
}

/** Whether a caught error, or an error in its `cause` chain, has one of the kafkajs error `type`s. */
export function hasErrorType(error: unknown, types: ReadonlySet<string>): boolean {
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && types.has(type)) return true;
  }
  return false;
}

/** The message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
