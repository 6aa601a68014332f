package org.campusedge.api;

import java.time.Instant;

/**
 * A filter on stored events; null fields do not filter. Times are the device's {@code occurredAt}.
 *
 * @param kind        an exact kind, or a pattern with {@code *} (e.g. {@code camera.*})
 * @param building    the device's building, exactly as the inventory names it
 * @param newestFirst newest events first (a timeline); otherwise oldest first
 * @param afterId     a cursor, so that a reader can page through any number of events of one
 *                    millisecond: oldest first, with {@code from}, the events after ({@code from},
 *                    {@code afterId}) in the store's (time, id) order; newest first, with {@code to},
 *                    the events before ({@code to}, {@code afterId})
 */
public record EventQuery(Instant from, Instant to, String deviceId, String kind, int limit, String building,
                         boolean newestFirst, String afterId) {

    public EventQuery {
        if (afterId != null && (newestFirst ? to == null : from == null)) {
            throw new IllegalArgumentException("a cursor (afterId) needs its time (from, or to when newest first)");
        }
    }

    /** Without a cursor. */
    public EventQuery(Instant from, Instant to, String deviceId, String kind, int limit, String building, boolean newestFirst) {
        this(from, to, deviceId, kind, limit, building, newestFirst, null);
    }

    /** Oldest first, without a building. */
    public EventQuery(Instant from, Instant to, String deviceId, String kind, int limit) {
        this(from, to, deviceId, kind, limit, null, false);
    }

    /** The events after the one at {@code time} with {@code id}, oldest first: the next page for a reader's cursor. */
    public EventQuery after(Instant time, String id) {
        return new EventQuery(time, to, deviceId, kind, limit, building, false, id);
    }

    /** The events before the one at {@code time} with {@code id}, newest first: a timeline's next page. */
    public EventQuery before(Instant time, String id) {
        return new EventQuery(from, time, deviceId, kind, limit, building, true, id);
    }

    /** Everything, up to {@code limit} events. */
    public static EventQuery all(int limit) {
        return new EventQuery(null, null, null, null, limit);
    }

    public EventQuery withDevice(String device) {
        return new EventQuery(from, to, device, kind, limit, building, newestFirst, afterId);
    }

    public EventQuery withKind(String k) {
        return new EventQuery(from, to, deviceId, k, limit, building, newestFirst, afterId);
    }

    public EventQuery withBuilding(String b) {
        return new EventQuery(from, to, deviceId, kind, limit, b, newestFirst, afterId);
    }

    public EventQuery between(Instant start, Instant end) {
        return new EventQuery(start, end, deviceId, kind, limit, building, newestFirst, null);
    }

    /** The same filter, newest events first (without a cursor: it would mean the other way). */
    public EventQuery latestFirst() {
        return new EventQuery(from, to, deviceId, kind, limit, building, true, null);
    }
}
