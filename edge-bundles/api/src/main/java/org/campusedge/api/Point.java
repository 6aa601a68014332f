package org.campusedge.api;

/**
 * One data point a device type reports, from its profile: name, SenML unit, value type and the
 * plausible range (values outside it are kept but flagged), and for devices the gateway reads from
 * (OPC UA meters) where the point is on the device, how often to sample it and whether it may be
 * written.
 *
 * @param node       where the point is on the device, in its protocol's terms (an OPC UA node name
 *                   that the inventory's node pattern turns into a NodeId); null when the device
 *                   names its points itself (SenML)
 * @param samplingMs how often the device should sample it, when the gateway subscribes; null for the default
 * @param writable   true for a control point (a breaker or relay) the gateway may write
 */
public record Point(String name, String unit, Type type, Double min, Double max, String description, String node,
                    Integer samplingMs, boolean writable) {

    /** The SenML value field a point is carried in. */
    public enum Type { NUMBER, BOOLEAN, STRING }

    /** A point that the device reports by name (no node, default sampling, read-only). */
    public Point(String name, String unit, Type type, Double min, Double max, String description) {
        this(name, unit, type, min, max, description, null, null, false);
    }

    /** True when the value lies within [min, max] (open ends where a bound is null). */
    public boolean inRange(double v) {
        return (min == null || v >= min) && (max == null || v <= max);
    }
}
