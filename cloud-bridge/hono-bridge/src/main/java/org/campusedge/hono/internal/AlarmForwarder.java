package org.campusedge.hono.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * store rather than trusting a live feed alone — an alarm stored just before a crash, or while the
 * forwarder was behind, is still sent: the store is the truth. Each poll looks back {@link #LOOK_BACK}
 * before the newest alarm it has seen, so that an alarm stamped earlier (the clock stepped back,
 * several in one millisecond) is not skipped; the ids already queued within that window are kept on
 * disk, so nothing is queued twice across restarts either (and the city drops duplicates by id).
 */
final class AlarmForwarder {

    /** How far before the newest alarm seen each poll looks again. */
    static final Duration LOOK_BACK = Duration.ofHours(1);
    private static final int MAX_READ = 20_000;

    private final EventStore store;
    private final Outbox outbox;
    private final String schoolId;
    private final StateFile state;
    private final java.util.function.Supplier<Alarms> alarms;
    /** The newest occurred_at seen. */
    private Instant newest;
    /** Ids queued (or seen and not critical) whose time is within the look-back window of {@link #newest}, with their time. */
    private final Map<String, Instant> seen = new LinkedHashMap<>();

    /** @param startIfNew where to begin when there is no state on disk yet */
    AlarmForwarder(EventStore store, Outbox outbox, String schoolId, StateFile state,
                   java.util.function.Supplier<Alarms> alarms, Instant startIfNew) {
        this.store = store;
        this.outbox = outbox;
        this.schoolId = schoolId;
        this.state = state;
        this.alarms = alarms;
        Instant n = startIfNew;
        String saved = state.read();
        if (saved != null && !saved.isBlank()) {
            try {
                String[] parts = saved.split(" ");
                n = Instant.ofEpochMilli(Long.parseLong(parts[0]));
                for (int i = 1; i + 1 < parts.length; i += 2) {
                    seen.put(parts[i + 1], Instant.ofEpochMilli(Long.parseLong(parts[i])));
                }
            } catch (RuntimeException e) {
                // a damaged state file: look back from the start again; the outbox and the city drop what repeats
                seen.clear();
            }
        }
        this.newest = n;
    }

    /** Forwards what is new since the last call; returns how many messages were queued. */
    synchronized int poll() {
        Instant from = newest.minus(LOOK_BACK);
        List<CampusEvent> events = store.query(new EventQuery(from, null, null, "alarm.*", MAX_READ));
        int queued = 0;
        boolean changed = false;
        for (CampusEvent e : events) {
            if (seen.containsKey(e.id())) {
                continue;
            }
            if (isCritical(e)) {
                outbox.enqueue(Outbox.Lane.CRITICAL, e.id(), HonoAddress.eventFor(schoolId, deviceOf(e)),
                        CloudEvents.CONTENT_TYPE, CloudEvents.envelope(e.id(), schoolId, CloudEvents.ALARM, deviceOf(e),
                                e.occurredAt(), data(e)));
                queued++;
            }
            seen.put(e.id(), e.occurredAt());
            if (e.occurredAt().isAfter(newest)) {
                newest = e.occurredAt();
            }
            changed = true;
        }
        if (changed) {
            Instant horizon = newest.minus(LOOK_BACK);
            seen.values().removeIf(t -> t.isBefore(horizon));
            StringBuilder line = new StringBuilder(Long.toString(newest.toEpochMilli()));
            seen.forEach((id, t) -> line.append(' ').append(t.toEpochMilli()).append(' ').append(id));
            state.write(line.toString());
        }
        return queued;
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
        d.put("kind", a.get("triggerKind")); // on raised; the others leave it to the raised event
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
