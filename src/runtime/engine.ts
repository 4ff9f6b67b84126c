/**
 * The run supervisor (DSL.md sections 1, 5, 6): reads records from every source, extracts type
 * and event time, hands each event to the event-time operator of its partition
 * (`cep-operator.ts`: watermark, reorder buffer, keyed NFA state, timers), and writes one alert per
 * match to every sink. Around the operators it owns what is not event-time state: backpressure,
 * pacing (`--speed`), bad records and late events, progress, counters and the summary.
 *
 * The loop, step by step:
 *  1. Read a record from a source. A bad record (not JSON, no or bad event time, a time outside
 *     the years 0000 to 9999: `MIN_EVENT_TIME` in time.ts) is counted,
 *     reported (rate-limited) and written to the dead-letter output; it is never fatal.
 *  2. Extract the event type (`--type-field`, or the source's own) and event time (`--time-field`,
 *     `@timestamp`: that field, else the record timestamp) with precompiled field getters.
 *  3. Hand the event to its partition's operator: file replay has one operator over all inputs;
 *     a partitioned source (Kafka) starts and ends tasks in its record stream, one operator each.
 *     A late event is counted and written to the late output, not matched.
 *  4. Each match becomes an alert (`toAlert`) written to every sink (one whose JSON would pass
 *     512 MiB, V8's longest string, is reported and left out); the event's `done()` is
 *     called once its alerts' writes settled. While too many writes are pending, reading pauses
 *     (backpressure). A transactional source (exactly-once) also gets each task's alerts, with
 *     its changed state, when it commits the task (`onCheckpoint`).
 *  5. At the end of every finite input the watermark becomes +∞ and every pending deadline fires;
 *     the warnings from the data are logged (data-warnings.ts; also once a minute in a long run);
 *     then sinks get the final counters and are closed (or, with `linger`, after the abort signal).
 */
import type { Writable } from 'node:stream';
import { toAlert, type Alert } from '../alerts/alert.js';
import type { AlertSink, EngineStats } from '../alerts/sink.js';
import { shorten } from '../dsl/errors.js';
import { printable } from '../dsl/printable.js';
import type { Match, Nfa } from '../nfa/nfa.js';
import { CepOperator, type OperatorListener } from './cep-operator.js';
import { counted } from './counted.js';
import { dataWarnings, FieldWatch, namedTypes, SeenTypes } from './data-warnings.js';
import { fieldGetter, splitPath, type FieldGetter } from './field-path.js';
import { keyExtractor, type KeyedState } from './keyed-state.js';
import { rawOf, type Source, type SourceBadRecord, type SourceControl, type SourceEvent, type SourceRecord, type SourceTaskStart, type TaskCheckpoint } from './source.js';
import { DEFAULT_TIME_READER, MAX_EVENT_TIME, MIN_EVENT_TIME, toEventTime, type TimeReader } from './time.js';

/** What the engine needs to run. Checked once by {@link runEngine}; defaults next to each. */
export interface EngineOptions {
  /** Compiled rules; each is keyed on its own `key by`. At least one. */
  readonly rules: readonly Nfa[];
  /** Event sources; at least one. Closed by the engine. */
  readonly sources: readonly Source[];
  /** Alert sinks, each receiving every alert in order. Closed by the engine. */
  readonly sinks: readonly AlertSink[];
  /** Event time field path (dots); `@timestamp` reads the field of that name, else the source's record timestamp (Kafka). Default `ts`. */
  readonly timeField?: string;
  /** How the time field is read (`--time-format`). Default: epoch ms or ISO-8601 (DSL.md section 1). */
  readonly timeReader?: TimeReader;
  /** Event type field path (dots); ignored for records whose source gives the type. Default `type`. */
  readonly typeField?: string;
  /** Allowed out-of-orderness, ms. Default 0. */
  readonly maxDelay?: number;
  /**
   * A poisoned clock (DSL.md section 5): an event more than this (ms) after the largest event time
   * seen so far (Kafka: after the wall clock) is a bad record and moves no watermark. Default: none.
   */
  readonly maxFuture?: number;
  /** Inputs silent this long (processing time, ms) are left out of the watermark. Default: never. */
  readonly idle?: number;
  /** Most keys holding state per distinct `key by`, shared by its rules (LRU). Default 1,000,000. */
  readonly maxKeys?: number;
  /** Replay pace: N × event time (2 = twice as fast as recorded). Default: as fast as possible. */
  readonly speed?: number;
  /** After the input ends, keep sinks open until `signal` aborts (live sinks). Default false. */
  readonly linger?: boolean;
  /** Aborting stops reading, then sinks are flushed and closed (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Late events are written here, one JSON line each as read. */
  readonly lateOutput?: Writable;
  /** Bad records are written here, one JSON line each: `{position, reason, raw}`. */
  readonly deadLetterOutput?: Writable;
  /** Warnings and bad-record reports (stderr by default). */
  readonly log?: (line: string) => void;
  /** Called about once a second and at the end with progress figures. */
  readonly onProgress?: (progress: Progress) => void;
  /** Most bad records reported one by one before the rest is only counted. Default 10. */
  readonly maxBadReports?: number;
  /** Called once, before the first record is read, with the running engine (metrics, health, hot reload). */
  readonly onStart?: (engine: RunningEngine) => void;
}

/** Progress figures for the progress bar. */
export interface Progress {
  readonly bytesRead: number;
  /** Sum of the file sizes, or undefined when an input has no known size (stdin, Kafka). */
  readonly totalBytes: number | undefined;
  readonly stats: EngineStats;
}

/** What a run did, for the summary line. */
export interface Summary {
  readonly events: number;
  readonly badRecords: number;
  readonly lateEvents: number;
  readonly alerts: number;
  readonly alertsByRule: Readonly<Record<string, number>>;
  /** Partial matches dropped at `maxPartialMatches`, per rule (only rules with drops). */
  readonly droppedPartialMatches: Readonly<Record<string, number>>;
  /** Keys evicted by `maxKeys` while holding partial matches, and the partial matches lost. */
  readonly evictedKeys: number;
  readonly evictedPartialMatches: number;
  /** Conditions that threw, over all rules. */
  readonly conditionErrors: number;
  /**
   * Kafka events whose key under some rule differs from their record key (DSL.md section 9: state
   * is per input partition, so a rule's key must be what the producers partition by).
   */
  readonly misaligned: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** True when the run was stopped by the abort signal before its input ended. */
  readonly interrupted: boolean;
  /**
   * An event that moved its partition's watermark by more than a day and after which late events
   * came (a poisoned clock, when `maxFuture` is not set): where it was read, the jump (ms), and the
   * late events after it.
   */
  readonly clockJump?: { readonly position: string; readonly byMs: number; readonly lateAfter: number };
}

/** One rule's counters, summed over every task (revoked tasks' evictions included). */
export interface RuleCounters {
  /** False for a rule removed by a hot reload (only its counts remain). */
  readonly running: boolean;
  /** Alerts by kind. */
  readonly alerts: { readonly match: number; readonly timeout: number };
  /** Live partial matches over all keys. */
  readonly partialMatches: number;
  /** Keys holding state. */
  readonly keys: number;
  /** Keys evicted at `maxKeys` while holding partial matches, and the partial matches they held. */
  readonly evictedKeys: number;
  readonly evictedPartialMatches: number;
  /** Partial matches dropped at `maxPartialMatches`. */
  readonly droppedPartialMatches: number;
  /** Conditions that threw (each counted as false). */
  readonly conditionErrors: number;
}

/**
 * The engine's counters at one moment, read from the engine itself (nothing counts twice): the
 * {@link Summary}, the sinks' {@link EngineStats} (the dashboard) and `/metrics` (DSL.md section 10)
 * are all derived from it. Counters only grow, except those of a rule changed by a hot reload
 * (its condition errors and drops start again at 0).
 */
export interface RunCounters {
  /** Events read (good records), in all and by input (file path, `-`, or `topic/partition`). */
  readonly events: number;
  readonly eventsByInput: Readonly<Record<string, number>>;
  readonly badRecords: number;
  readonly lateEvents: number;
  readonly alerts: number;
  /** By rule name: the rules running now, and the alerts of rules removed by a reload. */
  readonly rules: Readonly<Record<string, RuleCounters>>;
  /** The watermark that applies to each input (its task's), ms; ±Infinity before the first event and at the end. */
  readonly watermarks: Readonly<Record<string, number>>;
  /** How far each input's watermark trails its clock, ms, where that means something (see {@link EngineStats.watermarkLag}). */
  readonly watermarkLags: Readonly<Record<string, number>>;
  /** The lowest watermark over the tasks, ms. */
  readonly watermark: number;
  /** Kafka events whose rule key differs from their record key (see {@link Summary.misaligned}). */
  readonly misaligned: number;
  /** Records not yet fetched, by Kafka input (`topic/partition`; see `Source.lag`). */
  readonly inputLag: Readonly<Record<string, number>>;
}

/**
 * A running engine, handed to {@link EngineOptions.onStart}: its counters at any moment, whether
 * its inputs are ready, and the rule swap of a hot reload.
 */
export interface RunningEngine {
  /** The counters now (cheap: sums over the rules of each task). */
  counters(): RunCounters;
  /**
   * True once every source says its inputs are assigned and its state restored (a source without
   * `ready` is ready when it is open): what `/readyz` answers.
   */
  ready(): boolean;
  /**
   * Hot reload (DSL.md section 10): the rules become `rules`. A rule given as the very `Nfa`
   * object already running keeps its keyed state in every task (partial matches, timers); any
   * other starts empty; the state of a running rule not in `rules` is dropped. With a
   * transactional source (exactly-once) its tasks are committed first, so the swap falls between
   * two checkpoints. @throws Error when two rules share a name (nothing is changed then).
   */
  replaceRules(rules: readonly Nfa[]): Promise<void>;
}

/** A watermark jump above this (ms) is remembered, to name it when late events follow. */
const SUSPICIOUS_JUMP_MS = 24 * 3600_000;
/** A `--speed` wait for one event longer than this (ms, wall clock) is announced with the event's position. */
const LONG_PACE_WAIT_MS = 60_000;

/** `ms` in words for a person: whole days, else hours, else minutes (`104 days`, `3 hours`). */
function roughly(ms: number): string {
  if (ms >= 2 * 86_400_000) return counted(Math.round(ms / 86_400_000), 'day');
  if (ms >= 2 * 3600_000) return counted(Math.round(ms / 3600_000), 'hour');
  return counted(Math.max(1, Math.round(ms / 60_000)), 'minute');
}

/** The records of `source` in arrays: its own batches when it has them, else one record per array. */
async function* batchesOf(source: Source): AsyncGenerator<(SourceRecord | SourceControl)[]> {
  if (source.batches !== undefined) {
    yield* source.batches();
    return;
  }
  for await (const record of source.records()) yield [record];
}

/** Pending sink writes above which reading pauses. */
const MAX_PENDING_WRITES = 1024;
const TICK_MS = 1000;
/** How often a long run repeats the warnings from the data (DSL.md section 7: once a minute in live mode). */
const DATA_WARNINGS_EVERY_MS = 60_000;

/**
 * Runs the rules over the sources until every source ends (or `signal` aborts), writing alerts
 * to the sinks, and resolves with the run's {@link Summary}.
 * @throws Error on bad options (before anything is read); rejects with a source's or sink's
 * error (after closing everything) when reading or writing fails.
 */
export async function runEngine(options: EngineOptions): Promise<Summary> {
  return new Engine(options).run();
}

/** An operator with what the engine keeps beside it: its inputs, and the alerts a transactional source has yet to commit. */
interface Task {
  readonly operator: CepOperator;
  readonly inputs: Set<string>;
  /** Alerts since the task's last checkpoint (`null`: the source does not commit alerts itself). */
  alerts: Alert[] | null;
}

/** A sink's pending write promise and the alerts waiting on it (see `Engine.pending`). */
interface PendingWrite {
  readonly promise: Promise<void>;
  alerts: number;
  /** Settles once the alerts were counted as written. */
  settled: Promise<void>;
}

/** @throws Error when two rules share a name. */
function checkNames(rules: readonly Nfa[]): void {
  const names = new Set<string>();
  for (const nfa of rules) {
    if (names.has(nfa.rule.name)) throw new Error(`two rules are named '${nfa.rule.name}': rule names must be unique over all rule files`);
    names.add(nfa.rule.name);
  }
}

/** The task of records from unpartitioned sources (files, stdin): one operator over all their inputs. */
const DEFAULT_TASK = '';

class Engine {
  private nfas: readonly Nfa[];
  /** Operators by task; `DEFAULT_TASK` holds the inputs of unpartitioned sources. */
  private readonly tasks = new Map<string, Task>();
  /** The task of `DEFAULT_TASK` (never ended). */
  private readonly defaultTask: Task;
  /**
   * The `--max-keys` evictions of keyed states dropped while the run went on (tasks revoked, rules
   * removed by a reload), by rule: their state goes with them, their counts stay.
   */
  private readonly retired = new Map<string, { keys: number; partialMatches: number }>();
  private readonly getTime: FieldGetter;
  /** `--time-field @timestamp`: an event without that field takes its record's timestamp (Kafka). */
  private readonly recordTime: boolean;
  private readonly getType: FieldGetter;
  private readonly readTime: TimeReader['read'];
  private readonly log: (line: string) => void;
  private readonly maxBadReports: number;
  /** Alerts by rule and kind; rules removed by a reload stay. */
  private readonly alertsByRule: Record<string, { match: number; timeout: number }> = byName();
  /** Events by input, and the counter of the input of the last event (consecutive events mostly share it). */
  private readonly eventsByInput = new Map<string, { n: number }>();
  private lastInput: { name: string; count: { n: number } } = { name: '', count: { n: 0 } };
  private readonly warnedDrops = new Set<string>();
  /** The event types seen, for the warnings from the data. */
  private readonly types: SeenTypes;
  /** The field paths the rules read, until each is found in an event of its type. */
  private fields: FieldWatch;
  private lastDataWarnings = Date.now();
  /** Each rule's key of an event, for the key-alignment check of records that have a key. */
  private keysOf: readonly ((data: Readonly<Record<string, unknown>>) => unknown)[];
  private misaligned = 0;
  /** Watermark jumps of more than a day, with the late-event count when each happened (at most 100 kept). */
  private readonly jumps: { position: string; byMs: number; lateBefore: number }[] = [];
  /** Largest event time seen, ms (pacing). */
  private maxTime = -Infinity;
  private inputEnded = false;
  private events = 0;
  private badRecords = 0;
  private lateEvents = 0;
  private alerts = 0;
  /** Alerts whose write to some sink has not settled (one per alert and sink). */
  private pendingWrites = 0;
  /** Per sink (by index), the write promise it returned last while that is pending. */
  private readonly lastWrites: (PendingWrite | null)[];
  private writeWaiter: (() => void) | null = null;
  /** Write promises of the alerts caused since the last fed event (for its `done`). */
  private writes: Promise<void>[] = [];
  private failure: unknown = null;
  private stopped = false;
  private warnedEviction = false;
  private lastTimeText: unknown = undefined;
  private lastTime = NaN;
  private readonly started = Date.now();
  private lastTick = { at: Date.now(), events: 0 };
  private eventsPerSecond = 0;
  private paceStart: { wall: number; time: number } | null = null;

  constructor(private readonly options: EngineOptions) {
    const { rules, sources, sinks, maxKeys = 1_000_000, speed, idle, timeField = 'ts', typeField = 'type' } = options;
    if (rules.length === 0) throw new Error('runEngine needs at least one rule');
    if (sources.length === 0) throw new Error('runEngine needs at least one source');
    if (sinks.length === 0) throw new Error('runEngine needs at least one sink');
    if (speed !== undefined && !(speed > 0 && Number.isFinite(speed))) throw new Error(`speed must be a number > 0, got ${speed}`);
    if (idle !== undefined && !(idle > 0)) throw new Error(`idle must be a duration > 0 ms, got ${idle}`);
    if (options.maxFuture !== undefined && !(options.maxFuture > 0)) throw new Error(`maxFuture must be a duration > 0 ms, got ${options.maxFuture}`);
    if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) throw new Error(`maxKeys must be an integer ≥ 1, got ${maxKeys}`);
    checkNames(rules);
    for (const nfa of rules) this.alertsByRule[nfa.rule.name] = { match: 0, timeout: 0 };
    this.nfas = rules;
    this.lastWrites = sinks.map(() => null);
    this.types = new SeenTypes(namedTypes(rules));
    this.fields = new FieldWatch(rules);
    this.keysOf = rules.map((nfa) => keyExtractor(nfa.rule.keyBy.map(fieldGetter)));
    this.getTime = fieldGetter(splitPath(timeField));
    this.recordTime = timeField === '@timestamp';
    this.getType = fieldGetter(splitPath(typeField));
    this.readTime = (options.timeReader ?? DEFAULT_TIME_READER).read;
    // Partitioned sources (Kafka) announce no inputs up front: they start tasks of their own.
    this.defaultTask = this.newTask(sources.flatMap((s) => s.inputs), false);
    this.tasks.set(DEFAULT_TASK, this.defaultTask);
    for (const source of sources) source.onCheckpoint?.((task) => this.checkpoint(task));
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.maxBadReports = options.maxBadReports ?? 10;
  }

  private newTask(inputs: readonly string[], transactional: boolean): Task {
    const { maxDelay = 0, idle, maxKeys = 1_000_000 } = this.options;
    const listener: OperatorListener = {
      match: (nfa, key, match) => this.emit(task, nfa, key, match),
      fed: (done) => this.fed(done),
    };
    const task: Task = { operator: new CepOperator(this.nfas, inputs, { maxDelay, idle, maxKeys, checkpoints: transactional }, listener), inputs: new Set(inputs), alerts: transactional ? [] : null };
    return task;
  }

  async run(): Promise<Summary> {
    const { sources, signal } = this.options;
    const onAbort = (): void => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.stop();
    this.options.onStart?.({ counters: () => this.counters(), ready: () => this.ready(), replaceRules: (rules) => this.replaceRules(rules) });
    const ticker = setInterval(() => this.tick(), this.options.idle === undefined ? TICK_MS : Math.min(TICK_MS, Math.max(10, this.options.idle / 2)));
    try {
      await Promise.all(sources.map((source) => this.consume(source)));
      // Step 5: every finite input ended, so the watermark is +∞ and every deadline fires.
      if (!this.stopped) {
        this.inputEnded = true;
        for (const task of this.tasks.values()) task.operator.end();
      }
      await this.drainWrites();
      if (this.failure === null) this.warnData();
      if (this.options.linger && !this.stopped && this.failure === null && signal !== undefined) {
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      }
    } finally {
      clearInterval(ticker);
      signal?.removeEventListener('abort', onAbort);
      await this.closeAll();
    }
    if (this.failure !== null) throw this.failure;
    return this.summary();
  }

  /** Stops reading: sources are closed, events still in the reorder buffer are not fed (they were never `done`). */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const source of this.options.sources) source.close().catch(() => undefined);
    this.writeWaiter?.();
  }

  private async consume(source: Source): Promise<void> {
    const inputs = new Set(source.inputs);
    const defaultInputs = this.defaultTask.inputs;
    let lastInput: string | undefined; // consecutive records mostly share their input: the sets are entered when it changes
    try {
      for await (const batch of batchesOf(source)) {
        // A record handed out is always handled, even when the run stops meanwhile: a
        // transactional source counts it as consumed once handed out.
        for (let i = 0; i < batch.length; i++) {
          const record = batch[i];
          if (record.kind === 'task-start') this.startTask(record);
          else if (record.kind === 'task-end') this.endTask(record.task);
          else {
            if (record.task === undefined && record.input !== lastInput) {
              lastInput = record.input;
              inputs.add(lastInput);
              defaultInputs.add(lastInput);
            }
            if (record.kind === 'event' && this.paceStart !== null) await this.pace(record);
            this.handle(record);
          }
          if (this.stopped) break;
        }
        if (this.stopped) break;
        if (this.pendingWrites > MAX_PENDING_WRITES) await this.waitForWrites(MAX_PENDING_WRITES / 2);
      }
    } catch (error) {
      if (!this.stopped) this.fail(error);
      return;
    }
    if (this.stopped) return;
    // Tasks of partitioned sources end with the run (step 5); unpartitioned inputs end here.
    const operator = this.defaultTask.operator;
    for (const input of inputs) operator.finish(input);
  }

  /** A partitioned source took a task: a new operator, restored from its checkpoint when given. */
  private startTask(start: SourceTaskStart): void {
    this.endTask(start.task);
    const task = this.newTask(start.inputs, start.restored !== undefined);
    if (start.restored !== undefined) task.operator.restore(start.restored.meta, start.restored.keys);
    this.tasks.set(start.task, task);
  }

  private endTask(id: string): void {
    const task = this.tasks.get(id);
    if (task === undefined || id === DEFAULT_TASK) return;
    this.tasks.delete(id);
    this.retire(task.operator.rules);
  }

  /** Keeps the eviction counts of keyed states that are let go. */
  private retire(states: readonly KeyedState[]): void {
    for (const state of states) {
      if (state.evictedWithPending === 0) continue;
      const name = state.nfa.rule.name;
      const sum = this.retired.get(name) ?? { keys: 0, partialMatches: 0 };
      sum.keys += state.evictedWithPending;
      sum.partialMatches += state.evictedPartialMatches;
      this.retired.set(name, sum);
    }
  }

  /** {@link RunningEngine.replaceRules}. */
  private async replaceRules(rules: readonly Nfa[]): Promise<void> {
    checkNames(rules);
    for (const source of this.options.sources) {
      if (source.onCheckpoint !== undefined) await source.commit?.();
    }
    this.nfas = rules;
    this.types.named = namedTypes(rules);
    this.fields = new FieldWatch(rules);
    this.keysOf = rules.map((nfa) => keyExtractor(nfa.rule.keyBy.map(fieldGetter)));
    for (const nfa of rules) this.alertsByRule[nfa.rule.name] ??= { match: 0, timeout: 0 };
    for (const task of this.tasks.values()) this.retire(task.operator.replaceRules(rules));
  }

  /** {@link RunningEngine.ready}. */
  private ready(): boolean {
    return this.options.sources.every((source) => source.ready?.() ?? true);
  }


  /** What `onCheckpoint` takes for a task: its changed state and the alerts since the last one. */
  private checkpoint(id: string): TaskCheckpoint | null {
    const task = this.tasks.get(id);
    if (task === undefined || task.alerts === null) return null;
    const alerts = task.alerts;
    task.alerts = [];
    return { ...task.operator.checkpoint(), alerts };
  }

  /** Steps 1–3 for one record. */
  private handle(record: SourceEvent | SourceBadRecord): void {
    const task = record.task === undefined ? this.defaultTask : this.tasks.get(record.task);
    // A record of a task the engine no longer holds (revoked while the record was queued): its next owner reads it.
    if (task === undefined) return;
    const operator = task.operator;
    if (record.kind === 'bad') {
      operator.touch(record.input);
      this.setAside(record);
      return;
    }
    const value = record.value;
    const time = this.timeOf(record);
    if (!(time >= MIN_EVENT_TIME && time <= MAX_EVENT_TIME)) {
      operator.touch(record.input);
      const field = this.options.timeField ?? 'ts';
      const found = this.getTime(value) ?? (this.recordTime ? record.timestamp : undefined);
      const reason =
        found === undefined || found === null ? `no event time (field ${field})`
        : Number.isNaN(time) ? `event time ${quoted(found)} ${(this.options.timeReader ?? DEFAULT_TIME_READER).mismatch}`
        : `event time ${quoted(found)} is outside the years 0000 to 9999`;
      this.setAside({ kind: 'bad', input: record.input, position: record.position, raw: rawOf(JSON.stringify(value)), reason, done: record.done });
      return;
    }
    const maxFuture = this.options.maxFuture;
    if (maxFuture !== undefined) {
      const reference = record.task !== undefined ? Date.now() : this.maxTime;
      if (reference > -Infinity && time > reference + maxFuture) {
        operator.touch(record.input);
        const seen = record.task !== undefined ? 'the wall clock' : 'the largest event time seen so far';
        this.setAside({ kind: 'bad', input: record.input, position: record.position, raw: rawOf(JSON.stringify(value)), reason: `time too far ahead: ${new Date(time).toISOString()} is more than --max-future after ${seen}`, done: record.done });
        return;
      }
    }
    this.events++;
    if (record.input !== this.lastInput.name) this.lastInput = { name: record.input, count: this.inputCount(record.input) };
    this.lastInput.count.n++;
    const typeValue = record.type ?? this.getType(value);
    // A number or boolean names its type by its text; an object or array names none (an event no
    // rule's type matches, like a missing type): String() of an array is its items' text (["a"]
    // matched as a), and of an object whose own `toString` is no function it throws.
    const type = typeof typeValue === 'string' ? typeValue : typeof typeValue === 'number' || typeof typeValue === 'boolean' ? String(typeValue) : '';
    this.types.note(type);
    if (this.fields.pending > 0) this.fields.check(type, value);
    if (this.options.speed !== undefined && this.paceStart === null) this.paceStart = { wall: Date.now(), time };
    if (time > this.maxTime) this.maxTime = time;
    if (record.recordKey !== undefined) this.checkAlignment(record, type);
    const before = operator.watermark;
    if (!operator.offer(record.input, type, time, value, record.done)) {
      this.lateEvents++;
      this.options.lateOutput?.write(JSON.stringify(value) + '\n');
      record.done?.();
    } else if (operator.watermark - before > SUSPICIOUS_JUMP_MS && before > -Infinity && this.jumps.length < 100) {
      this.jumps.push({ position: record.position, byMs: operator.watermark - before, lateBefore: this.lateEvents });
    }
  }

  private inputCount(input: string): { n: number } {
    let count = this.eventsByInput.get(input);
    if (count === undefined) this.eventsByInput.set(input, (count = { n: 0 }));
    return count;
  }

  /**
   * Counts (and reports the first of) events whose key under a rule that reads them is not their
   * record key. Both keys come from the data: the report quotes them as a bad record's reason
   * quotes a value, in at most 40 characters with control and bidi characters as `\uXXXX`
   * ({@link quoted}, {@link printable}).
   */
  private checkAlignment(record: SourceEvent, type: string): void {
    for (let i = 0; i < this.nfas.length; i++) {
      const relevant = this.nfas[i].relevantTypes;
      if (relevant !== null && !relevant.has(type)) continue;
      const key = this.keysOf[i](record.value);
      if (key === undefined) continue;
      const text = typeof key === 'string' ? key : typeof key === 'object' ? JSON.stringify(key) : String(key);
      if (text === record.recordKey) continue;
      if (this.misaligned++ === 0) {
        this.log(`cep: warning: the event at ${record.position} has key ${printable(quoted(text))} under rule ${this.nfas[i].rule.name} but record key ${printable(quoted(record.recordKey))}: state is kept per partition, so producers must key records by the rules' key`);
      }
      return;
    }
  }

  private timeOf(record: SourceEvent): number {
    const raw = this.getTime(record.value);
    if ((raw === undefined || raw === null) && this.recordTime && record.timestamp !== undefined) return toEventTime(record.timestamp);
    // Consecutive events often carry the same time text: parse it once.
    if (raw === this.lastTimeText && typeof raw === 'string') return this.lastTime;
    const time = this.readTime(raw);
    if (typeof raw === 'string') {
      this.lastTimeText = raw;
      this.lastTime = time;
    }
    return time;
  }

  /** An event was fed to every rule: its `done` waits for the writes of the alerts it caused. */
  private fed(done: (() => void) | undefined): void {
    if (this.writes.length === 0) {
      done?.();
      return;
    }
    if (done === undefined) {
      this.writes.length = 0;
      return;
    }
    const writes = this.writes;
    this.writes = [];
    void Promise.allSettled(writes).then(() => done());
  }

  /** Step 4: one alert per match, to every sink (and to the task's checkpoint when its source commits alerts). */
  private emit(task: Task, nfa: Nfa, key: unknown, match: Match): void {
    let alert: Alert;
    try {
      alert = toAlert(nfa.rule, key, match);
    } catch (error) {
      // Its JSON would be longer than V8's longest string (2^29 - 24 characters, 512 MiB): large
      // events in a long loop, or an `emit` that builds a long text. No sink could take it, and
      // the RangeError crashed the run (in a live run, again on every restart from the same input).
      if (!(error instanceof RangeError)) throw error;
      this.log(`cep: error: rule ${nfa.rule.name}, key ${printable(quoted(key))}: a ${match.kind} alert too large to write (${error.message}: its JSON would pass 512 MiB) is left out`);
      return;
    }
    this.alerts++;
    this.alertsByRule[nfa.rule.name][match.kind]++;
    task.alerts?.push(alert);
    const sinks = this.options.sinks;
    for (let i = 0; i < sinks.length; i++) {
      let result: void | Promise<void>;
      try {
        result = sinks[i].write(alert);
      } catch (error) {
        this.fail(error);
        continue;
      }
      if (result !== undefined) this.pending(i, result);
    }
  }

  /**
   * Counts an alert whose write to sink number `sink` settles with `promise`. A sink under
   * backpressure returns the same promise for every alert until it drains: those alerts share one
   * reaction, which settles them all.
   */
  private pending(sink: number, promise: Promise<void>): void {
    this.pendingWrites++;
    let write = this.lastWrites[sink];
    if (write === null || write.promise !== promise) {
      const w: PendingWrite = { promise, alerts: 0, settled: promise };
      const settle = (): void => {
        if (this.lastWrites[sink] === w) this.lastWrites[sink] = null;
        this.writeDone(w.alerts);
      };
      w.settled = promise.then(settle, (error: unknown) => {
        settle();
        this.fail(error);
      });
      this.lastWrites[sink] = write = w;
    }
    write.alerts++;
    if (this.writes[this.writes.length - 1] !== write.settled) this.writes.push(write.settled);
  }

  private writeDone(alerts: number): void {
    this.pendingWrites -= alerts;
    this.writeWaiter?.();
  }

  private async waitForWrites(atMost: number): Promise<void> {
    while (this.pendingWrites > atMost && !this.stopped) {
      await new Promise<void>((resolve) => (this.writeWaiter = resolve));
      this.writeWaiter = null;
    }
  }

  /** Waits until no sink write is pending (or the run failed). */
  private async drainWrites(): Promise<void> {
    while (this.pendingWrites > 0 && this.failure === null) {
      await new Promise<void>((resolve) => (this.writeWaiter = resolve));
      this.writeWaiter = null;
    }
  }

  /**
   * `--speed N`: waits until the replay's clock (the first event's time, advancing N ms of event
   * time per wall-clock ms) reaches `record`'s time, so that an event is fed when its time comes
   * and never before: the watermark cannot run ahead of that clock (`watermarkLag` ≥ 0). Waits in
   * steps of at most a second, so that a stopped run (SIGTERM) stops waiting within one.
   */
  private async pace(record: SourceEvent): Promise<void> {
    const time = this.timeOf(record);
    if (!(time > this.maxTime)) return;
    const start = this.paceStart!;
    const due = start.wall + (time - start.time) / this.options.speed!;
    if (due - Date.now() > LONG_PACE_WAIT_MS) {
      this.log(
        `cep: warning: --speed ${this.options.speed}: waiting ${roughly(due - Date.now())} for the event at ${record.position}, ` +
          `stamped ${new Date(time).toISOString()}, ${roughly(time - this.maxTime)} after the latest before it (a clock error? --max-future D sets such events aside)`,
      );
    }
    for (let wait = due - Date.now(); wait > 1 && !this.stopped; wait = due - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1000)));
    }
  }

  private setAside(record: SourceBadRecord): void {
    this.badRecords++;
    if (this.badRecords <= this.maxBadReports) {
      this.log(`cep: bad record at ${record.position}: ${printable(record.reason)}`);
      if (this.badRecords === this.maxBadReports) this.log('cep: further bad records are counted but not shown');
    }
    this.options.deadLetterOutput?.write(JSON.stringify({ position: record.position, reason: record.reason, raw: record.raw }) + '\n');
    record.done?.();
  }

  private fail(error: unknown): void {
    if (this.failure === null) this.failure = error;
    this.stop();
  }

  /** About once a second: idle inputs, counters to sinks and progress, one-time warnings. */
  private tick(): void {
    if (this.options.idle !== undefined && !this.stopped) for (const task of this.tasks.values()) task.operator.checkIdle();
    const now = Date.now();
    if (now - this.lastTick.at < TICK_MS - 50) return;
    this.eventsPerSecond = ((this.events - this.lastTick.events) * 1000) / Math.max(1, now - this.lastTick.at);
    this.lastTick = { at: now, events: this.events };
    this.report();
    if (now - this.lastDataWarnings >= DATA_WARNINGS_EVERY_MS) this.warnData();
  }

  private report(): void {
    const counters = this.counters();
    const stats = this.stats(counters);
    for (const sink of this.options.sinks) {
      try {
        sink.stats?.(stats);
      } catch (error) {
        this.log(`cep: a sink failed to take the counters: ${(error as Error).message}`);
      }
    }
    this.warnOnce(counters);
    if (this.options.onProgress !== undefined) {
      let bytesRead = 0;
      let totalBytes: number | undefined = 0;
      for (const source of this.options.sources) {
        bytesRead += source.bytesRead?.() ?? 0;
        totalBytes = totalBytes === undefined || source.size === undefined ? undefined : totalBytes + source.size;
      }
      this.options.onProgress({ bytesRead, totalBytes, stats });
    }
  }

  /** The warnings from the data so far (data-warnings.ts). */
  private warnData(): void {
    this.lastDataWarnings = Date.now();
    for (const line of dataWarnings(this.nfas, this.types)) this.log(line);
  }

  private warnOnce(counters: RunCounters): void {
    for (const { rule, stats } of this.nfas) {
      if (stats.droppedPartialMatches > 0 && !this.warnedDrops.has(rule.name)) {
        this.warnedDrops.add(rule.name);
        this.log(`cep: warning: rule ${rule.name} dropped partial matches at a key's --max-partial-matches limit; alerts may be missing`);
      }
    }
    if (this.warnedEviction) return;
    const rule = Object.entries(counters.rules).find(([, r]) => r.evictedKeys > 0)?.[0];
    if (rule !== undefined) {
      this.warnedEviction = true;
      this.log(`cep: warning: keys with partial matches were evicted at the --max-keys limit (rule ${rule}); alerts may be missing`);
    }
  }

  /** {@link RunningEngine.counters}: the one source of the summary, the sinks' counters and `/metrics`. */
  private counters(): RunCounters {
    const rules: Record<string, RuleCounters> = byName();
    for (const [name, alerts] of Object.entries(this.alertsByRule)) {
      const retired = this.retired.get(name);
      rules[name] = { running: false, alerts: { ...alerts }, partialMatches: 0, keys: 0, evictedKeys: retired?.keys ?? 0, evictedPartialMatches: retired?.partialMatches ?? 0, droppedPartialMatches: 0, conditionErrors: 0 };
    }
    for (const { rule, stats } of this.nfas) {
      const r = rules[rule.name] as { -readonly [K in keyof RuleCounters]: RuleCounters[K] };
      r.running = true;
      r.droppedPartialMatches = stats.droppedPartialMatches;
      r.conditionErrors = stats.conditionErrors;
    }
    const watermarks: Record<string, number> = byName();
    const watermarkLags: Record<string, number> = byName();
    for (const task of this.tasks.values()) {
      const lag = this.watermarkLag(task.operator.watermark);
      for (const input of task.inputs) {
        watermarks[input] = task.operator.watermark;
        if (lag !== null) watermarkLags[input] = lag;
      }
      for (const state of task.operator.rules) {
        const r = rules[state.nfa.rule.name] as { -readonly [K in keyof RuleCounters]: RuleCounters[K] };
        r.partialMatches += state.partialMatches;
        r.keys += state.keys;
        r.evictedKeys += state.evictedWithPending;
        r.evictedPartialMatches += state.evictedPartialMatches;
      }
    }
    const eventsByInput: Record<string, number> = byName();
    for (const [input, count] of this.eventsByInput) eventsByInput[input] = count.n;
    const inputLag: Record<string, number> = byName();
    for (const source of this.options.sources) for (const [input, lag] of source.lag?.() ?? []) inputLag[input] = lag;
    return {
      events: this.events,
      eventsByInput,
      badRecords: this.badRecords,
      lateEvents: this.lateEvents,
      alerts: this.alerts,
      rules,
      watermarks,
      watermarkLags,
      watermark: this.watermark(),
      misaligned: this.misaligned,
      inputLag,
    };
  }

  /** The sinks' counters (the dashboard), from {@link counters}. */
  private stats(c: RunCounters): EngineStats {
    let partialMatches = 0;
    let keys = 0;
    for (const r of Object.values(c.rules)) {
      partialMatches += r.partialMatches;
      keys += r.keys;
    }
    return {
      events: c.events,
      eventsPerSecond: this.eventsPerSecond,
      badRecords: c.badRecords,
      lateEvents: c.lateEvents,
      alerts: c.alerts,
      alertsByRule: alertsByRule(c),
      watermark: c.watermark,
      watermarkLag: this.watermarkLag(c.watermark),
      partialMatches,
      keys,
    };
  }

  /**
   * How far the watermark trails the clock that event time should follow, ms ({@link EngineStats.watermarkLag}):
   * the wall clock on Kafka (partitioned tasks); in a replay paced by `speed`, the replay's clock (the
   * event time the pacing has reached); none (null) in a replay at full speed, where recorded event
   * time has no relation to the wall clock, and before the first watermark or after the end of input.
   */
  private watermarkLag(watermark: number): number | null {
    if (!Number.isFinite(watermark)) return null;
    if (this.tasks.size > 1) return Date.now() - watermark;
    const pace = this.paceStart;
    if (pace === null || this.options.speed === undefined) return null;
    return pace.time + (Date.now() - pace.wall) * this.options.speed - watermark;
  }

  /** The lowest watermark over the operators that hold inputs, ms. */
  private watermark(): number {
    let min = Infinity;
    for (const [id, task] of this.tasks) if (id !== DEFAULT_TASK || this.tasks.size === 1) min = Math.min(min, task.operator.watermark);
    return min;
  }

  private async closeAll(): Promise<void> {
    const elapsed = Math.max(1, Date.now() - this.started);
    this.eventsPerSecond = (this.events * 1000) / elapsed;
    this.report();
    await Promise.all(this.options.sources.map((s) => s.close().catch(() => undefined)));
    const closes = this.options.sinks.map((s) => s.close());
    for (const out of [this.options.lateOutput, this.options.deadLetterOutput]) {
      if (out !== undefined && out !== process.stdout && out !== process.stderr) closes.push(new Promise<void>((resolve) => out.end(() => resolve())));
    }
    const results = await Promise.allSettled(closes);
    for (const r of results) if (r.status === 'rejected') this.fail(r.reason);
  }

  private summary(): Summary {
    const elapsedMs = Math.max(1, Date.now() - this.started);
    const c = this.counters();
    const droppedPartialMatches: Record<string, number> = byName();
    let conditionErrors = 0;
    let evictedKeys = 0;
    let evictedPartialMatches = 0;
    for (const [name, r] of Object.entries(c.rules)) {
      if (r.droppedPartialMatches > 0) droppedPartialMatches[name] = r.droppedPartialMatches;
      conditionErrors += r.conditionErrors;
      evictedKeys += r.evictedKeys;
      evictedPartialMatches += r.evictedPartialMatches;
    }
    return {
      events: c.events,
      badRecords: c.badRecords,
      lateEvents: c.lateEvents,
      alerts: c.alerts,
      alertsByRule: alertsByRule(c),
      droppedPartialMatches,
      evictedKeys,
      evictedPartialMatches,
      conditionErrors,
      misaligned: c.misaligned,
      elapsedMs,
      eventsPerSecond: (c.events * 1000) / elapsedMs,
      interrupted: !this.inputEnded && this.failure === null,
      ...this.clockJump(),
    };
  }

  /** The first suspicious watermark jump that late events followed (before the next jump), if any. */
  private clockJump(): { clockJump?: Summary['clockJump'] } {
    for (let i = 0; i < this.jumps.length; i++) {
      const { position, byMs, lateBefore } = this.jumps[i];
      const lateAfter = (i + 1 < this.jumps.length ? this.jumps[i + 1].lateBefore : this.lateEvents) - lateBefore;
      if (lateAfter > 0) return { clockJump: { position, byMs, lateAfter } };
    }
    return {};
  }
}

/** Alerts per rule name (matches and timeouts), every rule of the run present: the summary's and the sinks' `alertsByRule`. */
function alertsByRule(c: RunCounters): Record<string, number> {
  const byRule: Record<string, number> = byName();
  for (const [name, r] of Object.entries(c.rules)) byRule[name] = r.alerts.match + r.alerts.timeout;
  return byRule;
}

/**
 * A value read from an event as a bad record's reason quotes it: JSON, but a number as JavaScript
 * writes it (`Infinity` for `1e400`, which JSON would write `null`), cut to 40 characters: the
 * reason is printed on stderr and written beside the (already cut) raw text to the dead-letter file,
 * and a 15 MB time text made each a line of 15 MB.
 */
function quoted(value: unknown): string {
  return shorten(typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value)));
}

/**
 * An empty table by rule or input name, without a prototype: a rule may be named `__proto__` (an
 * identifier like any other), which on a plain object set the table's prototype instead of a
 * member, so that rule's alerts were missing from the summary, the sinks' counters and `/metrics`.
 */
function byName<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
