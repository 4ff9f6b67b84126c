package bench.peers;

import com.espertech.esper.common.client.EventBean;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

/**
 * The benchmark's rules in EPL: for each workload, the counterpart of each rule in
 * bench/lib/workloads.ts (synthetic workloads) or examples/rules/*.cep (real data).
 *
 * Esper's `every a -> b` starts one sub-expression per `a` and takes the first matching `b`
 * after it, which is Flink's followedBy under noSkip: so the synthetic pattern workloads run with
 * `--skip noSkip` on every engine. `timer:within(W)` on the sub-expression started by `a` ends it
 * at a.ts + W, and an event at exactly that time comes after the timer (the clock is advanced to
 * an event's time before it is sent): last − first < W, as in Flink. The real-data rules use our
 * default skip strategy, skip past last, which is match_recognize's default (`after match skip
 * past last row`); a relaxed sequence becomes a strict one over the stream filtered to the types
 * the rule reads, with the other types of that stream as an explicit skipped variable.
 */
final class EsperStatements {
  private EsperStatements() {}

  /** EPL text and how to read a match's end time (ms) from an output row. */
  record Statement(String epl, ToLongFunction<EventBean> endOf) {
    long end(EventBean e) {
      return endOf.applyAsLong(e);
    }
  }

  /**
   * The statements of `workload` (`within` in ms, `copies` the rules of `disjoint`); throws
   * UnsupportedOperationException (with the reason, printed by the bench as n/a) for a workload
   * EPL cannot express with the same semantics, and IllegalArgumentException for an unknown one.
   */
  static List<Statement> of(String workload, long within, String skip, int copies) {
    switch (workload) {
      case "ab":
        requireNoSkip(workload, skip);
        return List.of(followedBy("a", "b", within));
      case "disjoint": // one statement per rule: r<i>a -> r<i>b within W
        requireNoSkip(workload, skip);
        return IntStream.range(0, copies).mapToObj(i -> followedBy("r" + i + "a", "r" + i + "b", within)).toList();
      case "absence":
        requireNoSkip(workload, skip);
        return List.of(absence("a", "b", within));
      case "any":
        requireNoSkip(workload, skip);
        return List.of(new Statement(
            "select c.ts as e from pattern [every a=Ev(type='a') -> "
                + "(every b=Ev(type='b', key=a.key) -> every c=Ev(type='c', key=a.key)) where timer:within(" + within + " msec)]",
            e -> (Long) e.get("e")));
      case "kleene":
        throw new UnsupportedOperationException(
            "EPL's repeat operator [3:] needs an `until` that ends the whole repetition, and match_recognize is strictly "
                + "contiguous within a partition; neither gives Flink's relaxed Kleene closure (an inner `b` ignored by the loop)");
      case "ssh":
        return List.of(
            // ssh_brute_force: auth_failure{5} within 1m
            new Statement("select * from Ev(type='auth_failure') match_recognize (partition by key measures U.ts as e "
                + "after match skip past last row pattern (T{4} U) define U as U.ts - T[0].ts < 60000)",
                e -> (Long) e.get("e")),
            // ssh_break_in: break_in_attempt -> auth_failure within 10m
            new Statement("select * from Ev(type in ('break_in_attempt', 'auth_failure')) match_recognize (partition by key "
                + "measures F.ts as e after match skip past last row pattern (P Q* F) "
                + "define P as P.type = 'break_in_attempt', Q as Q.type = 'break_in_attempt', "
                + "F as F.type = 'auth_failure' and F.ts - P.ts < 600000)",
                e -> (Long) e.get("e")));
      case "orders":
        return List.of(
            absence("order_placed", "payment_approved", 24L * 3600 * 1000), // unpaid_order
            absence("payment_approved", "order_shipped", 7L * 24 * 3600 * 1000), // slow_shipping
            // late_delivery: order_delivered[ts > estimated], ISO-8601 text compared as text
            new Statement("select ts as e from Ev(type='order_delivered', attrs('ts') > attrs('estimated'))", e -> (Long) e.get("e")));
      default:
        throw new IllegalArgumentException("unknown workload " + workload);
    }
  }

  /** `a -> b within W` under noSkip: one sub-expression per `a`, ended by the key's first `b`. */
  private static Statement followedBy(String a, String b, long within) {
    return new Statement(
        "select b.ts as e from pattern [every a=Ev(type='" + a + "') -> b=Ev(type='" + b + "', key=a.key) where timer:within(" + within + " msec)]",
        e -> (Long) e.get("e"));
  }

  /** `a -> not b within W` (noSkip and skip past last agree here: an absence ends at its own first event). */
  private static Statement absence(String a, String b, long within) {
    return new Statement(
        "select a.ts as s from pattern [every a=Ev(type='" + a + "') -> (timer:interval(" + within + " msec) and not Ev(type='"
            + b + "', key=a.key))]",
        e -> (Long) e.get("s") + within);
  }

  private static void requireNoSkip(String workload, String skip) {
    if (!skip.equals("noSkip")) {
      throw new UnsupportedOperationException("EPL patterns (`every a -> b`) have noSkip semantics; workload " + workload + " runs with " + skip);
    }
  }
}
