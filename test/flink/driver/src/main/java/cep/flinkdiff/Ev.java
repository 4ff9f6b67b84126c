package cep.flinkdiff;

import java.io.Serializable;

/** One event of a case: its index in the case (`i`), type, event time (ms), key and value field `v`. */
public final class Ev implements Serializable {
    public final int i;
    public final String type;
    public final long ts;
    public final String key;
    public final double v;

    public Ev(int i, String type, long ts, String key, double v) {
        this.i = i;
        this.type = type;
        this.ts = ts;
        this.key = key;
        this.v = v;
    }
}
