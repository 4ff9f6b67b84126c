package bench.peers.common;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options shared by both peers, written `--name value`:
 * workload (ab | absence | kleene | any | ssh | orders | disjoint), input (an NDJSON file), maxDelay
 * (ms of allowed out-of-orderness, default 0), within (ms, the window of the synthetic workloads),
 * skip (noSkip | skipPastLastEvent), keyField (default key), attrs (comma-separated fields kept as
 * strings), copies (the number of rules of `disjoint`, rule i reading the types "r" + i + "a"
 * and "r" + i + "b"; default 1). Throws IllegalArgumentException on an unknown, missing or malformed option.
 */
public final class Options {
  public final String workload;
  public final String input;
  public final long maxDelay;
  public final long within;
  public final String skip;
  public final String keyField;
  public final List<String> attrs;
  public final int copies;

  private Options(Map<String, String> m) {
    workload = required(m, "workload");
    input = required(m, "input");
    maxDelay = Long.parseLong(m.getOrDefault("max-delay", "0"));
    within = Long.parseLong(m.getOrDefault("within", "0"));
    skip = m.getOrDefault("skip", "noSkip");
    if (!skip.equals("noSkip") && !skip.equals("skipPastLastEvent")) {
      throw new IllegalArgumentException("--skip must be noSkip or skipPastLastEvent, got " + skip);
    }
    keyField = m.getOrDefault("key-field", "key");
    String a = m.getOrDefault("attrs", "");
    attrs = a.isEmpty() ? List.of() : List.of(a.split(","));
    copies = Integer.parseInt(m.getOrDefault("copies", "1"));
    if (copies < 1) throw new IllegalArgumentException("--copies must be at least 1, got " + copies);
  }

  public static Options parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    List<String> known = List.of("workload", "input", "max-delay", "within", "skip", "key-field", "attrs", "copies");
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("expected --name value at " + args[i]);
      String name = args[i].substring(2);
      if (!known.contains(name)) throw new IllegalArgumentException("unknown option --" + name + "; known: " + known);
      m.put(name, args[i + 1]);
    }
    return new Options(m);
  }

  private static String required(Map<String, String> m, String name) {
    String v = m.get(name);
    if (v == null) throw new IllegalArgumentException("missing --" + name);
    return v;
  }
}
