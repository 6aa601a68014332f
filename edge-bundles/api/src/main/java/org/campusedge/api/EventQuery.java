package org.campusedge.api;

import java.time.Instant;

/**
 * A filter on stored events; null fields do not filter. Times are the device's {@code occurredAt}.
 */
public record EventQuery(Instant from, Instant to, String deviceId, String kind, int limit) {

    /** Everything, up to {@code limit} events. */
    public static EventQuery all(int limit) {
        return new EventQuery(null, null, null, null, limit);
    }

    public EventQuery withDevice(String device) {
        return new EventQuery(from, to, device, kind, limit);
    }

    public EventQuery withKind(String k) {
        return new EventQuery(from, to, deviceId, k, limit);
    }

    public EventQuery between(Instant start, Instant end) {
        return new EventQuery(start, end, deviceId, kind, limit);
    }
}
