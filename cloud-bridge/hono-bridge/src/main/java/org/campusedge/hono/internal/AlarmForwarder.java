package org.campusedge.hono.internal;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Outbox;
import org.campusedge.api.Severity;

/**
 * Puts every transition of a CRITICAL alarm (raised, acknowledged, escalated, cleared) into the
 * outbox's critical lane as an {@code org.campusedge.alarm.v1} event. It reads them from the event
 * store after a cursor kept on disk rather than trusting a live feed alone: an alarm stored just
 * before a crash, or while the forwarder was behind, is still sent — the store is the truth.
 */
final class AlarmForwarder {

    private static final int BATCH = 500;

    private final EventStore store;
    private final Outbox outbox;
    private final String schoolId;
    private final StateFile cursorFile;
    private final java.util.function.Supplier<Alarms> alarms;
    private Instant cursor;
    /** Ids already forwarded at the cursor's millisecond (several alarm events can share one). */
    private final Set<String> atCursor = new HashSet<>();

    /** @param startIfNew where to begin when there is no cursor on disk yet */
    AlarmForwarder(EventStore store, Outbox outbox, String schoolId, StateFile cursorFile,
                   java.util.function.Supplier<Alarms> alarms, Instant startIfNew) {
        this.store = store;
        this.outbox = outbox;
        this.schoolId = schoolId;
        this.cursorFile = cursorFile;
        this.alarms = alarms;
        String saved = cursorFile.read();
        Instant c = startIfNew;
        if (saved != null && !saved.isBlank()) {
            String[] parts = saved.split(" ");
            c = Instant.ofEpochMilli(Long.parseLong(parts[0]));
            atCursor.addAll(List.of(parts).subList(1, parts.length));
        }
        this.cursor = c;
    }

    /** Forwards what is new since the last call; returns how many messages were queued. */
    synchronized int poll() {
        int queued = 0;
        while (true) {
            List<CampusEvent> events = store.query(new EventQuery(cursor, null, null, "alarm.*", BATCH));
            int fresh = 0;
            for (CampusEvent e : events) {
                if (e.occurredAt().equals(cursor) && atCursor.contains(e.id())) {
                    continue;
                }
                fresh++;
                if (isCritical(e)) {
                    outbox.enqueue(Outbox.Lane.CRITICAL, e.id(), HonoAddress.eventFor(schoolId, deviceOf(e)),
                            CloudEvents.CONTENT_TYPE, CloudEvents.envelope(e.id(), schoolId, CloudEvents.ALARM, deviceOf(e),
                                    e.occurredAt(), data(e)));
                    queued++;
                }
                if (!e.occurredAt().equals(cursor)) {
                    cursor = e.occurredAt();
                    atCursor.clear();
                }
                atCursor.add(e.id());
            }
            if (fresh > 0) {
                cursorFile.write(cursor.toEpochMilli() + " " + String.join(" ", atCursor));
            }
            if (events.size() < BATCH || fresh == 0) {
                return queued;
            }
        }
    }

    static boolean isCritical(CampusEvent e) {
        return Severity.CRITICAL.name().equals(e.attributes().get("alarmSeverity"));
    }

    private static String deviceOf(CampusEvent e) {
        return "gateway".equals(e.deviceId()) ? null : e.deviceId();
    }

    private Map<String, Object> data(CampusEvent e) {
        Map<String, String> a = e.attributes();
        String key = a.get("alarm");
        Instant raisedAt = null;
        if (e.kind().equals("alarm.raised")) {
            raisedAt = e.occurredAt();
        } else {
            Alarms book = alarms.get();
            if (book != null && key != null) {
                raisedAt = book.get(key).map(Alarm::raisedAt).orElse(null);
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("alarmId", key);
        d.put("state", e.kind().substring("alarm.".length()));
        d.put("rule", a.get("rule"));
        d.put("severity", a.get("alarmSeverity"));
        d.put("deviceId", deviceOf(e));
        d.put("building", e.location().building());
        d.put("message", a.get("message"));
        d.put("raisedAt", Json.time(raisedAt));
        d.put("by", blankToNull(a.get("by")));
        d.put("note", blankToNull(a.get("note")));
        return d;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
