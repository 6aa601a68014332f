package org.campusedge.api;

import java.time.Instant;

/**
 * A filter on stored events; null fields do not filter. Times are the device's {@code occurredAt}.
 *
 * @param kind        an exact kind, or a pattern with {@code *} (e.g. {@code camera.*})
 * @param building    the device's building, exactly as the inventory names it
 * @param newestFirst newest events first (a timeline); otherwise oldest first
 */
public record EventQuery(Instant from, Instant to, String deviceId, String kind, int limit, String building,
                         boolean newestFirst) {

    /** Oldest first, without a building. */
    public EventQuery(Instant from, Instant to, String deviceId, String kind, int limit) {
        this(from, to, deviceId, kind, limit, null, false);
    }

    /** Everything, up to {@code limit} events. */
    public static EventQuery all(int limit) {
        return new EventQuery(null, null, null, null, limit);
    }

    public EventQuery withDevice(String device) {
        return new EventQuery(from, to, device, kind, limit, building, newestFirst);
    }

    public EventQuery withKind(String k) {
        return new EventQuery(from, to, deviceId, k, limit, building, newestFirst);
    }

    public EventQuery withBuilding(String b) {
        return new EventQuery(from, to, deviceId, kind, limit, b, newestFirst);
    }

    public EventQuery between(Instant start, Instant end) {
        return new EventQuery(start, end, deviceId, kind, limit, building, newestFirst);
    }

    /** The same filter, newest events first. */
    public EventQuery latestFirst() {
        return new EventQuery(from, to, deviceId, kind, limit, building, true);
    }
}
