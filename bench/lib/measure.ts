/**
 * Shared measurement pieces of the peer benchmarks: the result record every engine prints
 * (ours from bench/lib/ours.ts, the Java peers from `bench.peers.common.Measure`, same fields and
 * same definitions), the watermark log that turns "the watermark reached the match's end" into a
 * wall-clock instant, and percentiles.
 */

/** One engine's figures on one workload, printed as `RESULT {json}` by each runner. */
export interface RunResult {
  /** `ours`, `flink` or `esper`. */
  readonly engine: string;
  /** Engine version (Node's version for ours). */
  readonly version: string;
  readonly workload: string;
  /** Events read. */
  readonly events: number;
  /** Alerts (matches, completed absences) that reached the sink. */
  readonly matches: number;
  /** Wall time from the first record read to the end of the run, s. */
  readonly seconds: number;
  /** CPU time of the whole process (all its threads) over the same span, s. */
  readonly cpuSeconds: number;
  readonly eventsPerSecond: number;
  /** Median / 99th percentile of watermark-to-sink latency, ms; null when there was no match. */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  /** Peak resident set size of the whole process, MiB. */
  readonly peakRssMb: number;
  /** Peak heap used (V8 heap, or JVM heap), MiB, sampled. */
  readonly peakHeapMb: number;
}

/**
 * Watermarks (ms, non-decreasing) with the instant (ms, `performance.now()`) each was reached.
 * `reachedAt(end)` answers when the watermark first became ≥ `end`, by binary search.
 */
export class WatermarkLog {
  private values = new Float64Array(1 << 16);
  private instants = new Float64Array(1 << 16);
  private size = 0;

  /** Records that the watermark became `watermark` at `instant`; lower or equal values are ignored. */
  advance(watermark: number, instant: number): void {
    if (this.size > 0 && watermark <= this.values[this.size - 1]) return;
    if (this.size === this.values.length) {
      const values = new Float64Array(this.size * 2);
      values.set(this.values);
      this.values = values;
      const instants = new Float64Array(this.size * 2);
      instants.set(this.instants);
      this.instants = instants;
    }
    this.values[this.size] = watermark;
    this.instants[this.size] = instant;
    this.size++;
  }

  /** The instant the watermark first reached `end` (ms), or `fallback` if it has not yet. */
  reachedAt(end: number, fallback: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid] >= end) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.size ? this.instants[lo] : fallback;
  }
}

/** The `p` quantile (0..1, nearest rank) of an ascending array, or null when it is empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank];
}
