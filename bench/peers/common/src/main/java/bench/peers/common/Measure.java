package bench.peers.common;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a peer measures, the same way bench/lib/ours.ts does for our engine:
 * - the watermark log: each watermark (ms) with the wall-clock instant (System.nanoTime) at which
 *   it was established, so that an alert's latency is "alert leaves the sink" minus "the first
 *   watermark ≥ the match's end time was set" (the end of an absence is its deadline);
 * - matches and their latencies (ns);
 * - throughput: events over the wall time from the first read to the last alert after the final
 *   watermark;
 * - CPU time of the whole process (every thread: the engine's, the JIT's, the collector's) over
 *   the same span as the wall time (OperatingSystemMXBean.getProcessCpuTime);
 * - peak memory: heap used sampled every 10 ms (MemoryMXBean), and peak RSS (VmHWM).
 * One instance per JVM (static), since source, operators and sink of a parallelism-1 local job
 * share the JVM.
 */
public final class Measure {
  private static long[] wmValue = new long[1 << 16];
  private static long[] wmNanos = new long[1 << 16];
  private static int wmCount;
  private static long[] latencies = new long[1 << 16];
  private static int matches;
  private static volatile long peakHeap;
  private static long startNanos;
  private static long endNanos;
  private static long startCpuNanos;
  private static long endCpuNanos;
  private static long events;
  private static boolean finished;

  private Measure() {}

  /** Starts the clock: call when the first record is about to be read. */
  public static synchronized void start() {
    startNanos = System.nanoTime();
    startCpuNanos = processCpuNanos();
  }

  /** Starts the heap sampler (a daemon thread, every 10 ms). */
  public static void sampleHeap() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    Thread sampler = new Thread(() -> {
      while (true) {
        long used = mx.getHeapMemoryUsage().getUsed();
        if (used > peakHeap) peakHeap = used;
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Records that the watermark became `wm` (ms) now; watermarks must not decrease. */
  public static synchronized void watermark(long wm) {
    if (wmCount == wmValue.length) {
      wmValue = Arrays.copyOf(wmValue, wmCount * 2);
      wmNanos = Arrays.copyOf(wmNanos, wmCount * 2);
    }
    wmValue[wmCount] = wm;
    wmNanos[wmCount] = System.nanoTime();
    wmCount++;
  }

  /** Counts one event read. */
  public static void event() {
    events++;
  }

  /** Records one alert leaving the sink now, for a match ending at `end` (ms). */
  public static synchronized void match(long end) {
    long now = System.nanoTime();
    int lo = 0;
    int hi = wmCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (wmValue[mid] >= end) hi = mid; else lo = mid + 1;
    }
    long since = lo < wmCount ? wmNanos[lo] : now;
    if (matches == latencies.length) latencies = Arrays.copyOf(latencies, matches * 2);
    latencies[matches++] = now - since;
    endNanos = now;
  }

  /** Stops the clock (end of input processed, every alert out); later calls do nothing. */
  public static synchronized void finish() {
    if (finished) return;
    finished = true;
    endNanos = Math.max(endNanos, System.nanoTime());
    endCpuNanos = processCpuNanos();
  }

  /** CPU time of the whole process so far, ns (-1 where the JVM cannot tell). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Prints the result as one JSON line prefixed `RESULT ` on stdout. */
  public static synchronized void print(String engine, String version, String workload) {
    long[] l = Arrays.copyOf(latencies, matches);
    Arrays.sort(l);
    double seconds = (endNanos - startNanos) / 1e9;
    String json = String.format(Locale.ROOT,
        "{\"engine\":\"%s\",\"version\":\"%s\",\"workload\":\"%s\",\"events\":%d,\"matches\":%d,\"seconds\":%.4f,\"cpuSeconds\":%.4f,"
            + "\"eventsPerSecond\":%.1f,\"latencyP50Ms\":%s,\"latencyP99Ms\":%s,\"peakRssMb\":%.1f,\"peakHeapMb\":%.1f}",
        engine, version, workload, events, matches, seconds, (endCpuNanos - startCpuNanos) / 1e9, events / seconds,
        percentile(l, 0.50), percentile(l, 0.99), peakRssKb() / 1024.0, peakHeap / 1048576.0);
    System.out.println("RESULT " + json);
    System.out.flush();
  }

  private static String percentile(long[] sorted, double p) {
    if (sorted.length == 0) return "null";
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return String.format(Locale.ROOT, "%.3f", sorted[Math.max(0, i)] / 1e6);
  }

  private static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
