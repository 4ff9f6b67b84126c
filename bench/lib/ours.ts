/**
 * Runs one workload on our engine, in its own Node process (so that peak RSS belongs to this
 * run only), and prints one `RESULT {json}` line with the same figures and the same definitions
 * as the Java peers (bench/peers/common `Measure`):
 * - throughput: events over the wall time from the first record read to the sink's close (after
 *   the final watermark released every deadline);
 * - latency of each alert: the instant it reaches the sink minus the instant the watermark first
 *   reached the match's end (the time of its last event, or the deadline of an absence);
 * - CPU time of the whole process (`process.cpuUsage()`, every thread) over the same span;
 * - peak RSS (`process.resourceUsage().maxRSS`) and peak V8 heap used (sampled every 10 ms and
 *   every 10,000 records);
 * - the number of alerts.
 *
 * Usage: `node --import tsx bench/lib/ours.ts '<json OursJob>'`. Exits 1 with a message on
 * stderr if the rules do not load or the run fails.
 */
import { getHeapStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';
import type { Alert } from '../../src/alerts/alert.js';
import type { AlertSink } from '../../src/alerts/sink.js';
import { runEngine } from '../../src/runtime/engine.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import type { Source, SourceRecord } from '../../src/runtime/source.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { toEventTime } from '../../src/runtime/time.js';
import { WatermarkLog, percentile, type RunResult } from './measure.js';

/** What the parent process asks for. */
export interface OursJob {
  readonly ruleFiles: readonly string[];
  readonly input: string;
  /** Allowed out-of-orderness, ms. */
  readonly maxDelay: number;
  /** Workload id, echoed in the result. */
  readonly workload: string;
}

/** Peak V8 heap used so far, bytes. */
let peakHeap = 0;
function sampleHeap(): void {
  const used = getHeapStatistics().used_heap_size;
  if (used > peakHeap) peakHeap = used;
}

/**
 * Wraps the NDJSON source: before handing a record to the engine it computes the watermark the
 * engine will compute (max seen − maxDelay − 1, DSL.md section 5) and logs when it advanced.
 */
class MeteredSource implements Source {
  readonly inputs: readonly string[];
  started = 0;
  /** `process.cpuUsage()` when the first record was about to be read. */
  startedCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  constructor(
    private readonly inner: NdjsonSource,
    private readonly log: WatermarkLog,
    private readonly maxDelay: number,
  ) {
    this.inputs = inner.inputs;
  }

  async *records(): AsyncGenerator<SourceRecord> {
    this.started = performance.now();
    this.startedCpu = process.cpuUsage();
    let maxSeen = -Infinity;
    let count = 0;
    for await (const record of this.inner.records()) {
      if (record.kind === 'event') {
        const time = toEventTime(record.value.ts);
        if (time > maxSeen) {
          maxSeen = time;
          this.log.advance(maxSeen - this.maxDelay - 1, performance.now());
        }
        if (++count % 10_000 === 0) sampleHeap();
      }
      yield record;
    }
    this.log.advance(Infinity, performance.now());
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Counts alerts and their latencies; its close marks the end of the run. */
class MeasuringSink implements AlertSink {
  readonly latencies: number[] = [];
  closedAt = 0;
  /** `process.cpuUsage()` when the sink closed. */
  closedCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  /** The last `end` text and its time: alerts come in time order and often share their end, and
   * parsing the text back is work the Java peers, which read the end as a long, do not do. */
  private lastEnd = '';
  private lastEndMs = NaN;
  constructor(private readonly log: WatermarkLog) {}

  write(alert: Alert): void {
    const now = performance.now();
    if (alert.end !== this.lastEnd) {
      this.lastEnd = alert.end;
      this.lastEndMs = Date.parse(alert.end);
    }
    this.latencies.push(now - this.log.reachedAt(this.lastEndMs, now));
  }

  close(): Promise<void> {
    this.closedAt = performance.now();
    this.closedCpu = process.cpuUsage();
    return Promise.resolve();
  }
}

async function main(job: OursJob): Promise<RunResult> {
  const rules = loadRules(job.ruleFiles);
  const log = new WatermarkLog();
  const source = new MeteredSource(new NdjsonSource(job.input), log, job.maxDelay);
  const sink = new MeasuringSink(log);
  const sampler = setInterval(sampleHeap, 10);
  const summary = await runEngine({ rules, sources: [source], sinks: [sink], maxDelay: job.maxDelay, log: () => undefined });
  clearInterval(sampler);
  sampleHeap();
  const seconds = (sink.closedAt - source.started) / 1000;
  const sorted = sink.latencies.sort((x, y) => x - y);
  return {
    engine: 'ours',
    version: process.version,
    workload: job.workload,
    events: summary.events,
    matches: summary.alerts,
    seconds,
    cpuSeconds: (sink.closedCpu.user + sink.closedCpu.system - source.startedCpu.user - source.startedCpu.system) / 1e6,
    eventsPerSecond: summary.events / seconds,
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP99Ms: percentile(sorted, 0.99),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb: peakHeap / 1048576,
  };
}

const job = JSON.parse(process.argv[2] ?? 'null') as OursJob | null;
if (job === null) {
  process.stderr.write("usage: node --import tsx bench/lib/ours.ts '<json job>'\n");
  process.exit(2);
}
try {
  const result = await main(job);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`ours: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
