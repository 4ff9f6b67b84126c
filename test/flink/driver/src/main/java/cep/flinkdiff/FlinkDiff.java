package cep.flinkdiff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.pattern.Pattern;

/**
 * The Flink side of the differential test (test/flink): reads cases as NDJSON on stdin, one per
 * line ({@code {"id", "pattern", "events"}}, the neutral form of test/flink/cases.ts), builds each
 * pattern with flink-cep's Pattern API, and runs its NFA per key the way CepOperator does in event
 * time ({@link WatermarkRun}), and again with each deadline handled at its own time
 * ({@link #deadlineRun}, our engine's clock). Prints one line per case:
 * {@code {"id","status":"ok","matches":[...],"deadlineMatches":[...]}} with each match as
 * {@code {"key","kind":"match"|"timeout","events":{alias:[i...]}}}, or
 * {@code "status":"reject"} (the Pattern API or NFACompiler threw), {@code "crash"} (the NFA
 * threw while running) or {@code "hang"} (no answer within the time limit), with {@code "error"}.
 */
public final class FlinkDiff {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LIMIT_MS = 3000;

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            JsonNode c = JSON.readTree(line);
            ObjectNode[] result = new ObjectNode[1];
            Thread worker = new Thread(() -> {
                try {
                    result[0] = runCase(c);
                } catch (Throwable e) {
                    result[0] = JSON.createObjectNode().put("status", "crash").put("error", describe(e));
                }
            }, "case");
            worker.setDaemon(true);
            worker.start();
            worker.join(LIMIT_MS);
            if (worker.isAlive()) {
                stop(worker);
                result[0] = JSON.createObjectNode().put("status", "hang").put("error", "no answer within " + LIMIT_MS + " ms");
            }
            result[0].set("id", c.get("id"));
            out.println(JSON.writeValueAsString(result[0]));
            out.flush();
        }
        System.exit(0);
    }

    /** Stops a case that loops inside Flink's NFA (Java 17 still has Thread.stop; the case's objects are its own). */
    @SuppressWarnings({"deprecation", "removal"})
    private static void stop(Thread worker) throws InterruptedException {
        worker.stop();
        worker.join(LIMIT_MS);
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static ObjectNode runCase(JsonNode c) throws Exception {
        JsonNode p = c.get("pattern");
        NFA<Ev> nfa;
        AfterMatchSkipStrategy skip = skipOf(p.get("skip"));
        try {
            Pattern<Ev, ?> pattern = build(p.get("elements"), skip);
            if (p.hasNonNull("within")) pattern = pattern.within(Duration.ofMillis(p.get("within").asLong()));
            nfa = NFACompiler.compileFactory(pattern, p.path("timeout").asBoolean(false)).createNFA();
        } catch (Exception e) {
            return JSON.createObjectNode().put("status", "reject").put("error", describe(e));
        }
        List<Ev> events = new ArrayList<>();
        int i = 0;
        for (JsonNode e : c.get("events")) events.add(new Ev(i++, e.get("type").asText(), e.get("ts").asLong(), e.get("k").asText(), e.get("v").asDouble()));
        ObjectNode result = JSON.createObjectNode().put("status", "ok");
        result.set("matches", new WatermarkRun(nfa, skip).run(events));
        result.set("deadlineMatches", deadlineRun(nfa, skip, events));
        return result;
    }

    /** One key's NFA state and shared buffer. */
    private static final class KeyRun {
        final String key;
        final NFAState state;
        final SharedBuffer<Ev> buffer = new SharedBuffer<>(new MemoryStateStore(), null);
        /** CepOperator's elementQueueState: buffered events by timestamp. */
        final TreeMap<Long, List<Ev>> queue = new TreeMap<>();

        KeyRun(String key, NFA<Ev> nfa) {
            this.key = key;
            this.state = nfa.createInitialNFAState();
        }
    }

    /**
     * CepOperator in event time, with the watermark our replay has (the largest time seen − 1 ms
     * after each event, +∞ at the end): each event is buffered under its key with a timer at its
     * time; each time the watermark advances, the due timers fire in time order, and a key's
     * timer runs onEventTime: advanceTime(ts) and process for each buffered timestamp ≤ watermark,
     * then advanceTime(watermark). A new partial match registers a timer at its start + within.
     */
    private static final class WatermarkRun {
        private final NFA<Ev> nfa;
        private final AfterMatchSkipStrategy skip;
        private final Map<String, KeyRun> keys = new TreeMap<>();
        /** Timers as (time, key), fired in time order (ties by key). */
        private final TreeSet<Map.Entry<Long, String>> timers = new TreeSet<>(Map.Entry.<Long, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        private final ArrayNode matches = JSON.createArrayNode();
        private long watermark = Long.MIN_VALUE;

        WatermarkRun(NFA<Ev> nfa, AfterMatchSkipStrategy skip) {
            this.nfa = nfa;
            this.skip = skip;
        }

        ArrayNode run(List<Ev> events) throws Exception {
            try {
                long largest = Long.MIN_VALUE;
                for (Ev ev : events) {
                    KeyRun k = keys.computeIfAbsent(ev.key, key -> new KeyRun(key, nfa));
                    if (ev.ts <= watermark) continue;
                    k.queue.computeIfAbsent(ev.ts, t -> new ArrayList<>()).add(ev);
                    timers.add(Map.entry(ev.ts, ev.key));
                    largest = Math.max(largest, ev.ts);
                    advanceWatermark(largest - 1);
                }
                advanceWatermark(Long.MAX_VALUE);
            } finally {
                for (KeyRun k : keys.values()) k.buffer.releaseCacheStatisticsTimer();
            }
            return matches;
        }

        private void advanceWatermark(long to) throws Exception {
            if (to <= watermark) return;
            watermark = to;
            while (!timers.isEmpty() && timers.first().getKey() <= watermark) onEventTime(keys.get(timers.pollFirst().getValue()));
        }

        private void onEventTime(KeyRun k) throws Exception {
            while (!k.queue.isEmpty() && k.queue.firstKey() <= watermark) {
                Map.Entry<Long, List<Ev>> entry = k.queue.pollFirstEntry();
                advance(nfa, k, entry.getKey(), skip, matches);
                for (Ev ev : entry.getValue()) {
                    process(nfa, k, ev, skip, matches);
                    if (nfa.getWindowTime() > 0 && k.state.isNewStartPartialMatch()) timers.add(Map.entry(ev.ts + nfa.getWindowTime(), k.key));
                    k.state.resetNewStartPartialMatch();
                }
            }
            advance(nfa, k, watermark, skip, matches);
        }
    }

    /**
     * The same NFA with each deadline handled at its own time, as our engine does: per key, before
     * each timestamp's events and at the end, advanceTime at every earlier deadline (start + within
     * of a partial match) in time order, then advanceTime(ts) and process.
     */
    private static ArrayNode deadlineRun(NFA<Ev> nfa, AfterMatchSkipStrategy skip, List<Ev> events) throws Exception {
        Map<String, List<Ev>> byKey = new TreeMap<>();
        for (Ev ev : events) byKey.computeIfAbsent(ev.key, k -> new ArrayList<>()).add(ev);
        ArrayNode matches = JSON.createArrayNode();
        for (Map.Entry<String, List<Ev>> entry : byKey.entrySet()) {
            List<Ev> list = new ArrayList<>(entry.getValue());
            list.sort((a, b) -> a.ts != b.ts ? Long.compare(a.ts, b.ts) : Integer.compare(a.i, b.i));
            KeyRun k = new KeyRun(entry.getKey(), nfa);
            try {
                long last = Long.MIN_VALUE;
                for (Ev ev : list) {
                    if (ev.ts != last) {
                        advanceThroughDeadlines(nfa, k, ev.ts, skip, matches);
                        last = ev.ts;
                    }
                    process(nfa, k, ev, skip, matches);
                }
                advanceThroughDeadlines(nfa, k, Long.MAX_VALUE, skip, matches);
            } finally {
                k.buffer.releaseCacheStatisticsTimer();
            }
        }
        return matches;
    }

    private static void advanceThroughDeadlines(NFA<Ev> nfa, KeyRun k, long time, AfterMatchSkipStrategy skip, ArrayNode matches) throws Exception {
        long window = nfa.getWindowTime();
        while (window > 0) {
            long next = Long.MAX_VALUE;
            for (ComputationState pm : k.state.getPartialMatches()) {
                if (pm.getStartEventID() != null) next = Math.min(next, pm.getStartTimestamp() + window);
            }
            if (next >= time) break;
            advance(nfa, k, next, skip, matches);
        }
        advance(nfa, k, time, skip, matches);
    }

    private static void process(NFA<Ev> nfa, KeyRun k, Ev ev, AfterMatchSkipStrategy skip, ArrayNode matches) throws Exception {
        try (SharedBufferAccessor<Ev> acc = k.buffer.getAccessor()) {
            for (Map<String, List<Ev>> m : nfa.process(acc, k.state, ev, ev.ts, skip, () -> 0L)) matches.add(match(k.key, "match", m));
        }
    }

    private static void advance(NFA<Ev> nfa, KeyRun k, long time, AfterMatchSkipStrategy skip, ArrayNode matches) throws Exception {
        try (SharedBufferAccessor<Ev> acc = k.buffer.getAccessor()) {
            Tuple2<Collection<Map<String, List<Ev>>>, Collection<Tuple2<Map<String, List<Ev>>, Long>>> r = nfa.advanceTime(acc, k.state, time, skip);
            for (Map<String, List<Ev>> m : r.f0) matches.add(match(k.key, "match", m));
            for (Tuple2<Map<String, List<Ev>>, Long> t : r.f1) matches.add(match(k.key, "timeout", t.f0));
        }
    }

    private static ObjectNode match(String key, String kind, Map<String, List<Ev>> m) {
        ObjectNode o = JSON.createObjectNode().put("key", key).put("kind", kind);
        ObjectNode events = o.putObject("events");
        for (Map.Entry<String, List<Ev>> e : new TreeMap<>(m).entrySet()) {
            if (e.getValue().isEmpty()) continue;
            ArrayNode list = events.putArray(e.getKey());
            for (Ev ev : e.getValue()) list.add(ev.i);
        }
        return o;
    }

    private static AfterMatchSkipStrategy skipOf(JsonNode s) {
        switch (s.get("kind").asText()) {
            case "noSkip": return AfterMatchSkipStrategy.noSkip();
            case "skipPastLastEvent": return AfterMatchSkipStrategy.skipPastLastEvent();
            case "skipToNext": return AfterMatchSkipStrategy.skipToNext();
            case "skipToFirst": return AfterMatchSkipStrategy.skipToFirst(s.get("alias").asText());
            case "skipToLast": return AfterMatchSkipStrategy.skipToLast(s.get("alias").asText());
            default: throw new IllegalArgumentException("skip " + s);
        }
    }

    /** Thrown for a pattern that Flink's API cannot express at all (begins with a NOT, a NOT group, a NOT after followedByAny). */
    static final class Unbuildable extends RuntimeException {
        Unbuildable(String message) { super(message); }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Pattern<Ev, ?> build(JsonNode elements, AfterMatchSkipStrategy skip) {
        Pattern p = null;
        for (int i = 0; i < elements.size(); i++) {
            JsonNode e = elements.get(i);
            boolean group = e.has("group");
            boolean negated = e.path("negated").asBoolean(false);
            String contiguity = e.get("contiguity").asText();
            if (group && negated) throw new Unbuildable("a NOT group");
            if (i == 0) {
                if (negated) throw new Unbuildable("a pattern that begins with a NOT");
                p = group ? Pattern.begin(build(e.get("group"), skip), skip) : Pattern.begin(e.get("name").asText(), skip);
            } else if (group) {
                Pattern g = build(e.get("group"), skip);
                p = contiguity.equals("strict") ? p.next(g) : contiguity.equals("relaxed") ? p.followedBy(g) : p.followedByAny(g);
            } else {
                String name = e.get("name").asText();
                if (negated && contiguity.equals("nondeterministic")) throw new Unbuildable("a NOT after followedByAny");
                if (negated) p = contiguity.equals("strict") ? p.notNext(name) : p.notFollowedBy(name);
                else p = contiguity.equals("strict") ? p.next(name) : contiguity.equals("relaxed") ? p.followedBy(name) : p.followedByAny(name);
            }
            if (!group && (e.hasNonNull("type") || e.hasNonNull("where"))) {
                p = p.where(new Cond(e.path("type").isNull() ? null : e.path("type").asText(null), e.get("where"), false));
            }
            JsonNode q = e.get("quantifier");
            if (q != null && !q.isNull()) p = quantify(p, q);
        }
        return p;
    }

    @SuppressWarnings("rawtypes")
    private static Pattern quantify(Pattern p, JsonNode q) {
        switch (q.get("form").asText()) {
            case "+": p = p.oneOrMore(); break;
            case "*": p = p.oneOrMore().optional(); break;
            case "?": p = p.times(1).optional(); break;
            case "{n}": p = p.times(q.get("min").asInt()); break;
            case "{n,}": p = p.timesOrMore(q.get("min").asInt()); break;
            case "{n,m}": p = p.times(q.get("min").asInt(), q.get("max").asInt()); break;
            default: throw new IllegalArgumentException("quantifier " + q);
        }
        for (JsonNode m : q.get("modifiers")) {
            String name = m.isTextual() ? m.asText() : "until";
            switch (name) {
                case "optional": p = p.optional(); break;
                case "greedy": p = p.greedy(); break;
                case "consecutive": p = p.consecutive(); break;
                case "combinations": p = p.allowCombinations(); break;
                case "until": p = p.until(new Cond(null, m.get("until"), false)); break;
                default: throw new IllegalArgumentException("modifier " + m);
            }
        }
        return p;
    }
}
