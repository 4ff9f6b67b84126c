package bench.peers;

import bench.peers.common.Ev;
import bench.peers.common.EventReader;
import bench.peers.common.Measure;
import bench.peers.common.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.util.Collector;

/**
 * The Flink CEP peer: runs one workload of bench/peers.bench.ts on a local environment with
 * parallelism 1, in event time, and prints one `RESULT {json}` line (see {@link Measure}).
 *
 * The source reads the NDJSON file and emits each event with its timestamp, followed by Flink's
 * bounded out-of-orderness watermark (max seen − maxDelay − 1) whenever it advances, so that the
 * CEP operator sees exactly the watermarks our engine computes. The patterns are in
 * {@link FlinkPatterns}. Usage: see {@link Options}.
 */
public final class FlinkPeer {
  private FlinkPeer() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    List<FlinkPatterns.FlinkRule> rules = FlinkPatterns.of(options.workload, options.within, skip(options.skip), options.copies);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.getConfig().setAutoWatermarkInterval(0);
    Measure.sampleHeap();
    DataStream<Ev> events = env.addSource(new FileSource(options)).name("ndjson");
    KeyedStream<Ev, String> keyed = events.keyBy(e -> e.key);
    DataStream<Long> matches = null;
    for (FlinkPatterns.FlinkRule rule : rules) {
      DataStream<Long> ends = CEP.pattern(keyed, rule.pattern()).inEventTime().process(new MatchEnd(rule.absenceWithin()));
      matches = matches == null ? ends : matches.union(ends);
    }
    matches.addSink(new MatchSink()).name("matches");
    env.execute("cep-bench-" + options.workload);
    Measure.finish(); // no-op when the sink's finish() already stopped the clock
    Measure.print("flink", org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), options.workload);
    System.exit(0);
  }

  static AfterMatchSkipStrategy skip(String name) {
    return name.equals("noSkip") ? AfterMatchSkipStrategy.noSkip() : AfterMatchSkipStrategy.skipPastLastEvent();
  }

  /** Reads the file inside the timed run and emits events, then bounded out-of-orderness watermarks. */
  static final class FileSource implements SourceFunction<Ev> {
    private final String input;
    private final String keyField;
    private final List<String> attrs;
    private final long maxDelay;
    private volatile boolean running = true;

    FileSource(Options o) {
      this.input = o.input;
      this.keyField = o.keyField;
      this.attrs = o.attrs;
      this.maxDelay = o.maxDelay;
    }

    @Override
    public void run(SourceContext<Ev> ctx) throws Exception {
      long maxSeen = Long.MIN_VALUE;
      long watermark = Long.MIN_VALUE;
      Measure.start();
      try (EventReader reader = new EventReader(Path.of(input), keyField, attrs)) {
        Ev e;
        while (running && (e = reader.next()) != null) {
          if (e.ts <= watermark) continue; // late: not matched, as in our engine (none in generated data)
          synchronized (ctx.getCheckpointLock()) {
            ctx.collectWithTimestamp(e, e.ts);
            maxSeen = Math.max(maxSeen, e.ts);
            long next = maxSeen - maxDelay - 1;
            if (next > watermark) {
              watermark = next;
              Measure.watermark(watermark);
              ctx.emitWatermark(new Watermark(watermark));
            }
          }
        }
      }
      Measure.watermark(Long.MAX_VALUE);
    }

    @Override
    public void cancel() {
      running = false;
    }
  }

  /** The end of a match (ms): its last event's time, or for an absence its deadline. */
  static final class MatchEnd extends PatternProcessFunction<Ev, Long> {
    private final long absenceWithin;

    MatchEnd(long absenceWithin) {
      this.absenceWithin = absenceWithin;
    }

    @Override
    public void processMatch(Map<String, List<Ev>> match, Context ctx, Collector<Long> out) {
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (List<Ev> list : match.values()) {
        for (Ev e : list) {
          first = Math.min(first, e.ts);
          last = Math.max(last, e.ts);
        }
      }
      out.collect(absenceWithin >= 0 ? first + absenceWithin : last);
    }
  }

  /** Counts each match as it leaves, with its latency. */
  static final class MatchSink extends RichSinkFunction<Long> {
    @Override
    public void invoke(Long end, Context context) {
      Measure.match(end);
    }

    /** Called once the final watermark has gone through: the run's end. */
    @Override
    public void finish() {
      Measure.finish();
    }
  }
}
