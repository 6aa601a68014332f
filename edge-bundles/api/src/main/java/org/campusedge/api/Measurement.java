package org.campusedge.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One resolved SenML record (RFC 8428): a name, an optional unit, exactly one value of one of the
 * four SenML value types and/or a sum, and the time it applies to. Base values are already applied.
 */
public record Measurement(String name, String unit, Double value, String stringValue, Boolean booleanValue,
                          String dataValue, Double sum, Instant time) {

    public Measurement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(time, "time");
        int values = (value != null ? 1 : 0) + (stringValue != null ? 1 : 0)
                + (booleanValue != null ? 1 : 0) + (dataValue != null ? 1 : 0);
        if (values > 1) {
            throw new IllegalArgumentException("a measurement carries at most one value, '" + name + "' has " + values);
        }
        if (values == 0 && sum == null) {
            throw new IllegalArgumentException("measurement '" + name + "' has neither a value nor a sum");
        }
    }

    /**
     * The numeric value of the first measurement named {@code name} in the events, in their order (newest
     * first for a newest-first query), or null when none has one.
     */
    public static Double firstValue(java.util.List<CampusEvent> events, String name) {
        for (CampusEvent e : events) {
            for (Measurement m : e.measurements()) {
                if (name.equals(m.name()) && m.value() != null) {
                    return m.value();
                }
            }
        }
        return null;
    }

    /** A numeric reading, the common case. */
    public static Measurement numeric(String name, String unit, double value, Instant time) {
        return new Measurement(name, unit, value, null, null, null, null, time);
    }
}
