/**
 * Seeded synthetic event streams for the peer benchmarks (bench/peers.bench.ts).
 *
 * A stream is a sequence of `{ type, ts, id, v }` events (ts in epoch ms, `id` the key, a string
 * such as `k42`, `v` a number in [0, 1)). Two kinds of events are mixed:
 * - planted instances: a fraction `matchFraction` of the events belong to sequences of the
 *   workload's types (for `a -> b`: an `a` then a `b` of the same key), spread over less than the
 *   workload's `within`, so that they match;
 * - noise: single events of a random type (the pattern's types included, so that partial matches
 *   start, wait and time out as they do in production) on a random key.
 *
 * Event time advances at `rate` events per second on average (the gaps are exponential, rounded
 * to whole ms, so several events may share a millisecond). Arrival order is event-time order
 * disturbed by a uniform delay in [0, maxDelay] ms: with a watermark of `max seen - maxDelay - 1`
 * (Flink's bounded out-of-orderness) no event is late, and every engine sees every event.
 *
 * The generator is deterministic for a given `seed` (mulberry32, Tommy Ettinger's 32-bit PRNG),
 * so every engine reads byte-identical input.
 */
import { prng as mulberry32 } from '../../test/support/prng.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Parameters of one synthetic stream. All times in ms. */
export interface StreamSpec {
  /** Number of events written. */
  readonly events: number;
  /** Number of distinct keys (`k0` .. `k{keys-1}`), uniformly drawn. */
  readonly keys: number;
  /** Mean event-time rate, events per second. */
  readonly rate: number;
  /** Largest arrival delay (out-of-orderness), ms; 0 writes the stream in event-time order. */
  readonly maxDelay: number;
  /** Fraction (0..1) of events that belong to planted matching sequences. */
  readonly matchFraction: number;
  /** The event types of one planted sequence, in order (e.g. `['a', 'a', 'a', 'b']`). */
  readonly sequence: readonly string[];
  /** A planted sequence spans less than this (its events are spread uniformly inside), ms. */
  readonly span: number;
  /** Types of noise events, drawn uniformly. */
  readonly noiseTypes: readonly string[];
  readonly seed: number;
  /**
   * The input of n disjoint rules on one stream: when set, every type `T` of `sequence` and
   * `noiseTypes` comes in n copies `r<i>T` (i < n), and each planted sequence and each noise event
   * draws its copy i uniformly. Absent: the types as written.
   */
  readonly copies?: number;
}

/** One generated event; written to NDJSON with `key` under the field name `id`. */
export interface SyntheticEvent {
  readonly type: string;
  readonly ts: number;
  readonly key: string;
  readonly v: number;
}

/** Epoch ms of the first event: 2024-01-01T00:00:00Z. */
const EPOCH = Date.UTC(2024, 0, 1);

/** mulberry32: the seeded PRNG the tests use too (test/support/prng.ts); floats in [0, 1). */
export { mulberry32 };

/**
 * Checks a spec once; throws `RangeError` naming the bad field.
 */
export function checkSpec(spec: StreamSpec): void {
  const positive: (keyof StreamSpec)[] = ['events', 'keys', 'rate', 'span'];
  for (const field of positive) {
    const value = spec[field];
    if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`StreamSpec.${field} must be > 0, got ${String(value)}`);
  }
  if (!(spec.maxDelay >= 0)) throw new RangeError(`StreamSpec.maxDelay must be >= 0, got ${spec.maxDelay}`);
  if (!(spec.matchFraction >= 0 && spec.matchFraction <= 1)) throw new RangeError(`StreamSpec.matchFraction must be in [0, 1], got ${spec.matchFraction}`);
  if (spec.sequence.length === 0) throw new RangeError('StreamSpec.sequence must name at least one type');
  if (spec.noiseTypes.length === 0) throw new RangeError('StreamSpec.noiseTypes must name at least one type');
  if (spec.copies !== undefined && !(Number.isInteger(spec.copies) && spec.copies > 0)) throw new RangeError(`StreamSpec.copies must be a whole number > 0, got ${spec.copies}`);
}

/**
 * Generates the stream in event-time order (ties in generation order). Planted follow-up events
 * wait in a small min-heap on their time until the clock reaches them.
 */
export function* eventTimeOrder(spec: StreamSpec): Generator<SyntheticEvent> {
  checkSpec(spec);
  const random = mulberry32(spec.seed);
  const meanGap = 1000 / spec.rate;
  const pending = new MinHeap<SyntheticEvent>((x, y) => x.ts - y.ts);
  // A planted sequence of n events accounts for n events: start one with probability f / n.
  const startProbability = spec.matchFraction / spec.sequence.length;
  let clock = EPOCH;
  let written = 0;
  while (written < spec.events) {
    clock += -Math.log(1 - random()) * meanGap;
    const now = Math.floor(clock);
    while (written < spec.events && pending.size > 0 && pending.peek().ts <= now) {
      yield pending.pop();
      written++;
    }
    if (written >= spec.events) break;
    const key = `k${Math.floor(random() * spec.keys)}`;
    const copy = spec.copies === undefined ? '' : `r${Math.floor(random() * spec.copies)}`;
    if (random() < startProbability) {
      const offsets = spec.sequence.slice(1).map(() => Math.floor(random() * (spec.span - 1)) + 1).sort((x, y) => x - y);
      offsets.forEach((offset, i) => pending.push({ type: copy + spec.sequence[i + 1], ts: now + offset, key, v: random() }));
      yield { type: copy + spec.sequence[0], ts: now, key, v: random() };
    } else {
      yield { type: copy + spec.noiseTypes[Math.floor(random() * spec.noiseTypes.length)], ts: now, key, v: random() };
    }
    written++;
  }
}

/**
 * Generates the stream in arrival order: each event is delayed by a uniform [0, maxDelay] ms and
 * events are released by arrival time, which keeps every event within `maxDelay` of the largest
 * time seen before it (so none is late for a `maxDelay` watermark).
 */
export function* arrivalOrder(spec: StreamSpec): Generator<SyntheticEvent> {
  if (spec.maxDelay === 0) {
    yield* eventTimeOrder(spec);
    return;
  }
  const random = mulberry32(spec.seed ^ 0x9e3779b9);
  const inFlight = new MinHeap<{ arrival: number; seq: number; event: SyntheticEvent }>((x, y) => x.arrival - y.arrival || x.seq - y.seq);
  let seq = 0;
  for (const event of eventTimeOrder(spec)) {
    while (inFlight.size > 0 && inFlight.peek().arrival <= event.ts) yield inFlight.pop().event;
    inFlight.push({ arrival: event.ts + Math.floor(random() * (spec.maxDelay + 1)), seq: seq++, event });
  }
  while (inFlight.size > 0) yield inFlight.pop().event;
}

/** Version of the NDJSON layout, part of the cache key of generated files. */
export const FORMAT_VERSION = 2;

/**
 * The pending-keys stream, in event-time order, one event per ms from {@link EPOCH}: an `a` for each
 * of `keys` keys (`k0` .. `k{keys-1}`, in order), then for every tenth key (`k0`, `k10`, ...) a `b`
 * and another `a`. Under `a -> b within W` with `W` > 1.2 × `keys` ms, every tenth key completes
 * one match and every key holds exactly one partial match at the end of the input: `keys` pending
 * keys and `ceil(keys / 10)` matches. Throws `RangeError` unless `keys` is a whole number > 0.
 */
export function* pendingKeys(keys: number): Generator<SyntheticEvent> {
  if (!(Number.isInteger(keys) && keys > 0)) throw new RangeError(`pending keys must be a whole number > 0, got ${keys}`);
  let ts = EPOCH;
  for (let i = 0; i < keys; i++) yield { type: 'a', ts: ts++, key: `k${i}`, v: (i % 1000) / 1000 };
  for (let i = 0; i < keys; i += 10) {
    yield { type: 'b', ts: ts++, key: `k${i}`, v: 0.5 };
    yield { type: 'a', ts: ts++, key: `k${i}`, v: 0.5 };
  }
}

/** Writes the stream (arrival order) as NDJSON to `path`; resolves with the number of events. */
export function writeStream(spec: StreamSpec, path: string): Promise<number> {
  return writeEvents(arrivalOrder(spec), path);
}

/** Writes events as NDJSON lines `{ type, ts, id, v }` to `path`; resolves with the number of events. */
export async function writeEvents(events: Iterable<SyntheticEvent>, path: string): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  let chunk = '';
  for (const event of events) {
    chunk += `{"type":"${event.type}","ts":${event.ts},"id":"${event.key}","v":${event.v.toFixed(4)}}\n`;
    count++;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return count;
}

/** A binary min-heap on a comparator; enough for the generator's pending events. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (x: T, y: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T {
    return this.items[0];
  }
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): T {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.compare(items[l], items[m]) < 0) m = l;
        if (r < items.length && this.compare(items[r], items[m]) < 0) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}
