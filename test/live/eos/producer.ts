/**
 * Produces the harness's events to the input topic as a live stream: record key = the event's
 * `account` (the rules' `key by`), partition chosen by kafkajs's default partitioner (Java's
 * murmur2), value = the event's JSON. Chunks are sent one after another and each waits for its
 * acks from all in-sync replicas, so every partition receives its events in the order given (the
 * reference file's order). The producer is idempotent: a retried chunk is never written twice
 * (a duplicated input event would make the reference wrong, not the engine).
 *
 * Independent of vitest (the soak script uses it too): the caller passes the brokers.
 */
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { BankEvent } from './data.js';

export interface StreamOptions {
  /** Records per send. Default 1000. */
  readonly chunk?: number;
  /** Pace: at most this many events per second (processing time). Default: as fast as the broker takes them. */
  readonly eventsPerSecond?: number;
  /** Stops producing (between chunks) when aborted; the promise then resolves with what was sent. */
  readonly signal?: AbortSignal;
}

/** A Kafka client for the harness (quiet logs). */
export function harnessKafka(brokers: readonly string[], clientId = 'cep-eos-harness'): Kafka {
  return new Kafka({ brokers: [...brokers], clientId, logLevel: logLevel.NOTHING });
}

/** The events' producer; `produced` counts the events acknowledged so far. */
export class EventStream {
  produced = 0;
  private producer: Producer | null = null;

  constructor(private readonly kafka: Kafka, readonly topic: string) {}

  private async connected(): Promise<Producer> {
    if (this.producer === null) {
      this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
      await this.producer.connect();
    }
    return this.producer;
  }

  /**
   * Sends `events` (keyed by account) in order.
   * @returns how many were sent (fewer than given only when aborted).
   * @throws kafkajs errors when the broker refuses a chunk after its retries.
   */
  async send(events: readonly BankEvent[], options: StreamOptions = {}): Promise<number> {
    const producer = await this.connected();
    const chunk = options.chunk ?? 1000;
    const started = Date.now();
    const before = this.produced;
    for (let i = 0; i < events.length; i += chunk) {
      if (options.signal?.aborted === true) break;
      const slice = events.slice(i, i + chunk);
      await producer.send({ topic: this.topic, acks: -1, messages: slice.map((e) => ({ key: e.account, value: JSON.stringify(e) })) });
      this.produced += slice.length;
      if (options.eventsPerSecond !== undefined) {
        const due = started + ((i + slice.length) / options.eventsPerSecond) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
      }
    }
    return this.produced - before;
  }

  /** Sends one sentinel to each given partition explicitly (record key = its account). */
  async sendSentinels(sentinels: readonly { partition: number; event: BankEvent }[]): Promise<void> {
    const producer = await this.connected();
    await producer.send({ topic: this.topic, acks: -1, messages: sentinels.map((s) => ({ key: s.event.account, partition: s.partition, value: JSON.stringify(s.event) })) });
    this.produced += sentinels.length;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
