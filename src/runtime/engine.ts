/**
 * The event-time engine (DSL.md sections 1, 5, 6): reads records from every source, extracts
 * type and event time, assigns watermarks, holds events until the watermark passes them, feeds
 * them in event-time order to each rule's per-key NFA state, fires deadlines, and writes one alert
 * per match to every sink. Follows Flink's `CepOperator` (buffer per timestamp, process on
 * watermark, then advance time) with the differences listed in DSL.md section 8 (end of a finite
 * input: the watermark becomes +∞).
 *
 * The event-time loop, step by step:
 *  1. Read a record from a source. A bad record (not JSON, no or bad event time) is counted,
 *     reported (rate-limited) and written to the dead-letter output; it is never fatal.
 *  2. Extract the event type (`--type-field`, or the source's own) and event time (`--time-field`,
 *     or the record timestamp for `@timestamp`) with precompiled field getters.
 *  3. Late check: an event whose time is not after the current watermark is late: counted,
 *     written to the late output, not matched.
 *  4. Otherwise buffer it in the reorder buffer (ordered by time, ties in arrival order) and let
 *     its input's clock observe its time; the watermark is the minimum over inputs of
 *     (largest time − max delay − 1 ms), idle inputs left out, finished inputs +∞.
 *  5. When the watermark advances, release in time order everything at or before it: the
 *     earliest of the buffered events and the rules' key timers (a deadline first on a tie).
 *     - A released event goes to each rule whose relevant types include it, to the state of its
 *       key: the key's NFA clock is advanced to the event's time (timeouts, completed absences),
 *       then the event is processed.
 *     - A due timer advances its key's clock to the deadline; keys without a deadline are never
 *       touched.
 *  6. Each match becomes an alert (`toAlert`) written to every sink; the event's `done()` is
 *     called once its alerts' writes settled. While too many writes are pending, reading pauses
 *     (backpressure).
 *  7. At the end of every finite input the watermark becomes +∞ and every pending deadline fires;
 *     then sinks get the final counters and are closed (or, with `linger`, after the abort signal).
 */
import type { Writable } from 'node:stream';
import { toAlert } from '../alerts/alert.js';
import type { AlertSink, EngineStats } from '../alerts/sink.js';
import type { CepEvent } from '../nfa/event.js';
import type { Match, Nfa } from '../nfa/nfa.js';
import { fieldGetter, splitPath, type FieldGetter } from './field-path.js';
import { KeyedState } from './keyed-state.js';
import type { Source, SourceBadRecord, SourceEvent, SourceRecord } from './source.js';
import { TimeQueue } from './time-queue.js';
import { toEventTime } from './time.js';
import { WatermarkTracker } from './watermark.js';

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
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** True when the run was stopped by the abort signal before its input ended. */
  readonly interrupted: boolean;
}

/** A source that can say how far it has read (the file sources). */
interface MeteredSource {
  bytesRead(): number;
  readonly size: number | undefined;
}

/**
 * An event waiting in the reorder buffer. It is the `CepEvent` the NFA sees too (one object per
 * event on the hot path); `record` is let go once the event is fed.
 */
class Pending implements CepEvent {
  constructor(
    readonly type: string,
    readonly time: number,
    readonly data: Readonly<Record<string, unknown>>,
    readonly seq: number,
    public record: SourceEvent | null,
  ) {}
}

/** A source that can hand over records a chunk at a time (the file sources): fewer async steps per record. */
interface BatchedSource extends Source {
  batches(): AsyncIterable<SourceRecord[]>;
}

/** The records of `source` in arrays: its own batches when it has them, else one record per array. */
async function* batchesOf(source: Source): AsyncGenerator<SourceRecord[]> {
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

class Engine {
  private readonly rules: readonly KeyedState[];
  private readonly tracker: WatermarkTracker;
  /** The reorder buffer: events waiting for the watermark, by time, ties in arrival order. */
  private readonly buffer = new TimeQueue<Pending>();
  private readonly getTime: FieldGetter | null;
  private readonly getType: FieldGetter;
  private readonly log: (line: string) => void;
  private readonly maxBadReports: number;
  private readonly alertsByRule: Record<string, number> = {};
  private readonly warnedDrops = new Set<string>();
  private seq = 0;
  /** Highest watermark released so far, ms. */
  private released = -Infinity;
  /** Largest event time seen, ms. */
  private maxTime = -Infinity;
  private inputEnded = false;
  private events = 0;
  private badRecords = 0;
  private lateEvents = 0;
  private alerts = 0;
  private pendingWrites = 0;
  private writeWaiter: (() => void) | null = null;
  /** Write promises of the alerts caused by the event being fed (for its `done`). */
  private writesOfEvent: Promise<void>[] | null = null;
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
    const { rules, sources, sinks, maxDelay = 0, idle, maxKeys = 1_000_000, speed, timeField = 'ts', typeField = 'type' } = options;
    if (rules.length === 0) throw new Error('runEngine needs at least one rule');
    if (sources.length === 0) throw new Error('runEngine needs at least one source');
    if (sinks.length === 0) throw new Error('runEngine needs at least one sink');
    if (speed !== undefined && !(speed > 0 && Number.isFinite(speed))) throw new Error(`speed must be a number > 0, got ${speed}`);
    if (idle !== undefined && !(idle > 0)) throw new Error(`idle must be a duration > 0 ms, got ${idle}`);
    const names = new Set<string>();
    for (const nfa of rules) {
      if (names.has(nfa.rule.name)) throw new Error(`two rules are named '${nfa.rule.name}': rule names must be unique over all rule files`);
      names.add(nfa.rule.name);
      this.alertsByRule[nfa.rule.name] = 0;
    }
    this.getTime = timeField === '@timestamp' ? null : fieldGetter(splitPath(timeField));
    this.getType = fieldGetter(splitPath(typeField));
    this.tracker = new WatermarkTracker(sources.flatMap((s) => s.inputs), { maxDelay, idleAfter: idle });
    const onMatch = (nfa: Nfa, key: unknown, match: Match): void => this.emit(nfa, key, match);
    this.rules = rules.map((nfa) => new KeyedState(nfa, { maxKeys, onMatch }));
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.maxBadReports = options.maxBadReports ?? 10;
  }

  async run(): Promise<Summary> {
    const { sources, signal } = this.options;
    const onAbort = (): void => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.stop();
    const ticker = setInterval(() => this.tick(), this.options.idle === undefined ? TICK_MS : Math.min(TICK_MS, Math.max(10, this.options.idle / 2)));
    try {
      await Promise.all(sources.map((source) => this.consume(source)));
      // Step 7: every finite input ended, so the watermark is +∞ and every deadline fires.
      if (!this.stopped) {
        this.inputEnded = true;
        this.release(Infinity);
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
    // Live sources announce inputs (Kafka partitions) assigned or revoked after start.
    source.onInputsChanged?.(({ added, removed }) => {
      for (const input of added) {
        inputs.add(input);
        this.tracker.addInput(input);
      }
      let watermark = this.tracker.watermark;
      for (const input of removed) watermark = this.tracker.finish(input);
      if (!this.stopped && watermark > this.released) this.release(watermark);
    });
    try {
      for await (const batch of batchesOf(source)) {
        for (let i = 0; i < batch.length && !this.stopped; i++) {
          const record = batch[i];
          inputs.add(record.input);
          this.handle(record);
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
    let watermark = this.tracker.watermark;
    for (const input of inputs) watermark = this.tracker.finish(input);
    this.release(watermark);
  }

  /** Steps 1–4 for one record. */
  private handle(record: SourceRecord): void {
    if (record.kind === 'bad') {
      this.tracker.touch(record.input);
      this.setAside(record);
      return;
    }
    const value = record.value;
    const time = this.timeOf(record);
    if (Number.isNaN(time)) {
      this.tracker.touch(record.input);
      const field = this.options.timeField ?? 'ts';
      const found = this.getTime === null ? record.timestamp : this.getTime(value);
      const reason = found === undefined || found === null ? `no event time (field ${field})` : `event time ${JSON.stringify(found)} is neither epoch ms nor ISO-8601`;
      this.setAside({ kind: 'bad', input: record.input, position: record.position, raw: JSON.stringify(value), reason, done: record.done });
      return;
    }
    this.events++;
    if (time <= this.tracker.watermark) {
      this.tracker.touch(record.input);
      this.lateEvents++;
      this.options.lateOutput?.write(JSON.stringify(value) + '\n');
      record.done?.();
      return;
    }
    const typeValue = record.type ?? this.getType(value);
    const type = typeof typeValue === 'string' ? typeValue : typeValue === undefined || typeValue === null ? '' : String(typeValue);
    this.buffer.push(new Pending(type, time, value, this.seq++, record));
    if (this.options.speed !== undefined && this.paceStart === null) this.paceStart = { wall: Date.now(), time };
    if (time > this.maxTime) this.maxTime = time;
    const watermark = this.tracker.observe(record.input, time);
    if (watermark > this.released) this.release(watermark);
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

  /** Step 5: releases buffered events and due timers at or before `watermark`, in time order. */
  private release(watermark: number): void {
    if (watermark > this.released) this.released = watermark;
    const rules = this.rules;
    for (;;) {
      let timerRule: KeyedState | null = null;
      let timerTime = Infinity;
      for (let i = 0; i < rules.length; i++) {
        const t = rules[i].nextTimer();
        if (t < timerTime) {
          timerTime = t;
          timerRule = rules[i];
        }
      }
      const eventTime = this.buffer.peekTime();
      if (timerRule !== null && timerTime <= watermark && timerTime <= eventTime) {
        timerRule.fireNext(watermark);
      } else if (eventTime <= watermark && this.buffer.size > 0) {
        this.feed(this.buffer.pop());
      } else {
        return;
      }
    }
  }

  private feed(pending: Pending): void {
    const done = pending.record!.done;
    pending.record = null;
    if (done !== undefined) this.writesOfEvent = [];
    for (let i = 0; i < this.rules.length; i++) this.rules[i].feed(pending);
    if (done !== undefined) {
      const writes = this.writesOfEvent!;
      this.writesOfEvent = null;
      if (writes.length === 0) done();
      else void Promise.allSettled(writes).then(() => done());
    }
  }

  /** Step 6: one alert per match, to every sink. */
  private emit(nfa: Nfa, key: unknown, match: Match): void {
    const alert = toAlert(nfa.rule, key, match);
    this.alerts++;
    this.alertsByRule[nfa.rule.name]++;
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
        this.writesOfEvent?.push(settled);
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
    if (this.options.idle !== undefined && !this.stopped) this.release(this.tracker.recompute());
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
    for (const state of this.rules) {
      const { name } = state.nfa.rule;
      if (state.nfa.stats.droppedPartialMatches > 0 && !this.warnedDrops.has(name)) {
        this.warnedDrops.add(name);
        this.log(`cep: warning: rule ${name} dropped partial matches at a key's --max-partial-matches limit; alerts may be missing`);
      }
      if (state.evictedWithPending > 0 && !this.warnedEviction) {
        this.warnedEviction = true;
        this.log(`cep: warning: keys with partial matches were evicted at the --max-keys limit (rule ${name}); alerts may be missing`);
      }
    }
  }

  private stats(): EngineStats {
    let partialMatches = 0;
    let keys = 0;
    for (const state of this.rules) {
      partialMatches += state.partialMatches;
      keys += state.keys;
    }
    const watermark = this.tracker.watermark;
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
    let evictedKeys = 0;
    let evictedPartialMatches = 0;
    let conditionErrors = 0;
    for (const state of this.rules) {
      const { stats, rule } = state.nfa;
      if (stats.droppedPartialMatches > 0) droppedPartialMatches[rule.name] = stats.droppedPartialMatches;
      conditionErrors += stats.conditionErrors;
      evictedKeys += state.evictedWithPending;
      evictedPartialMatches += state.evictedPartialMatches;
    }
    return {
      events: this.events,
      badRecords: this.badRecords,
      lateEvents: this.lateEvents,
      alerts: this.alerts,
      alertsByRule: { ...this.alertsByRule },
      droppedPartialMatches,
      evictedKeys,
      evictedPartialMatches,
      conditionErrors,
      elapsedMs,
      eventsPerSecond: (this.events * 1000) / elapsedMs,
      interrupted: !this.inputEnded && this.failure === null,
    };
  }
}
