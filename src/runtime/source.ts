/**
 * The contract of an event source (files, stdin, Kafka). A source reads and parses records; the
 * engine extracts type, time and keys, assigns watermarks and routes. Each `input` is one
 * watermark input (a file, or a Kafka topic-partition): the engine's watermark is the minimum over
 * inputs, idle ones left out (DSL.md section 5).
 */

/** One parsed record. */
export interface SourceEvent {
  readonly kind: 'event';
  /** Watermark input id: a file path, `-` for stdin, or `topic/partition`. */
  readonly input: string;
  /** Where the record came from, for reports: `file:line` or `topic/partition@offset`. */
  readonly position: string;
  /** The parsed JSON object (or CSV row as an object). */
  readonly value: Record<string, unknown>;
  /** Event type when the source knows it (Kafka `--type-from-topic`); otherwise read from the type field. */
  readonly type?: string;
  /** The record's own timestamp in ms (Kafka record timestamp), used with `--time-field @timestamp`. */
  readonly timestamp?: number;
  /**
   * Called once the event's effects are done: it was released by the watermark, fed to every
   * rule, and the alerts it caused were accepted by every sink (or it was set aside as late or bad).
   * Kafka commits offsets from it.
   */
  readonly done?: () => void;
}

/** A record that could not be parsed (not JSON, a CSV row of the wrong width, binary garbage). */
export interface SourceBadRecord {
  readonly kind: 'bad';
  readonly input: string;
  readonly position: string;
  /** The record's text as read (for the dead-letter file). */
  readonly raw: string;
  /** Why it was set aside, in words. */
  readonly reason: string;
  readonly done?: () => void;
}

export type SourceRecord = SourceEvent | SourceBadRecord;

/** A source of records. Finite sources end their iterator at end of input (watermark → +∞). */
export interface Source {
  /** Records in arrival order. */
  records(): AsyncIterable<SourceRecord>;
  /** Inputs known up front (files), so the watermark waits for each; Kafka adds inputs as partitions are assigned. */
  readonly inputs: readonly string[];
  /** Releases resources (closes files, leaves the consumer group). */
  close(): Promise<void>;
  /**
   * Optional (live sources): registers a listener told when inputs appear or go away after start
   * (Kafka: topic-partitions assigned or revoked by a consumer-group rebalance). The engine adds each
   * `added` input to the watermark, so that the watermark waits for that partition before its first
   * record, and treats each `removed` one as finished. An input is announced before its first record.
   */
  onInputsChanged?(listener: (change: InputsChange) => void): void;
}

/** Inputs that appeared or went away, as watermark input ids (`topic/partition`). */
export interface InputsChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}
