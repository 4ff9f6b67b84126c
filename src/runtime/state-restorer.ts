/**
 * Reads a task's partition of the state changelog topic back (exactly-once restore, as a Kafka
 * Streams task restores its state store from its changelog partition before it processes).
 *
 * kafkajs has no manual partition assignment, so the reader is a consumer of a group of its own
 * (one per process, never committing), subscribed to the state topic with every partition paused;
 * a restore seeks one partition to its beginning and resumes it.
 *
 * Where the partition ends: the caller has just fenced the task's previous owner (its open
 * transaction is aborted or completed) and committed a restore marker with a fresh nonce in a
 * transaction of its own. Read with `read_committed`, every state record written before the
 * marker comes before it, so the restore reads until it meets its own nonce. (A high-watermark
 * read cannot tell where the last committed record is: the partition ends in transaction markers
 * that no consumer sees.)
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { decodeRecord, markerKey, type StateRecord } from './state-records.js';

/** A restore in progress: the latest record per key of one partition, until the marker. */
interface Reading {
  readonly task: string;
  readonly nonce: string;
  readonly latest: Map<string, StateRecord>;
  resolve(records: StateRecord[]): void;
  reject(error: unknown): void;
}

/** One process's reader of the state topic (see the file comment): `read` resolves with the latest record per key of one partition, up to a marker. */
export class StateRestorer {
  private readonly readings = new Map<number, Reading>();

  private constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
  ) {}

  /**
   * Joins the reader's own group and pauses every partition of `topic`.
   * @throws the consumer's error when the brokers cannot be reached.
   */
  static async start(kafka: Kafka, topic: string, groupPrefix: string): Promise<StateRestorer> {
    // Large fetches: a restore reads a whole partition as fast as the broker gives it.
    const consumer = kafka.consumer({
      groupId: `${groupPrefix}.restore.${randomUUID()}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
    });
    const restorer = new StateRestorer(consumer, topic);
    let joined!: () => void;
    const join = new Promise<void>((ok) => (joined = ok));
    // Every (re)join resumes every partition: pause those not being restored.
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[topic] ?? [];
      const idle = partitions.filter((p) => !restorer.readings.has(p));
      if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
      joined();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (payload) => restorer.onBatch(payload) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error(`the state reader of ${topic} did not join its group within 60 s`)), 60_000); });
    try {
      await Promise.race([join, timeout]);
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return restorer;
  }

  /**
   * The state records of partition `partition` (task `task`) up to the marker `nonce`: the latest
   * record per key, tombstones included (a tombstone deletes its key).
   * @throws Error when the marker is not read within `timeoutMs`, or a record cannot be decoded.
   */
  read(partition: number, task: string, nonce: string, timeoutMs: number): Promise<StateRecord[]> {
    if (this.readings.has(partition)) return Promise.reject(new Error(`state partition ${partition} is already being restored`));
    return new Promise<StateRecord[]>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`restoring task ${task}: the restore marker did not come back from ${this.topic}/${partition} within ${timeoutMs} ms`)), timeoutMs);
      const finish = (outcome: StateRecord[] | Error): void => {
        clearTimeout(timer);
        if (this.readings.get(partition) !== reading) return;
        this.readings.delete(partition);
        this.consumer.pause([{ topic: this.topic, partitions: [partition] }]);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const reading: Reading = { task, nonce, latest: new Map(), resolve: finish, reject: (e) => finish(e instanceof Error ? e : new Error(String(e))) };
      this.readings.set(partition, reading);
      this.consumer.seek({ topic: this.topic, partition, offset: '0' });
      this.consumer.resume([{ topic: this.topic, partitions: [partition] }]);
    });
  }

  async close(): Promise<void> {
    for (const reading of this.readings.values()) reading.reject(new Error('the state reader closed'));
    await this.consumer.disconnect().catch(() => undefined);
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    const reading = this.readings.get(batch.partition);
    if (reading === undefined) return;
    const marker = markerKey(reading.task);
    try {
      for (const message of batch.messages) {
        // Records read again (a fetch from an earlier offset) are applied again in order: reading
        // on to the marker, the latest record per key is the same.
        if (message.key === null) continue;
        const key = message.key.toString('utf8');
        const record = decodeRecord(key, message.value);
        if (record.task !== reading.task) continue;
        if (key === marker) {
          if (record.kind === 'marker' && record.nonce === reading.nonce) {
            reading.resolve([...reading.latest.values()]);
            return;
          }
          continue;
        }
        reading.latest.set(key, record);
      }
    } catch (error) {
      reading.reject(error);
    }
  }
}
