package bench.peers;

import bench.peers.common.Ev;
import bench.peers.common.EventReader;
import bench.peers.common.Measure;
import bench.peers.common.Options;
import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import java.nio.file.Path;
import java.util.PriorityQueue;

/**
 * The Esper peer: runs one workload of bench/peers.bench.ts on an Esper runtime whose clock is
 * external and driven by event time, and prints one `RESULT {json}` line (see {@link Measure}).
 *
 * Esper has no watermarks, so the peer does what our engine's runtime and Flink's CEP operator do:
 * it holds events in a buffer ordered by (time, arrival), computes the bounded out-of-orderness
 * watermark (max seen − maxDelay − 1), and when the watermark passes events it advances the clock
 * to each event's time before sending it, then advances the clock to the watermark (so deadlines
 * fire when the watermark reaches them, as in Flink). At end of input the clock goes past every
 * deadline. The statements are in {@link EsperStatements}.
 */
public final class EsperPeer {
  private EsperPeer() {}

  /** How far past the last event the clock goes at end of input: beyond every window used (7 days). */
  private static final long FINAL_ADVANCE_MS = 8L * 24 * 3600 * 1000;

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    java.util.List<EsperStatements.Statement> statements;
    try {
      statements = EsperStatements.of(options.workload, options.within, options.skip, options.copies);
    } catch (UnsupportedOperationException e) {
      System.out.println("NA " + e.getMessage());
      System.exit(0);
      return;
    }
    Configuration config = new Configuration();
    config.getCommon().addEventType("Ev", Ev.class);
    config.getRuntime().getThreading().setInternalTimerEnabled(false);
    EPRuntime runtime = EPRuntimeProvider.getRuntime("bench-" + options.workload, config);
    EPEventService events = runtime.getEventService();
    events.advanceTime(0);
    for (EsperStatements.Statement statement : statements) {
      EPCompiled compiled = EPCompilerProvider.getCompiler().compile(statement.epl(), new CompilerArguments(config));
      for (EPStatement s : runtime.getDeploymentService().deploy(compiled).getStatements()) {
        s.addListener((newEvents, oldEvents, st, rt) -> {
          if (newEvents == null) return;
          for (EventBean e : newEvents) Measure.match(statement.end(e));
        });
      }
    }
    Measure.sampleHeap();
    Measure.start();
    PriorityQueue<Ev> held = new PriorityQueue<>((x, y) -> x.ts != y.ts ? Long.compare(x.ts, y.ts) : Long.compare(x.seq, y.seq));
    long maxSeen = Long.MIN_VALUE;
    long watermark = Long.MIN_VALUE;
    long clock = 0;
    try (EventReader reader = new EventReader(Path.of(options.input), options.keyField, options.attrs)) {
      Ev e;
      while ((e = reader.next()) != null) {
        if (e.ts <= watermark) continue; // late: not matched, as in our engine (none in generated data)
        held.add(e);
        maxSeen = Math.max(maxSeen, e.ts);
        long next = maxSeen - options.maxDelay - 1;
        if (next <= watermark) continue;
        watermark = next;
        Measure.watermark(watermark);
        while (!held.isEmpty() && held.peek().ts <= watermark) {
          Ev r = held.poll();
          if (r.ts > clock) events.advanceTimeSpan(clock = r.ts);
          events.sendEventBean(r, "Ev");
        }
        if (watermark > clock) events.advanceTimeSpan(clock = watermark);
      }
    }
    Measure.watermark(Long.MAX_VALUE);
    while (!held.isEmpty()) {
      Ev r = held.poll();
      if (r.ts > clock) events.advanceTimeSpan(clock = r.ts);
      events.sendEventBean(r, "Ev");
    }
    // End of a finite input: the watermark becomes +∞, every pending deadline fires.
    events.advanceTimeSpan(clock + FINAL_ADVANCE_MS);
    Measure.finish();
    Measure.print("esper", esperVersion(), options.workload);
    runtime.destroy();
    System.exit(0);
  }

  /** The esper-runtime version, read from its jar's name on the class path (Esper has no version constant). */
  static String esperVersion() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("esper-runtime-([^/:]+)\\.jar").matcher(System.getProperty("java.class.path"));
    return m.find() ? m.group(1) : "unknown";
  }
}
