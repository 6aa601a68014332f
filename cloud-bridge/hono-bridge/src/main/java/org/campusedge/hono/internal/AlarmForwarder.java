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
 * forwarder was behind, is still sent: the store is the truth.
 *
 * <p>It reads forward by a cursor, the (time, id) of the last alarm event it has handled, kept on
 * disk, a page of {@link #PAGE} at a time, so any number of alarm events (a few dozen flapping lab
 * thresholds make tens of thousands an hour) only move it on. The alarm book stamps its transitions
 * so that their (time, id) order is the order they were stored, also across a clock stepped back
 * (see AlarmBook), so nothing lands behind the cursor. The cursor is written after the page's
 * messages are on disk in the outbox: a crash in between queues a page again, which the outbox (one
 * per event id and lane) and the city (one per event id) drop.
 */
final class AlarmForwarder {

    /** The alarm book's transitions (AlarmBook). */
    static final List<String> KINDS = List.of("alarm.raised", "alarm.acknowledged", "alarm.escalated", "alarm.cleared");
    /** Alarm events read per query. */
    static final int PAGE = 1_000;
    /** Pages per poll at most, so one poll does not hold its thread for long; the next poll goes on. */
    static final int MAX_PAGES_PER_POLL = 100;

    private final EventStore store;
    private final Outbox outbox;
    private final String schoolId;
    private final StateFile state;
    private final java.util.function.Supplier<Alarms> alarms;
    /** The (time, id) of the last alarm event handled; "" sorts before every id. */
    private Instant cursorTime;
    private String cursorId;

    /** @param startIfNew where to begin when there is no cursor on disk yet */
    AlarmForwarder(EventStore store, Outbox outbox, String schoolId, StateFile state,
                   java.util.function.Supplier<Alarms> alarms, Instant startIfNew) {
        this.store = store;
        this.outbox = outbox;
        this.schoolId = schoolId;
        this.state = state;
        this.alarms = alarms;
        this.cursorTime = startIfNew;
        this.cursorId = "";
        String saved = state.read();
        if (saved != null && !saved.isBlank()) {
            String[] parts = saved.trim().split(" ");
            try {
                Instant t = Instant.ofEpochMilli(Long.parseLong(parts[0]));
                if (parts.length == 2) { // "TIME ID"; the earlier layout had an odd number of fields
                    cursorTime = t;
                    cursorId = parts[1];
                } else {
                    // the earlier layout (newest time, then the ids seen in the hour before it): go on from an hour
                    // before it; what repeats is dropped by the outbox and the city
                    cursorTime = t.minus(Duration.ofHours(1));
                }
            } catch (RuntimeException e) {
                // a damaged cursor file: start where a new one would; the outbox and the city drop what repeats
            }
        }
    }

    /** Forwards what is new since the last call; returns how many messages were queued. */
    synchronized int poll() {
        int queued = 0;
        for (int page = 0; page < MAX_PAGES_PER_POLL; page++) {
            List<CampusEvent> events = nextPage();
            if (events.isEmpty()) {
                break;
            }
            for (CampusEvent e : events) {
                if (isCritical(e)) {
                    outbox.enqueue(Outbox.Lane.CRITICAL, e.id(), HonoAddress.eventFor(schoolId, deviceOf(e)),
                            CloudEvents.CONTENT_TYPE, CloudEvents.envelope(e.id(), schoolId, CloudEvents.ALARM, deviceOf(e),
                                    e.occurredAt(), data(e)));
                    queued++;
                }
            }
            CampusEvent last = events.get(events.size() - 1);
            cursorTime = last.occurredAt();
            cursorId = last.id();
            state.write(cursorTime.toEpochMilli() + " " + cursorId);
            if (events.size() < PAGE) {
                break;
            }
        }
        return queued;
    }

    /**
     * The next {@link #PAGE} alarm events after the cursor, in (time, id) order. One query per kind:
     * with an exact kind SQLite reads the (kind, time, id) index from the cursor on, in order, where a
     * pattern over the kinds made it read every alarm event ever stored and sort them, for each page.
     */
    private List<CampusEvent> nextPage() {
        List<CampusEvent> merged = new java.util.ArrayList<>();
        for (String kind : KINDS) {
            merged.addAll(store.query(new EventQuery(null, null, null, kind, PAGE).after(cursorTime, cursorId)));
        }
        merged.sort(java.util.Comparator.comparing(CampusEvent::occurredAt).thenComparing(CampusEvent::id));
        return merged.size() > PAGE ? merged.subList(0, PAGE) : merged;
    }

    /** Where the forwarder has read to: the time of the last alarm event it handled. */
    synchronized Instant cursor() {
        return cursorTime;
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
        // roles, not people: the city is told which role changed the alarm, never the login nor the note (PIPL)
        d.put("byRole", role(a));
        // a drill's alarm is the city's to show as a drill and keep out of its statistics; a real one during a drill says so
        if (e.kind().equals("alarm.raised")) {
            // the ledger's hops the gateway has when it queues the raise: the city adds when it stored it
            d.put("trigger", a.get("trigger"));
            Map<String, Object> hops = new LinkedHashMap<>();
            hops.put("occurred", a.get("triggerOccurredAt"));
            hops.put("received", a.get("triggerReceivedAt"));
            hops.put("stored", a.get("triggerStoredAt"));
            hops.put("raised", Json.time(e.occurredAt()));
            hops.put("queued", Json.time(Instant.now()));
            hops.values().removeIf(java.util.Objects::isNull);
            d.put("hops", hops);
        }
        d.put("drill", blankToNull(a.get(org.campusedge.api.Drill.ATTRIBUTE)));
        d.put("duringDrill", blankToNull(a.get(org.campusedge.api.Drill.DURING)));
        return d;
    }

    /**
     * Who changed the alarm, as the city may know it: the person's role ({@code security},
     * {@code admin}), or what did it when no person did ({@code rule}, {@code drill}, {@code city},
     * {@code gateway}); {@code staff} for a person whose role was not recorded; null for a raise.
     */
    static String role(Map<String, String> a) {
        String by = blankToNull(a.get("by"));
        if (by == null) {
            return null;
        }
        String role = blankToNull(a.get("byRole"));
        if (role != null) {
            return role;
        }
        for (String actor : new String[] {"rule", "drill", "city", "gateway"}) {
            if (by.equals(actor) || by.startsWith(actor + ":") || by.startsWith(actor + " ")) {
                return actor;
            }
        }
        return "staff";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
