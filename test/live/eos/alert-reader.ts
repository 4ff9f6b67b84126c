/**
 * A downstream consumer of the alert topic, as the fraud team would run it: a kafkajs consumer
 * with isolation level `read_committed` (`readUncommitted: false`), reading from the beginning
 * for the whole run and keeping every record. A `read_uncommitted` reader is available too, as a
 * diagnostic (it also sees alerts of aborted transactions).
 *
 * Caught up: for a read_committed consumer the end is the last stable offset (LSO), which
 * `admin.fetchTopicOffsets` returns (kafkajs lists offsets with READ_COMMITTED). The position per
 * partition is taken from the consumer's END_BATCH_PROCESS events, which kafkajs also emits for
 * fetches holding only control records (transaction markers) or aborted records, so a topic
 * ending in a commit marker is still read "to its end". An open transaction of a killed producer
 * holds the LSO back until it is aborted: a reader that stays behind then shows that.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';

/** One alert record as read. */
export interface AlertRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The record value (the alert JSON). */
  readonly value: string;
  /** Wall-clock time when read, ms. */
  readonly readAt: number;
  /** The writing producer as `producerId/epoch` (from the record batch): which transactional producer, which incarnation. */
  readonly producer: string;
  readonly headers: Record<string, string>;
}

export class AlertReader {
  readonly records: AlertRecord[] = [];
  /** Next offset to read per partition (from END_BATCH_PROCESS). */
  private readonly positions = new Map<number, bigint>();
  /** Wall-clock time of the last record, ms. */
  lastRecordAt = 0;

  private constructor(
    readonly topic: string,
    private readonly consumer: Consumer,
  ) {}

  /** Connects, subscribes from the beginning and starts reading. */
  static async start(kafka: Kafka, topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<AlertReader> {
    const consumer = kafka.consumer({
      groupId: `cep-eos-reader-${randomBytes(4).toString('hex')}`,
      readUncommitted: isolation === 'read_uncommitted',
      maxWaitTimeInMs: 200,
      sessionTimeout: 30_000,
    });
    const reader = new AlertReader(topic, consumer);
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = BigInt(payload.lastOffset) + 1n;
      if (next > (reader.positions.get(payload.partition) ?? 0n)) reader.positions.set(payload.partition, next);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        reader.lastRecordAt = Date.now();
        // kafkajs keeps the record batch's header on each message (not in its typings).
        const batch = (message as { batchContext?: { producerId?: string; producerEpoch?: number } }).batchContext;
        const headers: Record<string, string> = {};
        for (const [name, v] of Object.entries(message.headers ?? {})) headers[name] = String(v);
        reader.records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          readAt: reader.lastRecordAt,
          producer: `${batch?.producerId ?? '?'}/${batch?.producerEpoch ?? '?'}`,
          headers,
        });
      },
    });
    return reader;
  }

  get count(): number {
    return this.records.length;
  }

  /** The alerts read, parsed. */
  alerts(): Record<string, unknown>[] {
    return this.records.map((r) => JSON.parse(r.value) as Record<string, unknown>);
  }

  /** Partitions whose position is below the last stable offset (empty: caught up), with both offsets. */
  async behind(admin: Admin): Promise<{ partition: number; position: bigint; end: bigint }[]> {
    const ends = await admin.fetchTopicOffsets(this.topic);
    return ends
      .map((p) => ({ partition: p.partition, position: this.positions.get(p.partition) ?? BigInt(p.low), end: BigInt(p.high) }))
      .filter((p) => p.position < p.end);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
