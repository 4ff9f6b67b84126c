package cep.flinkdiff;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * An element's condition in the cases' neutral form (test/flink/cases.ts): an optional event type
 * (null: any) and an optional predicate tree over the event's `v`, numbers, `sum`/`count` of the
 * events bound to an alias so far (IterativeCondition.Context#getEventsForPattern), and the `v` of
 * a single-event alias (NaN when it bound none: comparisons with it are false, as with null in
 * our language).
 */
final class Cond extends IterativeCondition<Ev> {
    private final String type;
    private final Node test;
    private final boolean negate;

    Cond(String type, JsonNode test, boolean negate) {
        this.type = type;
        this.test = test == null || test.isNull() ? null : Node.of(test);
        this.negate = negate;
    }

    @Override
    public boolean filter(Ev e, Context<Ev> ctx) throws Exception {
        boolean holds = (type == null || type.equals(e.type)) && (test == null || test.eval(e, ctx) == 1.0);
        return negate != holds;
    }

    /** A node of the predicate tree; booleans are 1.0 / 0.0. */
    abstract static class Node implements Serializable {
        abstract double eval(Ev e, Context<Ev> ctx) throws Exception;

        static Node of(JsonNode n) {
            String op = n.get("op").asText();
            switch (op) {
                case "v":
                    return new Node() {
                        double eval(Ev e, Context<Ev> ctx) { return e.v; }
                    };
                case "num": {
                    double x = n.get("n").asDouble();
                    return new Node() {
                        double eval(Ev e, Context<Ev> ctx) { return x; }
                    };
                }
                case "sum":
                case "count": {
                    String alias = n.get("alias").asText();
                    boolean count = op.equals("count");
                    return new Node() {
                        double eval(Ev e, Context<Ev> ctx) throws Exception {
                            double s = 0;
                            for (Ev x : ctx.getEventsForPattern(alias)) s += count ? 1 : x.v;
                            return s;
                        }
                    };
                }
                case "field": {
                    String alias = n.get("alias").asText();
                    return new Node() {
                        double eval(Ev e, Context<Ev> ctx) throws Exception {
                            double last = Double.NaN;
                            for (Ev x : ctx.getEventsForPattern(alias)) last = x.v;
                            return last;
                        }
                    };
                }
                default: {
                    Node a = of(n.get("a"));
                    Node b = of(n.get("b"));
                    return new Node() {
                        double eval(Ev e, Context<Ev> ctx) throws Exception {
                            double x = a.eval(e, ctx);
                            if (op.equals("and")) return x == 1.0 ? b.eval(e, ctx) : 0.0;
                            if (op.equals("or")) return x == 1.0 ? 1.0 : b.eval(e, ctx);
                            double y = b.eval(e, ctx);
                            switch (op) {
                                case "+": return x + y;
                                case "%": return x % y;
                                case "<": return x < y ? 1 : 0;
                                case "<=": return x <= y ? 1 : 0;
                                case ">": return x > y ? 1 : 0;
                                case ">=": return x >= y ? 1 : 0;
                                case "==": return x == y ? 1 : 0;
                                case "!=": return x != y ? 1 : 0;
                                default: throw new IllegalArgumentException("unknown op " + op);
                            }
                        }
                    };
                }
            }
        }
    }
}
