package bench.peers.common;

import java.util.Map;

/**
 * One event as both peers see it: the event type, the key (the value of the workload's key field,
 * as a string), the event time in epoch ms, the synthetic value `v`, the arrival index `seq`, and
 * the other scalar fields of the JSON record as strings (only those the rules read).
 * Public fields and a no-argument constructor make it a Flink POJO; the getters make it an Esper
 * bean.
 */
public class Ev {
  public String type;
  public String key;
  public long ts;
  public double v;
  public long seq;
  public Map<String, String> attrs;

  public Ev() {}

  public String getType() { return type; }
  public String getKey() { return key; }
  public long getTs() { return ts; }
  public double getV() { return v; }
  public long getSeq() { return seq; }
  public Map<String, String> getAttrs() { return attrs; }

  /** The named field of the record as read, or null when absent. */
  public String attr(String name) { return attrs == null ? null : attrs.get(name); }

  @Override
  public String toString() { return type + "@" + ts + "[" + key + "]"; }
}
