/**
 * The Kafka alert sink (kafkajs): each alert becomes one record of the output topic, with
 * key = the alert's key (as is when a string, else its JSON: `["a",1]`), value = the alert's JSON
 * (DSL.md section 6), and headers `rule`, `severity`, `kind`.
 *
 * Delivery:
 * 1. The producer is idempotent (a retried batch is never written twice, acks from all in-sync
 *    replicas), so a broker hiccup costs a retry, not a duplicate.
 * 2. Alerts written in the same turn of the event loop form one batch (at most `maxBatch` records);
 *    one batch is in flight at a time, the next gathers meanwhile, which keeps per-partition order.
 * 3. `write` returns the batch's promise: it resolves once the broker acknowledged the batch
 *    (the engine marks the events behind the alert done only then; the Kafka source commits from that).
 * 4. A batch that still fails after the producer's retries rejects with LiveError `CEP_KAFKA_SEND`
 *    (topic, count, retriable, cause); the sink is then failed: later writes throw that error and
 *    `close` rejects with it after releasing the producer.
 * 5. `close` sends what is pending, waits for it, then disconnects (graceful shutdown).
 */
import type { Producer } from 'kafkajs';
import { alertJson, type Alert } from './alert.js';
import { checkTopic, createKafkaClient } from './kafka-client.js';
import { CONNECTION_OPTION_NAMES, type KafkaConnectionOptions } from './kafka-options.js';
import { checkOptionNames, type OptionNames } from './option-names.js';
import { isRetriable, LiveError, messageOf } from './live-error.js';
import type { AlertSink } from './sink.js';

/** The connection (brokers, TLS, SASL: {@link KafkaConnectionOptions}), the output topic and the batch size of a Kafka alert sink. */
export interface KafkaSinkOptions extends KafkaConnectionOptions {
  /** Output topic. */
  readonly topic: string;
  /** Most records per produce request. Default 1000. */
  readonly maxBatch?: number;
}

/** A connected Kafka alert sink. */
export interface KafkaSink extends AlertSink {
  readonly topic: string;
  /** Queues the alert; the promise resolves once the broker acknowledged its batch. */
  write(alert: Alert): Promise<void>;
  /** Alerts acknowledged by the broker so far. */
  delivered(): number;
  /** Sends what is pending and waits for it, without closing. @throws LiveError CEP_KAFKA_SEND when the sink failed. */
  flush(): Promise<void>;
}

const OPTION_NAMES: OptionNames<KafkaSinkOptions> = { ...CONNECTION_OPTION_NAMES, topic: true, maxBatch: true };

/** An alert as a record of the alert topic (here and in exactly-once transactions): key = the alert's key (as is when a string, else its JSON), value = its JSON, headers rule/severity/kind. */
export function alertRecord(alert: Alert): { key: string; value: string; headers: Record<string, string> } {
  const key = typeof alert.key === 'string' ? alert.key : JSON.stringify(alert.key);
  return { key, value: alertJson(alert), headers: { rule: alert.rule, severity: alert.severity, kind: alert.kind } };
}

interface Batch {
  readonly messages: { key: string; value: string; headers: Record<string, string> }[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((ok, fail) => { resolve = ok; reject = fail; });
  done.catch(() => undefined); // the failure is also kept and re-thrown by write/close: never unhandled
  return { messages: [], done, resolve, reject };
}

/**
 * Checks the options, connects an idempotent producer and returns the sink.
 * @throws TypeError/RangeError for bad options (before any connection);
 *   LiveError `CEP_KAFKA_CONNECT` (brokers, retriable, cause) when no broker can be reached.
 */
export async function createKafkaSink(options: KafkaSinkOptions): Promise<KafkaSink> {
  if (typeof options !== 'object' || options === null) throw new TypeError('Kafka sink options must be an object with brokers and topic');
  checkOptionNames('Kafka sink', options, OPTION_NAMES);
  const topic = checkTopic("Kafka sink option 'topic'", options.topic);
  const maxBatch = options.maxBatch ?? 1000;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 100_000) throw new RangeError(`Kafka sink option 'maxBatch' must be an integer from 1 to 100000, got ${maxBatch}`);
  const kafka = createKafkaClient('Kafka sink', options);
  const brokers = [...options.brokers];
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
  } catch (error) {
    throw new LiveError('CEP_KAFKA_CONNECT', `cannot connect the alert producer to ${brokers.join(',')}: ${messageOf(error)}`, {
      retriable: isRetriable(error),
      cause: error,
      context: { brokers, topic },
    });
  }
  return new KafkaSinkImpl(producer, topic, brokers, maxBatch);
}

class KafkaSinkImpl implements KafkaSink {
  private pending: Batch | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: LiveError | null = null;
  private closing: Promise<void> | null = null;
  private deliveredCount = 0;

  constructor(
    private readonly producer: Producer,
    readonly topic: string,
    private readonly brokers: readonly string[],
    private readonly maxBatch: number,
  ) {}

  delivered(): number {
    return this.deliveredCount;
  }

  /** @returns the promise of the alert's batch (step 3). @throws the sink's LiveError once failed, CEP_SINK_CLOSED after close. */
  write(alert: Alert): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.closing !== null) throw new LiveError('CEP_SINK_CLOSED', `write to the Kafka sink of topic ${this.topic} after close`, { retriable: false, context: { topic: this.topic } });
    let batch = this.pending;
    if (batch === null) {
      batch = newBatch();
      this.pending = batch;
      setImmediate(() => this.dispatch());
    }
    batch.messages.push(alertRecord(alert));
    if (batch.messages.length >= this.maxBatch) this.dispatch();
    return batch.done;
  }

  async flush(): Promise<void> {
    this.dispatch();
    await this.inFlight;
    if (this.failure !== null) throw this.failure;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        this.dispatch();
        await this.inFlight;
      } finally {
        await this.producer.disconnect().catch(() => undefined);
      }
      if (this.failure !== null) throw this.failure;
    })();
    return this.closing;
  }

  /** Queues the pending batch behind the one in flight (step 2). */
  private dispatch(): void {
    const batch = this.pending;
    if (batch === null) return;
    this.pending = null;
    this.inFlight = this.inFlight.then(() => this.send(batch));
  }

  private async send(batch: Batch): Promise<void> {
    if (this.failure !== null) return batch.reject(this.failure);
    try {
      await this.producer.send({ topic: this.topic, acks: -1, messages: batch.messages });
      this.deliveredCount += batch.messages.length;
      batch.resolve();
    } catch (error) {
      this.failure = new LiveError('CEP_KAFKA_SEND', `could not deliver ${batch.messages.length} alerts to topic ${this.topic}: ${messageOf(error)}`, {
        retriable: isRetriable(error),
        cause: error,
        context: { topic: this.topic, brokers: this.brokers, count: batch.messages.length },
      });
      batch.reject(this.failure);
    }
  }
}
