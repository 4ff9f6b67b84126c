/**
 * The Kafka source (kafkajs consumer group): records of one or more topics as {@link SourceRecord}s.
 *
 * - Tasks (Kafka Streams' task model): partition p of every input topic is one task, `"p"`, with
 *   its own event-time operator in the engine (its watermark over those topic-partitions, named
 *   `topic/partition`, and its own keyed state). The co-partitioning assignor keeps a task's
 *   partitions on one member. A task is started in the record stream (`task-start`) before its
 *   first record and ended (`task-end`) when a rebalance takes it away.
 * - Each record's value must be a JSON object in valid UTF-8 (else a bad record); `timestamp` is
 *   the record's timestamp (ms, for `--time-field @timestamp`); `type` is the topic when `typeFromTopic`.
 * - Backpressure: at most `maxBuffered` records wait for the engine; past that the consumer loop
 *   waits (heartbeating, so the group does not evict it), and kafkajs stops fetching.
 * - `stopAtEnd`: the end offsets are read at start; once every partition reached its end the record
 *   stream ends (a finite replay of a topic: the engine's watermark then becomes +∞).
 *
 * Delivery, at-least-once (default): auto-commit is off. Each record's `done()` marks its offset;
 * per partition the committable offset is the lowest offset not yet done, committed every
 * `commitIntervalMs` and at `close`. An event still held by the engine (waiting for the watermark,
 * or its alert not yet acknowledged by a sink) is never committed, and a restarted consumer reads it
 * again: alerts may repeat. Partial matches are not kept: a match spanning a restart or a
 * rebalance is lost. A commit refused because the group rebalanced is tried again, never fatal.
 *
 * Delivery, exactly-once (`exactlyOnce`): see `task-transactions.ts`. A task is restored from the
 * state topic before its first record is handed out; the consumer is moved to the offsets of the
 * restored checkpoint; every `commitIntervalMs` each task commits, in one transaction, what the
 * engine did with the records handed out so far (`onCheckpoint`), the task's alerts and the offsets
 * (a commit waits while a record is handed out but not yet handled, so the two always agree).
 * A failed commit ends the task (its operator is dropped) and the next record of its partitions
 * restores it again from the last commit.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { checkTopic, createKafkaClient } from '../../alerts/kafka-client.js';
import { CONNECTION_OPTION_NAMES, parseTopicPartition, type KafkaConnectionOptions } from '../../alerts/kafka-options.js';
import { checkOptionNames, type OptionNames } from '../../alerts/option-names.js';
import { hasErrorType, isRetriable, LiveError, messageOf } from '../../alerts/live-error.js';
import { coPartitionAssigner } from '../co-partition-assigner.js';
import { rawOf, type Source, type SourceControl, type SourceRecord, type TaskCheckpoint } from '../source.js';
import { StateRestorer } from '../state-restorer.js';
import { isFenced, TaskTransactions } from '../task-transactions.js';
import { nestsTooDeep, TOO_DEEP_REASON } from './json-depth.js';

/** Exactly-once settings of a {@link KafkaSourceOptions}. */
export interface ExactlyOnceOptions {
  /** The compacted state changelog topic (created when missing, one partition per task). */
  readonly stateTopic: string;
  /** The alert topic: alerts are written there in each task's transaction. */
  readonly alertTopic: string;
  /**
   * How long the broker lets a transaction stay open, ms: a killed process's open transaction holds
   * `read_committed` readers up to this long when no other member takes its task over (a take-over
   * aborts it at once). Default max(30 s, 10 × commit interval): a commit after a burst (a backlog
   * caught up) writes many state records, and a transaction aborted by this timeout is lost work.
   */
  readonly transactionTimeoutMs?: number;
}

/** The connection (brokers, TLS, SASL: {@link KafkaConnectionOptions}), the topics and group, and the delivery guarantee of a Kafka source (DSL.md section 9). */
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
  /** Period of offset commits (exactly-once: of transactions), ms. Default 1000. */
  readonly commitIntervalMs?: number;
  /** Most records read ahead of the engine. Default 10000. */
  readonly maxBuffered?: number;
  /** Group session timeout, ms (a crashed member's partitions move after this long). Default 10000. */
  readonly sessionTimeoutMs?: number;
  /** On close, how long to wait for records still becoming done before the final commit, ms. Default 1000. */
  readonly closeGraceMs?: number;
  /** Keep state in Kafka and commit alerts, state and offsets in transactions. Default: at-least-once. */
  readonly exactlyOnce?: ExactlyOnceOptions;
  /** Where the source's own warnings go (a task restarting, a restore tried again): the run's log (`--log-format`). Default: stderr. */
  readonly log?: (line: string) => void;
}

const OPTION_NAMES: OptionNames<KafkaSourceOptions> = {
  ...CONNECTION_OPTION_NAMES, topics: true, groupId: true, typeFromTopic: true, fromBeginning: true, stopAtEnd: true,
  commitIntervalMs: true, maxBuffered: true, sessionTimeoutMs: true, closeGraceMs: true, exactlyOnce: true, log: true,
};
/** kafkajs error types that mean "the group rebalanced under this commit": try again later, never fatal. */
const REBALANCE_ERRORS = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The offsets of one partition handed out and not yet done, in offset order (at-least-once). */
class PartitionOffsets {
  private readonly entries: { offset: bigint; done: boolean }[] = [];
  private head = 0;
  /** The next offset after the last record handed out. */
  private next: bigint | null = null;
  /** The offset last committed (or known committed at start). */
  committed: bigint | null = null;

  /** The offset after the last record handed out (null before the first). */
  get nextOffset(): bigint | null {
    return this.next;
  }

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

/**
 * A task held by this member (exactly-once). `consumed` is the next offset per input after the
 * records the engine has taken: what a commit covers; `queued`, after the records queued for it.
 * `live` turns true once the engine took the task's `task-start`, and a task is only committed then.
 */
interface TaskRun {
  readonly id: string;
  readonly transactions: TaskTransactions;
  readonly consumed: Map<string, bigint>;
  readonly queued: Map<string, bigint>;
  live: boolean;
  /** The consumed offsets of the last commit, to skip commits that would change nothing. */
  committed: string;
}

/** A record waiting for the engine, with the task run it belongs to (exactly-once) and its offset. */
interface Queued {
  readonly item: SourceRecord | SourceControl;
  readonly run: TaskRun | null;
  readonly input: string;
  readonly offset: bigint;
}

/** A connected Kafka source. */
export interface KafkaSource extends Source {
  /** Commits what is committable now (also done periodically and at close). @throws LiveError CEP_KAFKA_COMMIT. */
  commit(): Promise<void>;
}

interface Limits {
  readonly commitIntervalMs: number;
  readonly maxBuffered: number;
  readonly sessionTimeoutMs: number;
  readonly closeGraceMs: number;
  readonly transactionTimeoutMs: number;
}

function check(options: KafkaSourceOptions): Limits {
  if (typeof options !== 'object' || options === null) throw new TypeError('Kafka source options must be an object with brokers, topics and groupId');
  checkOptionNames('Kafka source', options, OPTION_NAMES);
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
  const sessionTimeoutMs = int('sessionTimeoutMs', options.sessionTimeoutMs ?? 10_000, 6_000, 300_000);
  const commitIntervalMs = int('commitIntervalMs', options.commitIntervalMs ?? 1000, 10, 600_000);
  if (commitIntervalMs >= sessionTimeoutMs) throw new RangeError(`Kafka source option 'commitIntervalMs' (${commitIntervalMs}) must be below 'sessionTimeoutMs' (${sessionTimeoutMs})`);
  const eos = options.exactlyOnce;
  let transactionTimeoutMs = 0;
  if (eos !== undefined) {
    checkTopic("Kafka source option 'exactlyOnce.stateTopic'", eos.stateTopic);
    checkTopic("Kafka source option 'exactlyOnce.alertTopic'", eos.alertTopic);
    if (options.stopAtEnd === true) throw new TypeError("Kafka source options 'exactlyOnce' and 'stopAtEnd' do not go together: an exactly-once run is a service");
    if (options.fromBeginning === false) throw new TypeError("Kafka source option 'exactlyOnce' needs 'fromBeginning' (a task without a checkpoint reads its partitions from the beginning)");
    transactionTimeoutMs = int('exactlyOnce.transactionTimeoutMs', eos.transactionTimeoutMs ?? Math.max(30_000, 10 * commitIntervalMs), 1000, 900_000);
  }
  return {
    commitIntervalMs,
    sessionTimeoutMs,
    transactionTimeoutMs,
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

/**
 * Exactly-once: creates the compacted state topic when missing, with one partition per task (the
 * most partitions of an input topic), and checks an existing one has enough.
 * @throws LiveError CEP_KAFKA_CONNECT when an existing state topic has too few partitions.
 */
async function ensureStateTopic(admin: Admin, topic: string, inputs: readonly string[]): Promise<void> {
  const metadata = await admin.fetchTopicMetadata({ topics: [...inputs] });
  const tasks = Math.max(...metadata.topics.map((t) => t.partitions.length));
  const existing = new Set(await admin.listTopics());
  if (!existing.has(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      // A key's state record can be large (a long Kleene closure): allow records up to 16 MB.
      topics: [{ topic, numPartitions: tasks, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'max.message.bytes', value: String(16 * 1024 * 1024) }] }],
    });
    return;
  }
  const [state] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  if (state.partitions.length < tasks) {
    throw new LiveError('CEP_KAFKA_CONNECT', `the state topic ${topic} has ${state.partitions.length} partitions, but the input has ${tasks} (one per task): add partitions or name another --state-topic`, {
      retriable: false,
      context: { topic },
    });
  }
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
 * assignment; fetched records wait in a bounded buffer for `records()`.
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
    partitionAssigners: [coPartitionAssigner],
  });
  const admin = kafka.admin();
  let ends: Map<string, { start: bigint; end: bigint }> | null = null;
  let restorer: StateRestorer | null = null;
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
    const stateTopic = options.exactlyOnce?.stateTopic;
    if (stateTopic !== undefined) {
      // createTopics' waitForLeaders may meet UNKNOWN_TOPIC_OR_PARTITION on a loaded KRaft broker: retriable.
      await retrying(() => ensureStateTopic(admin, stateTopic, options.topics));
      restorer = await StateRestorer.start(kafka, stateTopic, options.groupId);
    }
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
  } catch (error) {
    await Promise.allSettled([admin.disconnect(), consumer.disconnect(), restorer?.close()]);
    if (error instanceof LiveError) throw error;
    throw new LiveError('CEP_KAFKA_CONNECT', `cannot connect the consumer of group ${options.groupId} to ${brokers.join(',')}: ${messageOf(error)}`, {
      retriable: isRetriable(error),
      cause: error,
      context: { brokers, topic: options.topics[0] },
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const source = new KafkaSourceImpl(kafka, consumer, restorer, options, limits, ends);
  await source.start(limits.sessionTimeoutMs);
  return source;
}

class KafkaSourceImpl implements KafkaSource {
  private queue: Queued[] = [];
  private queueHead = 0;
  private wake: (() => void) | null = null;
  private spaceWaiter: (() => void) | null = null;
  /** At-least-once: the offsets handed out per `topic/partition`. */
  private readonly partitions = new Map<string, PartitionOffsets>();
  /** Exactly-once: the tasks held, by task id. */
  private readonly runs = new Map<string, TaskRun>();
  /** Inputs (`topic/partition`) assigned now, by task id. */
  private assignment = new Map<string, string[]>();
  private takeCheckpoint: ((task: string) => TaskCheckpoint | null) | null = null;
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
  private readonly log: (line: string) => void;
  /** The group has assigned this member its partitions (once). */
  private assigned = false;
  /** Exactly-once: task states being restored now (`ready` is false meanwhile). */
  private restoring = 0;
  /** Records after the last fetched batch, by `topic/partition` (kafkajs's `offsetLag`). */
  private readonly lags = new Map<string, number>();
  private closing: Promise<void> | null = null;
  private commitTimer: NodeJS.Timeout | null = null;
  private commitChain: Promise<void> = Promise.resolve();
  /** `stopAtEnd`: the partitions not yet read to their end offset. */
  private readonly unfinished: Map<string, bigint> | null;
  /**
   * Exactly-once: a record is handed to the engine and not yet handled. The engine may wait
   * between taking a record and handling it (`--speed` paces each event before feeding it), and
   * its offset is in `consumed` already: a checkpoint taken then would cover the offset without
   * the record's effects.
   */
  private inFlight = false;
  /** Resolves the commit waiting for the record in flight (`commitTasks`). */
  private handled: (() => void) | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
    private readonly restorer: StateRestorer | null,
    private readonly options: KafkaSourceOptions,
    private readonly limits: Limits,
    ends: Map<string, { start: bigint; end: bigint }> | null,
  ) {
    this.unfinished = ends === null ? null : new Map([...ends].filter(([, e]) => e.start < e.end).map(([input, e]) => [input, e.end]));
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onAssignment(event.payload.memberAssignment));
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => this.lags.set(`${payload.topic}/${payload.partition}`, Number(payload.offsetLag)));
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      if (!event.payload.restart) this.fail(new LiveError('CEP_KAFKA_CONSUME', `the consumer of group ${options.groupId} stopped: ${messageOf(error)}`, { retriable: isRetriable(error), cause: error }));
    });
  }

  /**
   * Joins the group and starts fetching (records wait in the buffer for `records()`); resolves once
   * the first assignment is known.
   * @throws LiveError CEP_KAFKA_CONNECT when no assignment comes within the session timeout.
   */
  async start(sessionTimeoutMs: number): Promise<void> {
    this.commitTimer = setInterval(() => void this.commit().catch((e: unknown) => this.onCommitError(e)), this.limits.commitIntervalMs);
    this.checkEnd();
    if (this.ended) return;
    const joined = new Promise<void>((ok) => { this.joined = ok; });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
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

  /** No inputs up front: each task announces its own (`task-start`). */
  get inputs(): readonly string[] {
    return [];
  }

  onCheckpoint(take: (task: string) => TaskCheckpoint | null): void {
    this.takeCheckpoint = take;
  }

  /**
   * Ready (`/readyz`) once the group assigned this member its partitions (`start` waits for that)
   * and, exactly-once, while no task's state is being restored (a task is restored when its first
   * records come), until it closes.
   */
  ready(): boolean {
    return this.assigned && this.restoring === 0 && this.closing === null && this.failure === null;
  }

  /** Records in each assigned partition after the last batch fetched from it (kafkajs `offsetLag`), by `topic/partition`. */
  lag(): ReadonlyMap<string, number> {
    const assigned = new Set([...this.assignment.values()].flat());
    return new Map([...this.lags].filter(([input]) => assigned.has(input)));
  }

  async *records(): AsyncGenerator<SourceRecord | SourceControl> {
    if (this.started) throw new Error('KafkaSource.records() may be iterated once');
    this.started = true;
    for (;;) {
      if (this.queueHead < this.queue.length) {
        const queued = this.queue[this.queueHead++];
        if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.queueHead);
          this.queueHead = 0;
        }
        if (this.spaceWaiter !== null && this.queue.length - this.queueHead < this.limits.maxBuffered) {
          this.spaceWaiter();
          this.spaceWaiter = null;
        }
        const run = queued.run;
        // Exactly-once: a record of a task run that ended meanwhile is read again by its next owner.
        if (run !== null && this.runs.get(run.id) !== run) continue;
        this.handedOut++;
        // Exactly-once: a record counts as consumed once handed out; until the engine has handled
        // it (it asks for the next record only then) a commit waits (see `commitTasks`).
        if (run !== null) {
          if (queued.item.kind === 'task-start') run.live = true;
          else run.consumed.set(queued.input, queued.offset + 1n);
          this.inFlight = true;
        }
        try {
          yield queued.item;
        } finally {
          this.inFlight = false;
          this.handled?.();
          this.handled = null;
        }
        continue;
      }
      if (this.failure !== null) throw this.failure;
      if (this.ended || this.closing !== null) return;
      await new Promise<void>((ok) => { this.wake = ok; });
    }
  }

  async commit(): Promise<void> {
    const run = (): Promise<void> => (this.restorer === null ? this.commitOffsets() : this.commitTasks());
    this.commitChain = this.commitChain.then(run, run);
    return this.commitChain;
  }

  /** At-least-once: commits, per partition, the lowest offset whose record is not done yet. */
  private async commitOffsets(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const [input, tracker] of this.partitions) {
      const next = tracker.committable();
      if (next === null || (tracker.committed !== null && next <= tracker.committed)) continue;
      offsets.push({ ...parseTopicPartition(input), offset: next.toString() });
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
        retriable: isRetriable(error) || hasErrorType(error, REBALANCE_ERRORS),
        cause: error,
        context: { topic: offsets[0].topic, partition: offsets[0].partition, count: offsets.length },
      });
    }
  }

  /**
   * Exactly-once: one transaction per live task with what the engine did since the last one. A
   * task whose transaction fails is ended; its partitions are restored again from its last commit.
   */
  private async commitTasks(): Promise<void> {
    const take = this.takeCheckpoint;
    if (take === null) return;
    // The checkpoints and the offsets are taken together while no record is in flight. Commits run
    // one at a time (`commitChain`), so one waits here at most.
    while (this.inFlight) await new Promise<void>((ok) => (this.handled = ok));
    const commits: Promise<void>[] = [];
    for (const run of this.runs.values()) {
      if (!run.live) continue;
      const offsets = new Map(run.consumed);
      const signature = [...offsets].join();
      const checkpoint = take(run.id);
      if (checkpoint === null) continue;
      if (checkpoint.alerts.length === 0 && checkpoint.rules.length === 0 && signature === run.committed) continue;
      run.committed = signature;
      commits.push(
        run.transactions.commit(checkpoint, offsets).catch((error: unknown) => {
          if (!isFenced(error)) this.log(`cep: ${messageOf(error)}; the task restarts from its last commit`);
          this.endRun(run);
        }),
      );
    }
    await Promise.all(commits);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.commitTimer !== null) clearInterval(this.commitTimer);
      this.spaceWaiter?.();
      this.wake?.();
      try {
        if (this.restorer === null) await this.settle();
        // Commit while still a member of the group (kafkajs ignores commits of a stopped consumer).
        await this.commit().catch((e: unknown) => this.onCommitError(e));
        await this.consumer.stop();
      } finally {
        await Promise.allSettled([...this.runs.values()].map((run) => run.transactions.close()));
        await this.restorer?.close();
        await this.consumer.disconnect().catch(() => undefined);
      }
    })();
    return this.closing;
  }

  /**
   * Graceful shutdown (at-least-once): waits while records handed out are still becoming done
   * (their alerts being acknowledged by a sink), so the final commit covers them. Stops when all
   * are done, when none became done for `closeGraceMs`, or after 10 × `closeGraceMs`.
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

  private push(item: SourceRecord | SourceControl, run: TaskRun | null, input = '', offset = -1n): void {
    this.queue.push({ item, run, input, offset });
    this.wake?.();
    this.wake = null;
  }

  /**
   * A new assignment (after every rebalance): tasks no longer assigned end, their queued records
   * are dropped. At-least-once, new tasks start at once; exactly-once, a task starts when its first
   * batch comes, after its restore.
   */
  private onAssignment(memberAssignment: Record<string, number[]>): void {
    const now = new Map<string, string[]>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) {
      for (const p of partitions) {
        const task = String(p);
        let inputs = now.get(task);
        if (inputs === undefined) now.set(task, (inputs = []));
        inputs.push(`${topic}/${p}`);
      }
    }
    const before = this.assignment;
    this.assignment = now;
    for (const [task, inputs] of before) {
      if (now.has(task)) continue;
      for (const input of inputs) this.partitions.delete(input); // no longer ours to commit
      const run = this.runs.get(task);
      if (run !== undefined) this.endRun(run);
      else if (this.restorer === null) this.push({ kind: 'task-end', task }, null);
    }
    if (this.restorer === null) {
      for (const [task, inputs] of now) if (!before.has(task)) this.push({ kind: 'task-start', task, inputs: inputs.sort() }, null);
    }
    this.assigned = true;
    this.joined?.();
    this.joined = null;
  }

  /** Exactly-once: the task ends here; its next batch restores it again (if it is still ours). */
  private endRun(run: TaskRun): void {
    if (this.runs.get(run.id) !== run) return;
    this.runs.delete(run.id);
    this.push({ kind: 'task-end', task: run.id }, null);
    void run.transactions.close();
  }

  /**
   * Exactly-once: fences the task's previous owner, restores its checkpoint, starts the task in
   * the record stream and moves the consumer to the checkpoint's offsets (a partition without one
   * from its beginning).
   */
  private async openRun(task: string, heartbeat: () => Promise<void>): Promise<void> {
    const { restorer } = this;
    const eos = this.options.exactlyOnce!;
    const transactions = new TaskTransactions(
      { kafka: this.kafka, groupId: this.options.groupId, stateTopic: eos.stateTopic, alertTopic: eos.alertTopic, restorer: restorer!, transactionTimeoutMs: this.limits.transactionTimeoutMs },
      task,
      Number(task),
    );
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    let opened;
    this.restoring++;
    try {
      opened = await transactions.open();
    } finally {
      this.restoring--;
      clearInterval(beat);
    }
    const inputs = this.assignment.get(task);
    if (inputs === undefined) {
      // Revoked while it was being restored.
      await transactions.close();
      return;
    }
    const run: TaskRun = { id: task, transactions, consumed: new Map(), queued: new Map(), live: false, committed: '' };
    const lows = await this.lowOffsets(inputs.filter((input) => !opened.offsets.has(input)));
    for (const input of inputs) {
      const offset = opened.offsets.get(input) ?? lows.get(input) ?? 0n;
      run.consumed.set(input, offset);
      run.queued.set(input, offset);
      this.consumer.seek({ ...parseTopicPartition(input), offset: offset.toString() });
    }
    run.committed = [...run.consumed].join();
    this.runs.set(task, run);
    this.push({ kind: 'task-start', task, inputs: [...inputs].sort(), restored: opened.restored }, run);
  }

  /** The first offset of each input still in the log (a partition read from its beginning). */
  private async lowOffsets(inputs: readonly string[]): Promise<Map<string, bigint>> {
    const lows = new Map<string, bigint>();
    if (inputs.length === 0) return lows;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      for (const topic of new Set(inputs.map((i) => parseTopicPartition(i).topic))) {
        for (const p of await admin.fetchTopicOffsets(topic)) lows.set(`${topic}/${p.partition}`, BigInt(p.low));
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return lows;
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const input = `${batch.topic}/${batch.partition}`;
    const task = String(batch.partition);
    let run: TaskRun | null = null;
    let tracker: PartitionOffsets | undefined;
    if (this.restorer !== null) {
      run = this.runs.get(task) ?? null;
      if (run === null) {
        if (this.closing !== null || !this.assignment.has(task)) return;
        try {
          await this.openRun(task, heartbeat);
        } catch (error) {
          this.log(`cep: ${messageOf(error)}; trying again`);
          await new Promise((ok) => setTimeout(ok, 1000));
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: batch.firstOffset() ?? '0' });
        }
        // This batch was fetched from where the consumer was; the seek fetches from the checkpoint.
        return;
      }
    } else {
      tracker = this.partitions.get(input);
      if (tracker === undefined) this.partitions.set(input, (tracker = new PartitionOffsets()));
    }
    // stopAtEnd: a partition read to its end offset (or empty at start) yields nothing more.
    if (this.unfinished !== null && !this.unfinished.has(input)) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.closing !== null) return;
      if (run !== null && this.runs.get(task) !== run) return;
      while (this.queue.length - this.queueHead >= this.limits.maxBuffered && this.closing === null) {
        await Promise.race([new Promise<void>((ok) => { this.spaceWaiter = ok; }), new Promise((ok) => setTimeout(ok, 1000))]);
        await heartbeat();
      }
      const offset = BigInt(message.offset);
      resolveOffset(message.offset);
      // A record already queued is skipped: after a rebalance kafkajs fetches a partition that
      // stays here again from the group's committed offset (and, exactly-once, records the restored
      // checkpoint covers come before the offset it resumes from).
      const next = run !== null ? run.queued.get(input) : tracker!.nextOffset;
      if (next !== undefined && next !== null && offset < next) continue;
      run?.queued.set(input, offset + 1n);
      const position = `${input}@${message.offset}`;
      const done = tracker?.track(offset, this.countDone);
      this.push(this.toRecord(batch.topic, input, task, position, message.key, message.value, Number(message.timestamp), done), run, input, offset);
      const end = this.unfinished?.get(input);
      if (end !== undefined && offset + 1n >= end) {
        this.unfinished!.delete(input);
        this.checkEnd();
        return;
      }
    }
  }

  private toRecord(topic: string, input: string, task: string, position: string, key: Buffer | null, value: Buffer | null, timestamp: number, done: (() => void) | undefined): SourceRecord {
    let text = '';
    let parsed: unknown;
    let reason: string | null = null;
    if (value === null) reason = 'the record has no value (a tombstone)';
    else {
      try {
        text = utf8.decode(value);
      } catch {
        text = value.toString('latin1');
        reason = 'the record value is not valid UTF-8';
      }
      if (reason === null) {
        try {
          parsed = JSON.parse(text);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) reason = 'the record value is JSON but not an object';
          else if (nestsTooDeep(text, parsed)) reason = `the record value is ${TOO_DEEP_REASON}`;
        } catch (error) {
          reason = `the record value is not JSON (${messageOf(error)})`;
        }
      }
    }
    if (reason !== null) return { kind: 'bad', input, task, position, raw: rawOf(text), reason, done };
    return {
      kind: 'event',
      input,
      task,
      position,
      value: parsed as Record<string, unknown>,
      timestamp,
      ...(key === null ? {} : { recordKey: key.toString('utf8') }),
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

