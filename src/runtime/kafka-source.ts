/**
 * The Kafka source (kafkajs consumer group): records of one or more topics as {@link SourceRecord}s.
 *
 * - Watermark inputs: one per topic-partition, named `topic/partition`. Partitions assigned or
 *   revoked by a rebalance are announced through `onInputsChanged` before their first record.
 * - Each record's value must be a JSON object (else a bad record); `timestamp` is the record's
 *   timestamp (ms, for `--time-field @timestamp`); `type` is the topic when `typeFromTopic`.
 * - Offsets (at-least-once): auto-commit is off. Each record's `done()` marks its offset; per
 *   partition the committable offset is the lowest offset not yet done (Kafka commits "the next
 *   offset to read"), committed every `commitIntervalMs` and at `close`. An event still held by
 *   the engine (waiting for the watermark, or its alert not yet acknowledged by a sink) is therefore
 *   never committed, and a restarted consumer reads it again. `close` first waits (up to
 *   `closeGraceMs` without progress) for records whose alerts are still being delivered.
 *   Partial matches are not checkpointed: an event the engine fed into a partial match is done,
 *   so a restart loses partial matches that span it (Flink restores them from a checkpoint).
 * - Backpressure: at most `maxBuffered` records wait for the engine; past that the consumer loop
 *   waits (heartbeating, so the group does not evict it), and kafkajs stops fetching.
 * - `stopAtEnd`: the end offsets are read at start; once every partition reached its end the record
 *   stream ends (a finite replay of a topic: the engine's watermark then becomes +∞).
 */
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { checkTopic, createKafkaClient, type KafkaConnectionOptions } from '../alerts/kafka-client.js';
import { isRetriable, LiveError, messageOf } from '../alerts/live-error.js';
import type { InputsChange, Source, SourceRecord } from './source.js';

export interface KafkaSourceOptions extends KafkaConnectionOptions {
  /** Topics to read, at least one. */
  readonly topics: readonly string[];
  /** Consumer group id: the group's committed offsets are where a restart resumes. */
  readonly groupId: string;
  /** Take the event type from the topic name (`--type-from-topic`). Default false. */
  readonly typeFromTopic?: boolean;
  /** Where a group without committed offsets starts: the earliest record (true) or new records only. Default true. */
  readonly fromBeginning?: boolean;
  /** End the record stream once the partitions' end offsets at start are reached. Default false (run until closed). */
  readonly stopAtEnd?: boolean;
  /** Period of offset commits, ms. Default 1000. */
  readonly commitIntervalMs?: number;
  /** Most records read ahead of the engine. Default 10000. */
  readonly maxBuffered?: number;
  /** Group session timeout, ms (a member silent this long is evicted). Default 30000. */
  readonly sessionTimeoutMs?: number;
  /** On close, how long to wait for records still becoming done before the final commit, ms. Default 1000. */
  readonly closeGraceMs?: number;
}

const KNOWN = new Set(['brokers', 'clientId', 'logLevel', 'connectionTimeoutMs', 'retries', 'topics', 'groupId', 'typeFromTopic', 'fromBeginning', 'stopAtEnd', 'commitIntervalMs', 'maxBuffered', 'sessionTimeoutMs', 'closeGraceMs']);
/** At most this many characters of a bad record are kept. */
const MAX_RAW_CHARS = 64 * 1024;

/** The offsets of one partition handed out and not yet done, in offset order. */
class PartitionOffsets {
  private readonly entries: { offset: bigint; done: boolean }[] = [];
  private head = 0;
  /** The next offset after the last record handed out. */
  private next: bigint | null = null;
  /** The offset last committed (or known committed at start). */
  committed: bigint | null = null;

  /** Registers a record; returns its `done` (idempotent), which calls `onDone` the first time. */
  track(offset: bigint, onDone: () => void): () => void {
    const entry = { offset, done: false };
    this.entries.push(entry);
    this.next = offset + 1n;
    return () => {
      if (entry.done) return;
      entry.done = true;
      onDone();
    };
  }

  /** The lowest offset not yet done (all done: the next one to read), or null before the first record. */
  committable(): bigint | null {
    while (this.head < this.entries.length && this.entries[this.head].done) this.head++;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return this.head < this.entries.length ? this.entries[this.head].offset : this.next;
  }
}

/** A connected Kafka source. */
export interface KafkaSource extends Source {
  /** Commits what is committable now (also done periodically and at close). @throws LiveError CEP_KAFKA_COMMIT. */
  commit(): Promise<void>;
}

function check(options: KafkaSourceOptions): Required<Pick<KafkaSourceOptions, 'commitIntervalMs' | 'maxBuffered' | 'sessionTimeoutMs' | 'closeGraceMs'>> {
  if (typeof options !== 'object' || options === null) throw new TypeError('Kafka source options must be an object with brokers, topics and groupId');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new TypeError(`unknown Kafka source option '${name}'; known options: ${[...KNOWN].join(', ')}`);
  }
  if (!Array.isArray(options.topics) || options.topics.length === 0) throw new TypeError("Kafka source option 'topics' must be a non-empty list of topic names");
  for (const t of options.topics) checkTopic("Kafka source option 'topics'", t);
  if (typeof options.groupId !== 'string' || options.groupId.trim().length === 0) {
    throw new TypeError("Kafka source option 'groupId' must be a non-empty string: the consumer group whose committed offsets a restart resumes from");
  }
  for (const flag of ['typeFromTopic', 'fromBeginning', 'stopAtEnd'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') throw new TypeError(`Kafka source option '${flag}' must be true or false, got ${JSON.stringify(options[flag])}`);
  }
  const int = (name: string, v: number, min: number, max: number): number => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`Kafka source option '${name}' must be an integer from ${min} to ${max}, got ${v}`);
    return v;
  };
  const sessionTimeoutMs = int('sessionTimeoutMs', options.sessionTimeoutMs ?? 30_000, 6_000, 300_000);
  const commitIntervalMs = int('commitIntervalMs', options.commitIntervalMs ?? 1000, 10, 600_000);
  if (commitIntervalMs >= sessionTimeoutMs) throw new RangeError(`Kafka source option 'commitIntervalMs' (${commitIntervalMs}) must be below 'sessionTimeoutMs' (${sessionTimeoutMs})`);
  return {
    commitIntervalMs,
    sessionTimeoutMs,
    maxBuffered: int('maxBuffered', options.maxBuffered ?? 10_000, 1, 10_000_000),
    closeGraceMs: int('closeGraceMs', options.closeGraceMs ?? 1000, 0, 60_000),
  };
}

/** The end offset (`high`) of every partition of `topics`, and the group's committed offsets, by `topic/partition`. */
async function readEnds(admin: Admin, groupId: string, topics: readonly string[], fromBeginning: boolean): Promise<Map<string, { start: bigint; end: bigint }>> {
  const ends = new Map<string, { start: bigint; end: bigint }>();
  const committed = new Map<string, bigint>();
  for (const t of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    for (const p of t.partitions) if (Number(p.offset) >= 0) committed.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
  }
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const input = `${topic}/${p.partition}`;
      const start = committed.get(input) ?? (fromBeginning ? BigInt(p.low) : BigInt(p.high));
      ends.set(input, { start, end: BigInt(p.high) });
    }
  }
  return ends;
}

/** Runs `action`, trying again (up to 10 times, 200 ms apart) while it fails with a retriable error (a group coordinator still loading). */
async function retrying<T>(action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= 10 || !isRetriable(error)) throw error;
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }
}

/**
 * Checks the options, connects the consumer, subscribes, and waits for the group's first partition
 * assignment (so `inputs` lists the partitions); fetched records wait in a bounded buffer for `records()`.
 * @throws TypeError/RangeError for bad options (before any connection);
 *   LiveError `CEP_KAFKA_CONNECT` (brokers, retriable, cause) when the brokers cannot be reached or a topic does not exist.
 */
export async function createKafkaSource(options: KafkaSourceOptions): Promise<KafkaSource> {
  const limits = check(options);
  const kafka = createKafkaClient('Kafka source', options);
  const brokers = [...options.brokers];
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: limits.sessionTimeoutMs,
    heartbeatInterval: Math.min(3000, Math.floor(limits.sessionTimeoutMs / 3)),
    // A fetch waits at most this long for new records: it bounds how long stop/close take (kafkajs default 5 s).
    maxWaitTimeInMs: 500,
  });
  const admin = kafka.admin();
  let ends: Map<string, { start: bigint; end: bigint }> | null = null;
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = options.topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new LiveError('CEP_KAFKA_CONNECT', `topic(s) ${missing.join(', ')} do not exist on ${brokers.join(',')}; create them first (kafka-topics.sh --create)`, {
        retriable: false,
        context: { brokers, topic: missing[0] },
      });
    }
    if (options.stopAtEnd === true) ends = await retrying(() => readEnds(admin, options.groupId, options.topics, options.fromBeginning ?? true));
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
  } catch (error) {
    await Promise.allSettled([admin.disconnect(), consumer.disconnect()]);
    if (error instanceof LiveError) throw error;
    throw new LiveError('CEP_KAFKA_CONNECT', `cannot connect the consumer of group ${options.groupId} to ${brokers.join(',')}: ${messageOf(error)}`, {
      retriable: isRetriable(error),
      cause: error,
      context: { brokers, topic: options.topics[0] },
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const source = new KafkaSourceImpl(consumer, options, limits, ends);
  await source.start(limits.sessionTimeoutMs);
  return source;
}

class KafkaSourceImpl implements KafkaSource {
  private readonly queue: SourceRecord[] = [];
  private queueHead = 0;
  private wake: (() => void) | null = null;
  private spaceWaiter: (() => void) | null = null;
  private readonly partitions = new Map<string, PartitionOffsets>();
  private readonly listeners: ((change: InputsChange) => void)[] = [];
  private assigned: readonly string[] = [];
  private failure: LiveError | null = null;
  private ended = false;
  private started = false;
  /** Records handed out, and those of them done: `close` waits while the difference shrinks. */
  private handedOut = 0;
  private doneCount = 0;
  private readonly countDone = (): void => {
    this.doneCount++;
  };
  /** Resolves `start` at the first assignment. */
  private joined: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private commitTimer: NodeJS.Timeout | null = null;
  private commitChain: Promise<void> = Promise.resolve();
  /** `stopAtEnd`: the partitions not yet read to their end offset. */
  private readonly unfinished: Map<string, bigint> | null;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: KafkaSourceOptions,
    private readonly limits: { commitIntervalMs: number; maxBuffered: number; closeGraceMs: number },
    ends: Map<string, { start: bigint; end: bigint }> | null,
  ) {
    this.unfinished = ends === null ? null : new Map([...ends].filter(([, e]) => e.start < e.end).map(([input, e]) => [input, e.end]));
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onAssignment(event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      if (!event.payload.restart) this.fail(new LiveError('CEP_KAFKA_CONSUME', `the consumer of group ${options.groupId} stopped: ${messageOf(error)}`, { retriable: isRetriable(error), cause: error }));
    });
  }

  /**
   * Joins the group and starts fetching (records wait in the buffer for `records()`); resolves once
   * the first assignment is known, so that `inputs` already lists the partitions when the engine
   * builds its watermark.
   * @throws LiveError CEP_KAFKA_CONNECT when no assignment comes within the session timeout.
   */
  async start(sessionTimeoutMs: number): Promise<void> {
    this.commitTimer = setInterval(() => void this.commit().catch((e: unknown) => this.onCommitError(e)), this.limits.commitIntervalMs);
    this.checkEnd();
    if (this.ended) return;
    const joined = new Promise<void>((ok) => { this.joined = ok; });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((ok) => { timer = setTimeout(() => ok('timeout'), sessionTimeoutMs + 10_000); });
    const outcome = await Promise.race([joined, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await this.close();
      throw new LiveError('CEP_KAFKA_CONNECT', `the consumer of group ${this.options.groupId} got no partition assignment within ${sessionTimeoutMs + 10_000} ms`, {
        retriable: true,
        context: { topic: this.options.topics[0] },
      });
    }
  }

  /** The topic-partitions assigned now. */
  get inputs(): readonly string[] {
    return this.assigned;
  }

  onInputsChanged(listener: (change: InputsChange) => void): void {
    this.listeners.push(listener);
    if (this.assigned.length > 0) listener({ added: this.assigned, removed: [] });
  }

  async *records(): AsyncGenerator<SourceRecord> {
    if (this.started) throw new Error('KafkaSource.records() may be iterated once');
    this.started = true;
    for (;;) {
      if (this.queueHead < this.queue.length) {
        const record = this.queue[this.queueHead++];
        if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
          this.queue.splice(0, this.queueHead);
          this.queueHead = 0;
        }
        if (this.spaceWaiter !== null && this.queue.length - this.queueHead < this.limits.maxBuffered) {
          this.spaceWaiter();
          this.spaceWaiter = null;
        }
        this.handedOut++;
        yield record;
        continue;
      }
      if (this.failure !== null) throw this.failure;
      if (this.ended || this.closing !== null) return;
      await new Promise<void>((ok) => { this.wake = ok; });
    }
  }

  async commit(): Promise<void> {
    const run = async (): Promise<void> => {
      const offsets: { topic: string; partition: number; offset: string }[] = [];
      for (const [input, tracker] of this.partitions) {
        const next = tracker.committable();
        if (next === null || (tracker.committed !== null && next <= tracker.committed)) continue;
        const slash = input.lastIndexOf('/');
        offsets.push({ topic: input.slice(0, slash), partition: Number(input.slice(slash + 1)), offset: next.toString() });
        tracker.committed = next;
      }
      if (offsets.length === 0) return;
      try {
        await this.consumer.commitOffsets(offsets);
      } catch (error) {
        for (const o of offsets) {
          const t = this.partitions.get(`${o.topic}/${o.partition}`);
          if (t !== undefined) t.committed = null; // try again next time
        }
        throw new LiveError('CEP_KAFKA_COMMIT', `committing offsets of group ${this.options.groupId} failed: ${messageOf(error)}`, {
          retriable: isRetriable(error),
          cause: error,
          context: { topic: offsets[0].topic, partition: offsets[0].partition, count: offsets.length },
        });
      }
    };
    this.commitChain = this.commitChain.then(run, run);
    return this.commitChain;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.commitTimer !== null) clearInterval(this.commitTimer);
      this.spaceWaiter?.();
      this.wake?.();
      try {
        await this.settle();
        // Commit while still a member of the group (kafkajs ignores commits of a stopped consumer).
        await this.commit().catch((e: unknown) => this.onCommitError(e));
        await this.consumer.stop();
      } finally {
        await this.consumer.disconnect().catch(() => undefined);
      }
    })();
    return this.closing;
  }

  /**
   * Graceful shutdown: waits while records handed out are still becoming done (their alerts being
   * acknowledged by a sink), so the final commit covers them. Stops when all are done, when none
   * became done for `closeGraceMs` (the rest are held by the watermark and will be read again),
   * or after 10 × `closeGraceMs`.
   */
  private async settle(): Promise<void> {
    const grace = this.limits.closeGraceMs;
    const giveUp = Date.now() + 10 * grace;
    let lastDone = this.doneCount;
    let lastProgress = Date.now();
    while (this.doneCount < this.handedOut && Date.now() < giveUp && Date.now() - lastProgress < grace) {
      await new Promise((ok) => setTimeout(ok, 20));
      if (this.doneCount !== lastDone) {
        lastDone = this.doneCount;
        lastProgress = Date.now();
      }
    }
  }

  /** A retriable commit failure (a rebalance in progress) is tried again next period; any other ends the stream. */
  private onCommitError(error: unknown): void {
    if (error instanceof LiveError && !error.retriable) this.fail(error);
  }

  private fail(error: LiveError): void {
    this.failure ??= error;
    this.wake?.();
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const now = Object.entries(assignment).flatMap(([topic, parts]) => parts.map((p) => `${topic}/${p}`)).sort();
    const before = new Set(this.assigned);
    const after = new Set(now);
    const change: InputsChange = { added: now.filter((i) => !before.has(i)), removed: this.assigned.filter((i) => !after.has(i)) };
    this.assigned = now;
    for (const input of change.removed) this.partitions.delete(input); // no longer ours to commit
    if (change.added.length > 0 || change.removed.length > 0) for (const l of this.listeners) l(change);
    this.joined?.();
    this.joined = null;
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const input = `${batch.topic}/${batch.partition}`;
    let tracker = this.partitions.get(input);
    if (tracker === undefined) {
      tracker = new PartitionOffsets();
      this.partitions.set(input, tracker);
    }
    // stopAtEnd: a partition read to its end offset (or empty at start) yields nothing more.
    if (this.unfinished !== null && !this.unfinished.has(input)) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.closing !== null) return;
      while (this.queue.length - this.queueHead >= this.limits.maxBuffered && this.closing === null) {
        await Promise.race([new Promise<void>((ok) => { this.spaceWaiter = ok; }), new Promise((ok) => setTimeout(ok, 1000))]);
        await heartbeat();
      }
      const offset = BigInt(message.offset);
      const position = `${input}@${message.offset}`;
      const done = tracker.track(offset, this.countDone);
      this.queue.push(this.toRecord(batch.topic, input, position, message.value, Number(message.timestamp), done));
      resolveOffset(message.offset);
      this.wake?.();
      this.wake = null;
      const end = this.unfinished?.get(input);
      if (end !== undefined && offset + 1n >= end) {
        this.unfinished!.delete(input);
        this.checkEnd();
        return;
      }
    }
  }

  private toRecord(topic: string, input: string, position: string, value: Buffer | null, timestamp: number, done: () => void): SourceRecord {
    const text = value === null ? '' : value.toString('utf8');
    let parsed: unknown;
    let reason: string | null = null;
    if (value === null) reason = 'the record has no value (a tombstone)';
    else {
      try {
        parsed = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) reason = 'the record value is JSON but not an object';
      } catch (error) {
        reason = `the record value is not JSON (${messageOf(error)})`;
      }
    }
    if (reason !== null) return { kind: 'bad', input, position, raw: text.slice(0, MAX_RAW_CHARS), reason, done };
    return {
      kind: 'event',
      input,
      position,
      value: parsed as Record<string, unknown>,
      timestamp,
      done,
      ...(this.options.typeFromTopic === true ? { type: topic } : {}),
    };
  }

  /** `stopAtEnd`: ends the stream once every partition is read to its end offset. */
  private checkEnd(): void {
    if (this.unfinished !== null && this.unfinished.size === 0 && !this.ended) {
      this.ended = true;
      this.wake?.();
      this.wake = null;
    }
  }
}
