/**
 * Event-time watermarks (DSL.md section 5): Flink's bounded-out-of-orderness strategy
 * (`WatermarkStrategy.forBoundedOutOfOrderness`) per input, combined as the minimum over inputs
 * the way a Flink operator with several input channels combines them (`StatusWatermarkValve`):
 * idle inputs are left out, finished inputs count as +∞.
 *
 * Per input: watermark = largest event time seen − maxDelay − 1 ms, or −∞ before its first event.
 */

interface InputClock {
  /** Largest event time seen on the input, ms (−∞ before the first). */
  maxTime: number;
  /** Processing time (wall clock, ms) of the input's last record; kept up to date only with `idleAfter` (nothing else reads it). */
  lastSeen: number;
  finished: boolean;
}

/** Options of {@link WatermarkTracker}, checked at construction. */
export interface WatermarkOptions {
  /** Allowed out-of-orderness, ms, ≥ 0. Default 0. */
  readonly maxDelay?: number;
  /** Inputs silent for this long (processing time, ms) are left out of the minimum. Default: never. */
  readonly idleAfter?: number;
  /** Wall clock, ms; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Tracks the watermark over named inputs. Never goes backwards: an input that comes back from
 * idleness with older events cannot lower it (its older events are late, as in Flink).
 */
export class WatermarkTracker {
  private readonly inputs = new Map<string, InputClock>();
  private readonly maxDelay: number;
  private readonly idleAfter: number;
  private readonly now: () => number;
  private current = -Infinity;

  constructor(inputs: readonly string[], options: WatermarkOptions = {}) {
    const { maxDelay = 0, idleAfter = Infinity, now = Date.now } = options;
    if (!(maxDelay >= 0) || !Number.isFinite(maxDelay)) throw new Error(`maxDelay must be a finite number of ms ≥ 0, got ${maxDelay}`);
    if (!(idleAfter > 0)) throw new Error(`idleAfter must be a number of ms > 0, got ${idleAfter}`);
    this.maxDelay = maxDelay;
    this.idleAfter = idleAfter;
    this.now = now;
    for (const input of inputs) this.addInput(input);
  }

  /** The current watermark, ms: −∞ before every active input has an event, +∞ once all finished. */
  get watermark(): number {
    return this.current;
  }

  /**
   * Registers an input (a Kafka partition assigned later). A finished input that is added again
   * (a partition assigned back after a rebalance) takes part again; its clock is kept.
   */
  addInput(input: string): void {
    const clock = this.inputs.get(input);
    if (clock === undefined) this.inputs.set(input, { maxTime: -Infinity, lastSeen: this.now(), finished: false });
    else if (clock.finished) {
      clock.finished = false;
      clock.lastSeen = this.now();
    }
  }

  /**
   * Notes an event of `time` (ms) on `input` (registered if new) and returns the new watermark.
   * Call it after the late check, which compares with the watermark before the event.
   */
  observe(input: string, time: number): number {
    let clock = this.inputs.get(input);
    if (clock === undefined) {
      this.addInput(input);
      clock = this.inputs.get(input)!;
    }
    if (this.idleAfter !== Infinity) clock.lastSeen = this.now();
    if (time > clock.maxTime) {
      clock.maxTime = time;
      return this.recompute();
    }
    return this.current;
  }

  /** Notes that `input` produced something (a bad record, a late event): it is not idle. */
  touch(input: string): void {
    const clock = this.inputs.get(input);
    if (clock !== undefined && this.idleAfter !== Infinity) clock.lastSeen = this.now();
  }

  /** Marks `input` as ended (its watermark becomes +∞) and returns the new watermark. */
  finish(input: string): number {
    const clock = this.inputs.get(input);
    if (clock === undefined) this.inputs.set(input, { maxTime: -Infinity, lastSeen: this.now(), finished: true });
    else clock.finished = true;
    return this.recompute();
  }

  /** Each input's largest event time (ms), for a checkpoint (finished inputs included). */
  clocks(): [input: string, maxTime: number][] {
    return [...this.inputs].map(([input, clock]) => [input, clock.maxTime]);
  }

  /** Restores an input's largest event time from a checkpoint (the input is registered if new). */
  restoreClock(input: string, maxTime: number): void {
    this.addInput(input);
    const clock = this.inputs.get(input)!;
    if (maxTime > clock.maxTime) clock.maxTime = maxTime;
    this.recompute();
  }

  /**
   * Recomputes the minimum over inputs (finished ones count as +∞), leaving out, when
   * `idleAfter` is set, those silent that long; returns the watermark (unchanged if the minimum would go back).
   * Call it periodically when idleness is enabled.
   */
  recompute(): number {
    let min = Infinity;
    let active = 0;
    const now = this.idleAfter === Infinity ? 0 : this.now();
    for (const clock of this.inputs.values()) {
      if (clock.finished) {
        active++; // a finished input stands at +∞ (Flink: MAX_WATERMARK at end of input)
        continue;
      }
      if (now - clock.lastSeen >= this.idleAfter) continue;
      active++;
      const w = clock.maxTime - this.maxDelay - 1;
      if (w < min) min = w;
    }
    // Every input idle: hold the watermark, as Flink does when all channels are idle.
    if (active === 0 && this.inputs.size > 0) return this.current;
    if (min > this.current) this.current = min;
    return this.current;
  }
}
