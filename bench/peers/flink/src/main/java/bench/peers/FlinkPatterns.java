package bench.peers;

import bench.peers.common.Ev;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * The benchmark's rules written with Flink's Pattern API: for each workload, the counterpart of
 * each rule in bench/lib/workloads.ts (synthetic workloads) or examples/rules/*.cep (real data).
 */
final class FlinkPatterns {
  private FlinkPatterns() {}

  /**
   * One rule: its pattern, and for a pattern ending in notFollowedBy its `within` (ms), since such
   * a match ends at its deadline (first + within); -1 otherwise.
   */
  record FlinkRule(Pattern<Ev, ?> pattern, long absenceWithin) {}

  /**
   * The rules of `workload`; `within` (ms) and `skip` apply to the synthetic workloads, the
   * real-data rules carry their own (skip past last, our default); `copies` is the number of rules
   * of `disjoint`. Throws IllegalArgumentException for an unknown workload.
   */
  static List<FlinkRule> of(String workload, long within, AfterMatchSkipStrategy skip, int copies) {
    Duration w = Duration.ofMillis(within);
    AfterMatchSkipStrategy pastLast = AfterMatchSkipStrategy.skipPastLastEvent();
    switch (workload) {
      case "ab": // a -> b within W
        return List.of(followedBy("a", "b", w, skip));
      case "disjoint": // one pattern per rule: r<i>a -> r<i>b within W
        return IntStream.range(0, copies).mapToObj(i -> followedBy("r" + i + "a", "r" + i + "b", w, skip)).toList();
      case "absence": // a -> not b within W
        return List.of(new FlinkRule(Pattern.<Ev>begin("a", skip).where(type("a")).notFollowedBy("b").where(type("b")).within(w), within));
      case "kleene": // a{3,} -> b within W
        return List.of(rule(Pattern.<Ev>begin("a", skip).where(type("a")).timesOrMore(3).followedBy("b").where(type("b")).within(w)));
      case "any": // a ->> b ->> c within W
        return List.of(rule(Pattern.<Ev>begin("a", skip).where(type("a"))
            .followedByAny("b").where(type("b"))
            .followedByAny("c").where(type("c")).within(w)));
      case "ssh": // examples/rules/ssh.cep, keyed by ip
        return List.of(
            // ssh_brute_force: auth_failure{5} within 1m
            rule(Pattern.<Ev>begin("tries", pastLast).where(type("auth_failure")).times(5).within(Duration.ofMinutes(1))),
            // ssh_break_in: break_in_attempt -> auth_failure within 10m
            rule(Pattern.<Ev>begin("probe", pastLast).where(type("break_in_attempt"))
                .followedBy("fail").where(type("auth_failure")).within(Duration.ofMinutes(10))));
      case "orders": // examples/rules/orders.cep, keyed by order_id
        return List.of(
            // unpaid_order: order_placed -> not payment_approved within 24h
            new FlinkRule(Pattern.<Ev>begin("o", pastLast).where(type("order_placed"))
                .notFollowedBy("paid").where(type("payment_approved")).within(Duration.ofHours(24)), Duration.ofHours(24).toMillis()),
            // slow_shipping: payment_approved -> not order_shipped within 7d
            new FlinkRule(Pattern.<Ev>begin("paid", pastLast).where(type("payment_approved"))
                .notFollowedBy("shipped").where(type("order_shipped")).within(Duration.ofDays(7)), Duration.ofDays(7).toMillis()),
            // late_delivery: order_delivered[ts > estimated] (ISO-8601 text, compared as text)
            rule(Pattern.<Ev>begin("d", pastLast).where(SimpleCondition.of(e -> "order_delivered".equals(e.type)
                && e.attr("ts") != null && e.attr("estimated") != null && e.attr("ts").compareTo(e.attr("estimated")) > 0))));
      default:
        throw new IllegalArgumentException("unknown workload " + workload);
    }
  }

  private static FlinkRule followedBy(String a, String b, Duration within, AfterMatchSkipStrategy skip) {
    return rule(Pattern.<Ev>begin(a, skip).where(type(a)).followedBy(b).where(type(b)).within(within));
  }

  private static FlinkRule rule(Pattern<Ev, ?> pattern) {
    return new FlinkRule(pattern, -1);
  }

  static SimpleCondition<Ev> type(String t) {
    return SimpleCondition.of(e -> t.equals(e.type));
  }
}
