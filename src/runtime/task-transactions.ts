/**
 * Exactly-once for one task (input partition number p): a transactional producer of its own,
 * whose transactional id is `cep.<group>.task-<p>` (Kafka Streams' EOS-v1 scheme, which kafkajs
 * can do: one producer per task).
 *
 * - **Fencing.** `open` starts a new producer under the task's transactional id. Its
 *   `InitProducerId` bumps the id's epoch: the broker aborts the previous owner's open
 *   transaction (a killed process's too, so `read_committed` readers are not held up) and
 *   refuses every later write or commit of the previous owner (`PRODUCER_FENCED`). A process
 *   that lost the task, however late it wakes up, can no longer commit anything for it.
 * - **Restore.** In its first transaction the new owner commits a restore marker to the task's
 *   state partition, then reads that partition back up to the marker (`StateRestorer`): the last
 *   committed checkpoint, with the next input offsets it covers.
 * - **Commit.** `commit` writes, in one transaction, the alerts produced since the last commit,
 *   the changed state records (a tombstone for each cleared key) and the task's meta record (clock,
 *   reorder buffer, next input offsets), and the consumed offsets (`sendOffsets`, for lag
 *   monitoring; the offsets in the meta record are the ones a restore resumes from). Commits of a
 *   task run one after another.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { parseTopicPartition } from '../alerts/kafka-options.js';
import { alertRecord } from '../alerts/kafka-sink.js';
import { hasErrorType, isRetriable, LiveError, messageOf } from '../alerts/live-error.js';
import type { RestoredTask, TaskCheckpoint } from './source.js';
import { encodeValue, markerKey, metaKey, stateKey, type StateRecord, type TaskMeta } from './state-records.js';
import type { StateRestorer } from './state-restorer.js';

/** What the tasks of one consumer share. */
export interface TransactionContext {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly stateTopic: string;
  readonly alertTopic: string;
  readonly restorer: StateRestorer;
  /** How long the broker lets a transaction stay open before aborting it, ms. */
  readonly transactionTimeoutMs: number;
}

/** A task's restored checkpoint and the next offset to read per input (`topic/partition`). */
export interface OpenedTask {
  readonly restored: RestoredTask;
  readonly offsets: ReadonlyMap<string, bigint>;
}

/** Whether a kafkajs error says that another producer took over the transactional id. */
export function isFenced(error: unknown): boolean {
  return hasErrorType(error, FENCED);
}

/** kafkajs error types of a producer that another one took over (kafkajs's protocol versions give INVALID_PRODUCER_EPOCH). */
const FENCED: ReadonlySet<string> = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/** The transactional producer of one task (see the file comment): `open` fences and restores, `commit` writes a checkpoint. */
export class TaskTransactions {
  private producer: Producer | null = null;
  /** The commits of this task, one after another. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: TransactionContext,
    readonly task: string,
    private readonly partition: number,
  ) {}

  /**
   * Fences the task's previous owner and reads back its last committed checkpoint.
   * @throws LiveError CEP_KAFKA_COMMIT when the producer cannot start or the restore fails.
   */
  async open(): Promise<OpenedTask> {
    const { kafka, groupId, stateTopic, restorer, transactionTimeoutMs } = this.context;
    const producer = kafka.producer({ transactionalId: `cep.${groupId}.task-${this.task}`, maxInFlightRequests: 1, transactionTimeout: transactionTimeoutMs });
    this.producer = producer;
    const nonce = randomUUID();
    try {
      await producer.connect();
      const txn = await producer.transaction();
      await txn.send({ topic: stateTopic, acks: -1, messages: [{ key: markerKey(this.task), value: encodeValue(nonce), partition: this.partition }] });
      await txn.commit();
      const records = await restorer.read(this.partition, this.task, nonce, Math.max(30_000, transactionTimeoutMs));
      return restoredFrom(records);
    } catch (error) {
      await this.close();
      throw new LiveError('CEP_KAFKA_COMMIT', `restoring task ${this.task} of group ${groupId} from ${stateTopic} failed: ${messageOf(error)}`, {
        retriable: isRetriable(error),
        cause: error,
        context: { topic: stateTopic, partition: this.partition },
      });
    }
  }

  /**
   * Commits one checkpoint of the task with the next offset per input (`topic/partition`), after
   * the commits queued before it.
   * @throws LiveError CEP_KAFKA_COMMIT (the transaction was aborted; `isFenced(error)` tells a lost task).
   */
  commit(checkpoint: TaskCheckpoint, offsets: ReadonlyMap<string, bigint>): Promise<void> {
    const run = (): Promise<void> => this.transact(checkpoint, offsets);
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Waits for the queued commits, then lets the producer go. */
  async close(): Promise<void> {
    await this.chain;
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
  }

  private async transact(checkpoint: TaskCheckpoint, offsets: ReadonlyMap<string, bigint>): Promise<void> {
    const producer = this.producer;
    if (producer === null) throw new LiveError('CEP_KAFKA_COMMIT', `task ${this.task} is closed`, { retriable: false });
    const { groupId, stateTopic, alertTopic } = this.context;
    const state: Message[] = [];
    for (const { rule, keys } of checkpoint.rules) {
      for (const { key, state: value } of keys) state.push({ key: stateKey(this.task, rule, key), value: value === null ? null : encodeValue(value), partition: this.partition });
    }
    const meta: TaskMeta = { meta: checkpoint.meta, offsets: Object.fromEntries([...offsets].map(([input, offset]) => [input, offset.toString()])) };
    state.push({ key: metaKey(this.task), value: encodeValue(meta), partition: this.partition });
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const [input, offset] of offsets) {
      const { topic, partition } = parseTopicPartition(input);
      let list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, (list = []));
      list.push({ partition, offset: offset.toString() });
    }
    let txn;
    try {
      txn = await producer.transaction();
      const transaction = txn;
      if (checkpoint.alerts.length > 0) await sendInChunks(checkpoint.alerts.map(alertRecord), (messages) => transaction.send({ topic: alertTopic, acks: -1, messages }));
      await sendInChunks(state, (messages) => transaction.send({ topic: stateTopic, acks: -1, messages }));
      if (byTopic.size > 0) await txn.sendOffsets({ consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      await txn.commit();
    } catch (error) {
      await txn?.abort().catch(() => undefined);
      throw new LiveError('CEP_KAFKA_COMMIT', `the transaction of task ${this.task} (group ${groupId}) failed: ${messageOf(error)}`, {
        retriable: isRetriable(error) && !isFenced(error),
        cause: error,
        context: { topic: stateTopic, partition: this.partition, count: checkpoint.alerts.length },
      });
    }
  }
}

/**
 * Most bytes of keys and values per produce request. kafkajs writes a request's records for one
 * partition as one record batch, and the broker refuses a batch above `max.message.bytes` (1 MB by
 * default): a checkpoint after a burst of input can be far larger, so it goes in several requests.
 */
const CHUNK_BYTES = 256 * 1024;

/** Sends `messages` in order, in requests of at most about {@link CHUNK_BYTES}. */
async function sendInChunks(messages: readonly Message[], send: (chunk: Message[]) => Promise<unknown>): Promise<void> {
  let chunk: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message.key) + sizeOf(message.value);
    if (chunk.length > 0 && bytes + size > CHUNK_BYTES) {
      await send(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) await send(chunk);
}

function sizeOf(data: Message['key'] | Message['value']): number {
  return data === null || data === undefined ? 0 : typeof data === 'string' ? data.length * 3 : data.length;
}

/** The checkpoint and the offsets in a task's restored records (tombstoned keys left out). */
function restoredFrom(records: readonly StateRecord[]): OpenedTask {
  let meta: TaskMeta | null = null;
  const keys: { rule: string; key: unknown; state: unknown }[] = [];
  for (const record of records) {
    if (record.kind === 'meta') meta = record.value;
    else if (record.kind === 'key' && record.state !== null && record.state !== undefined) keys.push({ rule: record.rule, key: record.key, state: record.state });
  }
  const offsets = new Map<string, bigint>();
  if (meta !== null) for (const [input, offset] of Object.entries(meta.offsets)) offsets.set(input, BigInt(offset));
  return { restored: { meta: meta?.meta ?? null, keys }, offsets };
}
