/**
 * The contract of an event source (files, stdin, Kafka). A source reads and parses records; the
 * engine extracts type, time and keys, assigns watermarks and routes. Each `input` is one
 * watermark input (a file, or a Kafka topic-partition): the engine's watermark is the minimum over
 * inputs, idle ones left out (DSL.md section 5).
 */
import type { Alert } from '../alerts/alert.js';
import type { OperatorMeta, RuleChanges } from './cep-operator.js';

/** One parsed record. */
export interface SourceEvent {
  readonly kind: 'event';
  /** Watermark input id: a file path, `-` for stdin, or `topic/partition`. */
  readonly input: string;
  /** Where the record came from, for reports: `file:line` or `topic/partition@offset`. */
  readonly position: string;
  /**
   * The parsed JSON object (or CSV row as an object): a fresh object for each record, never changed
   * afterwards, since partial matches hold it until they complete or time out and alerts reuse its
   * JSON text by identity (`src/alerts/event-text.ts`).
   */
  readonly value: Record<string, unknown>;
  /** Event type when the source knows it (Kafka `--type-from-topic`); otherwise read from the type field. */
  readonly type?: string;
  /** The record's key as text (Kafka), checked against each rule's key (`misaligned`). */
  readonly recordKey?: string;
  /** The record's own timestamp in ms (Kafka record timestamp), used with `--time-field @timestamp` when the event has no such field. */
  readonly timestamp?: number;
  /**
   * Called once the event's effects are done: the watermark passed its time, it was fed to every
   * rule, and the alerts it caused were accepted by every sink (or it was set aside as late or bad).
   * Kafka commits offsets from it.
   */
  readonly done?: () => void;
  /** The task (partition number) the record belongs to, for partitioned sources (Kafka); see {@link SourceTaskStart}. */
  readonly task?: string;
}

/** At most this many characters of a bad record's text are kept as its `raw` (64 Ki). */
export const MAX_RAW_CHARS = 64 * 1024;

/** `text` cut to its first {@link MAX_RAW_CHARS} characters: a bad record's `raw`. */
export function rawOf(text: string): string {
  return text.length > MAX_RAW_CHARS ? text.slice(0, MAX_RAW_CHARS) : text;
}

/** A record that could not be parsed (not JSON, a CSV row of the wrong width, binary garbage). */
export interface SourceBadRecord {
  readonly kind: 'bad';
  readonly input: string;
  readonly position: string;
  /** The record's text as read, at most {@link MAX_RAW_CHARS} characters of it ({@link rawOf}; for the dead-letter file). */
  readonly raw: string;
  /** Why it was set aside, in words. */
  readonly reason: string;
  readonly done?: () => void;
  readonly task?: string;
}

/**
 * A partitioned source (Kafka) starts a task before its first record: the engine then keeps a
 * separate event-time operator for it (its own watermark over `inputs`, its own keyed state),
 * restored from `restored` when given (exactly-once: the task's last committed checkpoint).
 */
export interface SourceTaskStart {
  readonly kind: 'task-start';
  readonly task: string;
  /** The task's watermark inputs (`topic/partition`, partition = the task's number, of every topic). */
  readonly inputs: readonly string[];
  readonly restored?: RestoredTask;
}

/** The source no longer owns the task (revoked by a rebalance, or a failed commit): its operator and state are dropped. */
export interface SourceTaskEnd {
  readonly kind: 'task-end';
  readonly task: string;
}

/** What a source yields for one record read: an event, or a bad record to count and set aside. */
export type SourceRecord = SourceEvent | SourceBadRecord;

/** What a partitioned source says about its tasks, in its record stream. */
export type SourceControl = SourceTaskStart | SourceTaskEnd;

/** A task's checkpoint as read back: the partition meta and each rule's keys (see `CepOperator.restore`). */
export interface RestoredTask {
  readonly meta: OperatorMeta | null;
  readonly keys: readonly { rule: string; key: unknown; state: unknown }[];
}

/** What a transactional source commits for one task: the state changed since the last checkpoint and the alerts produced meanwhile. */
export interface TaskCheckpoint {
  readonly meta: OperatorMeta;
  readonly rules: readonly RuleChanges[];
  readonly alerts: readonly Alert[];
}

/** A source of records. Finite sources end their iterator at end of input (watermark → +∞). */
export interface Source {
  /** Records in arrival order. */
  records(): AsyncIterable<SourceRecord | SourceControl>;
  /** Inputs known up front (files), so the watermark waits for each; Kafka adds inputs as partitions are assigned. */
  readonly inputs: readonly string[];
  /** Releases resources (closes files, leaves the consumer group). */
  close(): Promise<void>;
  /**
   * Optional (the file sources): the same records as {@link records}, in the same order, an array
   * per chunk read: the engine then takes one async step per chunk instead of one per record.
   */
  batches?(): AsyncIterable<(SourceRecord | SourceControl)[]>;
  /** Optional (the file sources): bytes read so far, for the progress bar. */
  bytesRead?(): number;
  /** Optional (the file sources): the input's size in bytes (`undefined`: not known, stdin), for the progress bar. */
  readonly size?: number | undefined;
  /**
   * Optional (exactly-once): the source writes the engine's alerts itself, in the transaction of
   * their task, and calls `take(task)` when it commits that task: the checkpoint of everything the
   * engine did with the records handed out so far (`null`: the engine does not hold the task yet).
   */
  onCheckpoint?(take: (task: string) => TaskCheckpoint | null): void;
  /** Optional (exactly-once): commits every task now (a hot reload's consistent cut comes first). */
  commit?(): Promise<void>;
  /**
   * Optional (live sources): whether the source is ready to work (`/readyz`): Kafka, once the group
   * assigned it its partitions and, exactly-once, no task's state is being restored. Without it a
   * source is ready once open.
   */
  ready?(): boolean;
  /** Optional (Kafka): records not yet fetched, by input (`topic/partition`), for `cep_kafka_lag`. */
  lag?(): ReadonlyMap<string, number>;
}
