package org.campusedge.rules.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Severity;

/**
 * The active alarms and their lifecycle: raised, repeated (counted on the same alarm, no duplicate),
 * acknowledged (by whom, with a note), escalated (an unacknowledged CRITICAL alarm after
 * {@code escalateAfter}), cleared. Every transition is published as an event ({@code alarm.*},
 * about the device that triggered it), so the store holds the alarm's whole history.
 */
final class AlarmBook implements Alarms {

    private final Map<String, Alarm> active = new LinkedHashMap<>();
    private final Consumer<List<CampusEvent>> publish;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final Duration escalateAfter;

    AlarmBook(Consumer<List<CampusEvent>> publish, DeviceRegistry registry, Clock clock, Duration escalateAfter) {
        this.publish = publish;
        this.registry = registry;
        this.clock = clock;
        this.escalateAfter = escalateAfter;
    }

    /**
     * Rebuilds the active alarms from their stored history ({@code alarm.*} events, oldest first), as
     * after a restart: what was raised and not cleared is active again, acknowledged and escalated as
     * it was. Nothing is published: the history is already in the store.
     */
    synchronized void restore(List<CampusEvent> history) {
        for (CampusEvent e : history) {
            Map<String, String> a = e.attributes();
            String key = a.get("alarm");
            if (key == null) {
                continue;
            }
            Alarm known = active.get(key);
            switch (e.kind()) {
                case "alarm.raised" -> active.put(key, new Alarm(key, a.get("rule"), Severity.valueOf(a.getOrDefault("alarmSeverity",
                        e.severity().name())), Alarm.State.RAISED, "gateway".equals(e.deviceId()) ? null : e.deviceId(),
                        a.getOrDefault("message", ""), e.occurredAt(), e.occurredAt(), parseCount(a.get("count")), a.get("trigger"),
                        null, null, false));
                case "alarm.acknowledged" -> {
                    if (known != null) {
                        active.put(key, new Alarm(key, known.ruleId(), known.severity(), Alarm.State.ACKNOWLEDGED, known.deviceId(),
                                known.message(), known.raisedAt(), known.lastAt(), known.count(), known.triggerEventId(), a.get("by"),
                                a.get("note"), known.escalated()));
                    }
                }
                case "alarm.escalated" -> {
                    if (known != null) {
                        active.put(key, new Alarm(key, known.ruleId(), known.severity(), known.state(), known.deviceId(),
                                known.message(), known.raisedAt(), known.lastAt(), known.count(), known.triggerEventId(),
                                known.acknowledgedBy(), known.note(), true));
                    }
                }
                case "alarm.cleared" -> active.remove(key);
                default -> {
                }
            }
        }
    }

    private static int parseCount(String s) {
        try {
            return s == null ? 1 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Raises the alarm, or counts a repeat of the active one; true when it is new (its actions should run). */
    synchronized boolean raise(String key, Rule rule, CampusEvent trigger, String message) {
        Instant now = clock.instant();
        Alarm a = active.get(key);
        if (a != null) {
            active.put(key, new Alarm(key, a.ruleId(), a.severity(), a.state(), a.deviceId(), message, a.raisedAt(), now,
                    a.count() + 1, a.triggerEventId(), a.acknowledgedBy(), a.note(), a.escalated()));
            return false;
        }
        String device = trigger == null ? null : trigger.deviceId();
        Alarm raised = new Alarm(key, rule.id(), rule.severity(), Alarm.State.RAISED, device, message, now, now, 1,
                trigger == null ? null : trigger.id(), null, null, false);
        active.put(key, raised);
        // the kind of event that raised it (camera.intrusion, lab.reading, ...), for those who read the history (the city)
        emit("alarm.raised", raised, rule.severity(), trigger == null ? Map.of() : Map.of("triggerKind", trigger.kind()));
        return true;
    }

    @Override
    public synchronized boolean acknowledge(String key, String user, String note) {
        Alarm a = active.get(key);
        if (a == null || a.state() != Alarm.State.RAISED) {
            return false;
        }
        Alarm acked = new Alarm(key, a.ruleId(), a.severity(), Alarm.State.ACKNOWLEDGED, a.deviceId(), a.message(),
                a.raisedAt(), a.lastAt(), a.count(), a.triggerEventId(), user, note, a.escalated());
        active.put(key, acked);
        emit("alarm.acknowledged", acked, Severity.INFO, attrs("by", user, "note", note));
        return true;
    }

    @Override
    public synchronized boolean clear(String key, String user, String note) {
        Alarm a = active.remove(key);
        if (a == null) {
            return false;
        }
        Alarm cleared = new Alarm(key, a.ruleId(), a.severity(), Alarm.State.CLEARED, a.deviceId(), a.message(),
                a.raisedAt(), clock.instant(), a.count(), a.triggerEventId(), a.acknowledgedBy(), note, a.escalated());
        emit("alarm.cleared", cleared, Severity.INFO, attrs("by", user, "note", note));
        return true;
    }

    /** Escalates unacknowledged CRITICAL alarms older than the escalation time, once each. */
    synchronized void escalate() {
        Instant limit = clock.instant().minus(escalateAfter);
        for (Map.Entry<String, Alarm> en : List.copyOf(active.entrySet())) {
            Alarm a = en.getValue();
            if (a.severity() == Severity.CRITICAL && a.state() == Alarm.State.RAISED && !a.escalated()
                    && !a.raisedAt().isAfter(limit)) {
                Alarm up = new Alarm(a.key(), a.ruleId(), a.severity(), a.state(), a.deviceId(), a.message(), a.raisedAt(),
                        a.lastAt(), a.count(), a.triggerEventId(), null, null, true);
                active.put(en.getKey(), up);
                emit("alarm.escalated", up, Severity.CRITICAL, attrs("unacknowledgedFor", Duration.between(a.raisedAt(),
                        clock.instant()).toSeconds() + " s"));
            }
        }
    }

    @Override
    public synchronized List<Alarm> active() {
        List<Alarm> out = new ArrayList<>(active.values());
        out.sort(Comparator.comparing(Alarm::severity).reversed().thenComparing(Alarm::raisedAt, Comparator.reverseOrder()));
        return out;
    }

    @Override
    public synchronized Optional<Alarm> get(String key) {
        return Optional.ofNullable(active.get(key));
    }

    private void emit(String kind, Alarm a, Severity severity, Map<String, String> extra) {
        Device device = a.deviceId() == null ? null : registry.device(a.deviceId()).orElse(null);
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("alarm", a.key());
        attrs.put("rule", a.ruleId());
        attrs.put("alarmSeverity", a.severity().name());
        attrs.put("message", a.message().length() > 300 ? a.message().substring(0, 300) : a.message());
        attrs.put("count", Integer.toString(a.count()));
        if (a.triggerEventId() != null) {
            attrs.put("trigger", a.triggerEventId());
        }
        attrs.putAll(extra);
        CampusEvent.Builder b = CampusEvent.builder().kind(kind).severity(severity).occurredAt(clock.instant())
                .receivedAt(clock.instant()).attributes(attrs);
        if (device != null) {
            b.device(device);
        } else {
            b.schoolId(registry.schoolId()).deviceId(a.deviceId() == null ? "gateway" : a.deviceId()).profileId("gateway");
        }
        publish.accept(List.of(b.build()));
    }

    private static Map<String, String> attrs(String k1, String v1, String k2, String v2) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(k1, v1 == null ? "" : v1);
        m.put(k2, v2 == null ? "" : v2);
        return m;
    }

    private static Map<String, String> attrs(String k, String v) {
        return Map.of(k, v);
    }
}
