/**
 * The run supervisor (DSL.md sections 1, 5, 6): reads records from every source, extracts type
 * and event time, hands each event to the event-time operator of its partition
 * (`cep-operator.ts`: watermark, reorder buffer, keyed NFA state, timers), and writes one alert per
 * match to every sink. Around the operators it owns what is not event-time state: backpressure,
 * pacing (`--speed`), bad records and late events, progress, counters and the summary.
 *
 * The loop, step by step:
 *  1. Read a record from a source. A bad record (not JSON, no or bad event time) is counted,
 *     reported (rate-limited) and written to the dead-letter output; it is never fatal.
 *  2. Extract the event type (`--type-field`, or the source's own) and event time (`--time-field`,
 *     or the record timestamp for `@timestamp`) with precompiled field getters.
 *  3. Hand the event to its partition's operator: file replay has one operator over all inputs;
 *     a partitioned source (Kafka) starts and ends tasks in its record stream, one operator each.
 *     A late event is counted and written to the late output, not matched.
 *  4. Each match becomes an alert (`toAlert`) written to every sink; the event's `done()` is
 *     called once its alerts' writes settled. While too many writes are pending, reading pauses
 *     (backpressure). A transactional source (exactly-once) also gets each task's alerts, with
 *     its changed state, when it commits the task (`onCheckpoint`).
 *  5. At the end of every finite input the watermark becomes +∞ and every pending deadline fires;
 *     then sinks get the final counters and are closed (or, with `linger`, after the abort signal).
 */
import type { Writable } from 'node:stream';
import { toAlert, type Alert } from '../alerts/alert.js';
import type { AlertSink, EngineStats } from '../alerts/sink.js';
import type { Match, Nfa } from '../nfa/nfa.js';
import { CepOperator, type BufferedEvent, type OperatorListener } from './cep-operator.js';
import { fieldGetter, splitPath, type FieldGetter } from './field-path.js';
import { keyExtractor, mapKeyOf } from './keyed-state.js';
import type { Source, SourceBadRecord, SourceControl, SourceEvent, SourceRecord, SourceTaskStart, TaskCheckpoint } from './source.js';
import { toEventTime } from './time.js';

/** What the engine needs to run. Checked once by {@link runEngine}; defaults next to each. */
export interface EngineOptions {
  /** Compiled rules; each is keyed on its own `key by`. At least one. */
  readonly rules: readonly Nfa[];
  /** Event sources; at least one. Closed by the engine. */
  readonly sources: readonly Source[];
  /** Alert sinks, each receiving every alert in order. Closed by the engine. */
  readonly sinks: readonly AlertSink[];
  /** Event time field path (dots), or `@timestamp` for the source's record timestamp. Default `ts`. */
  readonly timeField?: string;
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
  /** Most keys holding state per rule (LRU). Default 1,000,000. */
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

/** A watermark jump above this (ms) is remembered, to name it when late events follow. */
const SUSPICIOUS_JUMP_MS = 24 * 3600_000;

/** A source that can say how far it has read (the file sources). */
interface MeteredSource {
  bytesRead(): number;
  readonly size: number | undefined;
}

/** A source that can hand over records a chunk at a time (the file sources): fewer async steps per record. */
interface BatchedSource extends Source {
  batches(): AsyncIterable<(SourceRecord | SourceControl)[]>;
}

/** The records of `source` in arrays: its own batches when it has them, else one record per array. */
async function* batchesOf(source: Source): AsyncGenerator<(SourceRecord | SourceControl)[]> {
  const batched = source as Partial<BatchedSource>;
  if (typeof batched.batches === 'function') {
    yield* batched.batches();
    return;
  }
  for await (const record of source.records()) yield [record];
}

/** Pending sink writes above which reading pauses. */
const MAX_PENDING_WRITES = 1024;
const TICK_MS = 1000;

/**
 * Runs the rules over the sources until every source ends (or `signal` aborts), writing alerts
 * to the sinks, and resolves with the run's {@link Summary}.
 * @throws Error on bad options (before anything is read); rejects with a source's or sink's
 * error (after closing everything) when reading or writing fails.
 */
export async function runEngine(options: EngineOptions): Promise<Summary> {
  return new Engine(options).run();
}

/** An operator with what the engine keeps beside it: the alerts a transactional source has yet to commit. */
interface Task {
  readonly operator: CepOperator;
  /** Alerts since the task's last checkpoint (`null`: the source does not commit alerts itself). */
  alerts: Alert[] | null;
}

/** Keys evicted at `--max-keys` while holding partial matches, the partial matches lost, and the first rule with one (`null`: none). */
interface Evictions {
  keys: number;
  partialMatches: number;
  rule: string | null;
}

/** The evictions counted by the rules of `operators`. */
function evictionsOf(operators: readonly CepOperator[]): Evictions {
  const sum: Evictions = { keys: 0, partialMatches: 0, rule: null };
  for (const operator of operators) {
    for (const state of operator.rules) {
      sum.keys += state.evictedWithPending;
      sum.partialMatches += state.evictedPartialMatches;
      if (state.evictedWithPending > 0) sum.rule ??= state.nfa.rule.name;
    }
  }
  return sum;
}

/** The task of records from unpartitioned sources (files, stdin): one operator over all their inputs. */
const DEFAULT_TASK = '';

class Engine {
  private readonly nfas: readonly Nfa[];
  /** Operators by task; `DEFAULT_TASK` holds the inputs of unpartitioned sources. */
  private readonly tasks = new Map<string, Task>();
  /**
   * The `--max-keys` evictions of operators dropped while the run went on (tasks revoked), for the
   * summary: their state goes with them, their counts stay. `rule`: the first rule with one.
   */
  private readonly retired: Evictions = { keys: 0, partialMatches: 0, rule: null };
  private readonly getTime: FieldGetter | null;
  private readonly getType: FieldGetter;
  private readonly log: (line: string) => void;
  private readonly maxBadReports: number;
  private readonly alertsByRule: Record<string, number> = {};
  private readonly warnedDrops = new Set<string>();
  /** Each rule's key of an event, for the key-alignment check of records that have a key. */
  private readonly keysOf: readonly ((data: Readonly<Record<string, unknown>>) => unknown)[];
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
  private pendingWrites = 0;
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
    const names = new Set<string>();
    for (const nfa of rules) {
      if (names.has(nfa.rule.name)) throw new Error(`two rules are named '${nfa.rule.name}': rule names must be unique over all rule files`);
      names.add(nfa.rule.name);
      this.alertsByRule[nfa.rule.name] = 0;
    }
    this.nfas = rules;
    this.keysOf = rules.map((nfa) => keyExtractor(nfa.rule.keyBy.map(fieldGetter)));
    this.getTime = timeField === '@timestamp' ? null : fieldGetter(splitPath(timeField));
    this.getType = fieldGetter(splitPath(typeField));
    // Partitioned sources (Kafka) announce no inputs up front: they start tasks of their own.
    this.tasks.set(DEFAULT_TASK, this.newTask(sources.flatMap((s) => s.inputs), false));
    for (const source of sources) source.onCheckpoint?.((task) => this.checkpoint(task));
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.maxBadReports = options.maxBadReports ?? 10;
  }

  private newTask(inputs: readonly string[], transactional: boolean): Task {
    const { maxDelay = 0, idle, maxKeys = 1_000_000 } = this.options;
    const listener: OperatorListener = {
      match: (nfa, key, match) => this.emit(task, nfa, key, match),
      fed: (event) => this.fed(event),
    };
    const task: Task = { operator: new CepOperator(this.nfas, inputs, { maxDelay, idle, maxKeys, checkpoints: transactional }, listener), alerts: transactional ? [] : null };
    return task;
  }

  async run(): Promise<Summary> {
    const { sources, signal } = this.options;
    const onAbort = (): void => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.stop();
    const ticker = setInterval(() => this.tick(), this.options.idle === undefined ? TICK_MS : Math.min(TICK_MS, Math.max(10, this.options.idle / 2)));
    try {
      await Promise.all(sources.map((source) => this.consume(source)));
      // Step 5: every finite input ended, so the watermark is +∞ and every deadline fires.
      if (!this.stopped) {
        this.inputEnded = true;
        for (const task of this.tasks.values()) task.operator.end();
      }
      await this.settleWrites();
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

  /** Stops reading: sources are closed, buffered events are not released (they were never `done`). */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const source of this.options.sources) source.close().catch(() => undefined);
    this.writeWaiter?.();
  }

  private async consume(source: Source): Promise<void> {
    const inputs = new Set(source.inputs);
    try {
      for await (const batch of batchesOf(source)) {
        // A record handed out is always handled, even when the run stops meanwhile: a
        // transactional source counts it as consumed once handed out.
        for (let i = 0; i < batch.length; i++) {
          const record = batch[i];
          if (record.kind === 'task-start') this.startTask(record);
          else if (record.kind === 'task-end') this.endTask(record.task);
          else {
            if (record.task === undefined) inputs.add(record.input);
            this.handle(record);
          }
          if (this.stopped) break;
          if (this.paceStart !== null && this.options.speed !== undefined) await this.pace();
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
    const operator = this.tasks.get(DEFAULT_TASK)!.operator;
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
    const evicted = evictionsOf([task.operator]);
    this.retired.keys += evicted.keys;
    this.retired.partialMatches += evicted.partialMatches;
    this.retired.rule ??= evicted.rule;
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
    const task = this.tasks.get(record.task ?? DEFAULT_TASK);
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
    if (Number.isNaN(time)) {
      operator.touch(record.input);
      const field = this.options.timeField ?? 'ts';
      const found = this.getTime === null ? record.timestamp : this.getTime(value);
      const reason = found === undefined || found === null ? `no event time (field ${field})` : `event time ${JSON.stringify(found)} is neither epoch ms nor ISO-8601`;
      this.setAside({ kind: 'bad', input: record.input, position: record.position, raw: JSON.stringify(value), reason, done: record.done });
      return;
    }
    const maxFuture = this.options.maxFuture;
    if (maxFuture !== undefined) {
      const reference = record.task !== undefined ? Date.now() : this.maxTime;
      if (reference > -Infinity && time > reference + maxFuture) {
        operator.touch(record.input);
        const seen = record.task !== undefined ? 'the wall clock' : 'the largest event time seen so far';
        this.setAside({ kind: 'bad', input: record.input, position: record.position, raw: JSON.stringify(value), reason: `time too far ahead: ${new Date(time).toISOString()} is more than --max-future after ${seen}`, done: record.done });
        return;
      }
    }
    this.events++;
    const typeValue = record.type ?? this.getType(value);
    const type = typeof typeValue === 'string' ? typeValue : typeValue === undefined || typeValue === null ? '' : String(typeValue);
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

  /** Counts (and reports the first of) events whose key under a rule that reads them is not their record key. */
  private checkAlignment(record: SourceEvent, type: string): void {
    for (let i = 0; i < this.nfas.length; i++) {
      const relevant = this.nfas[i].relevantTypes;
      if (relevant !== null && !relevant.has(type)) continue;
      const key = this.keysOf[i](record.value);
      if (key === undefined) continue;
      const text = typeof key === 'string' ? key : typeof key === 'object' ? mapKeyOf(key) : String(key);
      if (text === record.recordKey) continue;
      if (this.misaligned++ === 0) {
        this.log(`cep: warning: the event at ${record.position} has key ${JSON.stringify(text)} under rule ${this.nfas[i].rule.name} but record key ${JSON.stringify(record.recordKey)}: state is kept per partition, so producers must key records by the rules' key`);
      }
      return;
    }
  }

  private timeOf(record: SourceEvent): number {
    if (this.getTime === null) return record.timestamp === undefined ? NaN : toEventTime(record.timestamp);
    const raw = this.getTime(record.value);
    // Consecutive events often carry the same time text: parse it once.
    if (raw === this.lastTimeText && typeof raw === 'string') return this.lastTime;
    const time = toEventTime(raw);
    if (typeof raw === 'string') {
      this.lastTimeText = raw;
      this.lastTime = time;
    }
    return time;
  }

  /** An event was fed to every rule: its `done` waits for the writes of the alerts it caused. */
  private fed(event: BufferedEvent): void {
    const done = event.done;
    if (this.writes.length === 0) {
      done?.();
      return;
    }
    const writes = this.writes;
    this.writes = [];
    if (done !== undefined) void Promise.allSettled(writes).then(() => done());
  }

  /** Step 4: one alert per match, to every sink (and to the task's checkpoint when its source commits alerts). */
  private emit(task: Task, nfa: Nfa, key: unknown, match: Match): void {
    const alert = toAlert(nfa.rule, key, match);
    this.alerts++;
    this.alertsByRule[nfa.rule.name]++;
    task.alerts?.push(alert);
    for (const sink of this.options.sinks) {
      let result: void | Promise<void>;
      try {
        result = sink.write(alert);
      } catch (error) {
        this.fail(error);
        continue;
      }
      if (result !== undefined) {
        this.pendingWrites++;
        const settled = result.then(
          () => this.writeSettled(),
          (error: unknown) => {
            this.writeSettled();
            this.fail(error);
          },
        );
        this.writes.push(settled);
      }
    }
  }
  private writeSettled(): void {
    this.pendingWrites--;
    this.writeWaiter?.();
  }

  private async waitForWrites(atMost: number): Promise<void> {
    while (this.pendingWrites > atMost && !this.stopped) {
      await new Promise<void>((resolve) => (this.writeWaiter = resolve));
      this.writeWaiter = null;
    }
  }

  private async settleWrites(): Promise<void> {
    while (this.pendingWrites > 0 && this.failure === null) {
      await new Promise<void>((resolve) => (this.writeWaiter = resolve));
      this.writeWaiter = null;
    }
  }

  /** `--speed N`: waits until wall-clock time catches up with event time / N. */
  private async pace(): Promise<void> {
    const start = this.paceStart!;
    const due = start.wall + (this.maxTime - start.time) / this.options.speed!;
    const wait = due - Date.now();
    if (wait > 1 && Number.isFinite(wait)) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 60_000)));
  }

  private setAside(record: SourceBadRecord): void {
    this.badRecords++;
    if (this.badRecords <= this.maxBadReports) {
      this.log(`cep: bad record at ${record.position}: ${record.reason}`);
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
  }

  private report(): void {
    const stats = this.stats();
    for (const sink of this.options.sinks) {
      try {
        sink.stats?.(stats);
      } catch (error) {
        this.log(`cep: a sink failed to take the counters: ${(error as Error).message}`);
      }
    }
    this.warnOnce();
    if (this.options.onProgress !== undefined) {
      let bytesRead = 0;
      let totalBytes: number | undefined = 0;
      for (const source of this.options.sources) {
        const metered = source as Partial<MeteredSource>;
        if (typeof metered.bytesRead === 'function') bytesRead += metered.bytesRead();
        totalBytes = totalBytes === undefined || metered.size === undefined ? undefined : totalBytes + metered.size;
      }
      this.options.onProgress({ bytesRead, totalBytes, stats });
    }
  }

  private warnOnce(): void {
    for (const { rule, stats } of this.nfas) {
      if (stats.droppedPartialMatches > 0 && !this.warnedDrops.has(rule.name)) {
        this.warnedDrops.add(rule.name);
        this.log(`cep: warning: rule ${rule.name} dropped partial matches at a key's --max-partial-matches limit; alerts may be missing`);
      }
    }
    if (this.warnedEviction) return;
    const { rule } = this.evictions();
    if (rule !== null) {
      this.warnedEviction = true;
      this.log(`cep: warning: keys with partial matches were evicted at the --max-keys limit (rule ${rule}); alerts may be missing`);
    }
  }

  private stats(): EngineStats {
    let partialMatches = 0;
    let keys = 0;
    for (const task of this.tasks.values()) {
      for (const state of task.operator.rules) {
        partialMatches += state.partialMatches;
        keys += state.keys;
      }
    }
    const watermark = this.watermark();
    return {
      events: this.events,
      eventsPerSecond: this.eventsPerSecond,
      badRecords: this.badRecords,
      lateEvents: this.lateEvents,
      alerts: this.alerts,
      alertsByRule: { ...this.alertsByRule },
      watermark,
      watermarkLag: Number.isFinite(watermark) ? Date.now() - watermark : 0,
      partialMatches,
      keys,
    };
  }

  /** The `--max-keys` evictions over every operator, the dropped ones included. */
  private evictions(): Evictions {
    const live = evictionsOf([...this.tasks.values()].map((t) => t.operator));
    return { keys: live.keys + this.retired.keys, partialMatches: live.partialMatches + this.retired.partialMatches, rule: this.retired.rule ?? live.rule };
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
    const droppedPartialMatches: Record<string, number> = {};
    let conditionErrors = 0;
    for (const { stats, rule } of this.nfas) {
      if (stats.droppedPartialMatches > 0) droppedPartialMatches[rule.name] = stats.droppedPartialMatches;
      conditionErrors += stats.conditionErrors;
    }
    const evicted = this.evictions();
    return {
      events: this.events,
      badRecords: this.badRecords,
      lateEvents: this.lateEvents,
      alerts: this.alerts,
      alertsByRule: { ...this.alertsByRule },
      droppedPartialMatches,
      evictedKeys: evicted.keys,
      evictedPartialMatches: evicted.partialMatches,
      conditionErrors,
      misaligned: this.misaligned,
      elapsedMs,
      eventsPerSecond: (this.events * 1000) / elapsedMs,
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
