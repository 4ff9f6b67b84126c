package bench.peers.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an NDJSON file line by line into {@link Ev}s, the way DSL.md section 1 reads events:
 * `type` is the event type, `ts` the event time (epoch ms, or ISO-8601; without an offset it is
 * UTC). A record whose key is missing or null is skipped (no rule matches it), as is a line that is
 * not JSON or has no time; every non-blank line counts as an event read ({@link Measure#event}).
 * Parsing happens inside the timed run, as it does for our engine.
 */
public final class EventReader implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedReader in;
  private final String keyField;
  private final List<String> attrs;
  private long seq;
  /** Records set aside (not JSON, no time, no key). */
  public long skipped;

  public EventReader(Path file, String keyField, List<String> attrs) throws IOException {
    this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    this.keyField = keyField;
    this.attrs = attrs;
  }

  /** The next event, or null at end of input. */
  public Ev next() throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      Measure.event();
      Ev e = parse(line);
      if (e != null) return e;
      skipped++;
    }
    return null;
  }

  private Ev parse(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException ex) {
      return null;
    }
    JsonNode key = node.get(keyField);
    Long ts = time(node.get("ts"));
    if (key == null || key.isNull() || ts == null || !node.hasNonNull("type")) return null;
    Ev e = new Ev();
    e.type = node.get("type").asText();
    e.key = key.asText();
    e.ts = ts;
    e.v = node.path("v").asDouble(0);
    e.seq = seq++;
    if (!attrs.isEmpty()) {
      Map<String, String> m = new HashMap<>();
      for (String a : attrs) {
        JsonNode v = node.get(a);
        if (v != null && !v.isNull()) m.put(a, v.asText());
      }
      e.attrs = m;
    }
    return e;
  }

  private static Long time(JsonNode t) {
    if (t == null || t.isNull()) return null;
    if (t.isNumber()) return t.asLong();
    String s = t.asText();
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException ex) {
      try {
        return Instant.parse(s + "Z").toEpochMilli();
      } catch (DateTimeParseException ex2) {
        try {
          return java.time.LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException ex3) {
          return null;
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
