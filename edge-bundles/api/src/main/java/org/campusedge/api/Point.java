package org.campusedge.api;

/**
 * One data point a device type reports, from its profile: name, SenML unit, value type and the
 * plausible range. Values outside the range are kept but flagged.
 */
public record Point(String name, String unit, Type type, Double min, Double max, String description) {

    /** The SenML value field a point is carried in. */
    public enum Type { NUMBER, BOOLEAN, STRING }

    /** True when the value lies within [min, max] (open ends where a bound is null). */
    public boolean inRange(double v) {
        return (min == null || v >= min) && (max == null || v <= max);
    }
}
