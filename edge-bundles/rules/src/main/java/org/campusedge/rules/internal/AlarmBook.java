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
import java.util.concurrent.CompletableFuture;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Drill;
import org.campusedge.api.Severity;

/**
 * The active alarms and their lifecycle: raised, repeated (counted on the same alarm, no duplicate),
 * acknowledged (by whom, with a note), escalated (an unacknowledged CRITICAL alarm after
 * {@code escalateAfter}), cleared. Every transition is published as an event ({@code alarm.*},
 * about the device that triggered it), so the store holds the alarm's whole history.
 *
 * <p>Transitions go to the store through a {@link TransitionJournal}: in order, retried until they
 * are durable, never dropped. What the gateway decides (raised, escalated, cleared by its rule)
 * takes effect here at once, so a siren does not wait for a disk. What a person decides (acknowledged,
 * cleared) takes effect when it is durable: until then the alarm stays as it was (it does not
 * escalate meanwhile: a person is on it), and the person is answered only then, so the screen never shows an acknowledgement
 * that a restart would undo.
 *
 * <p>Transition times never go backwards: each is stamped no earlier than a millisecond after the
 * previous one (also the last one stored before a restart), so the store's order of {@code alarm.*}
 * events by (time, id) is the order they were made, which is what the cloud forwarder's cursor
 * reads by, even when the gateway's clock is stepped back.
 */
final class AlarmBook implements Alarms {

    private final Map<String, Alarm> active = new LinkedHashMap<>();
    private final TransitionJournal journal;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final Duration escalateAfter;
    /** Alarms a person acknowledged or cleared, whose transition is not durable yet. */
    private final java.util.Set<String> awaitingStore = new java.util.HashSet<>();
    /** The time of the last transition made or restored. */
    private Instant lastStamp = Instant.EPOCH;

    AlarmBook(TransitionJournal journal, DeviceRegistry registry, Clock clock, Duration escalateAfter) {
        this.journal = journal;
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
            if (e.occurredAt().isAfter(lastStamp)) {
                lastStamp = e.occurredAt();
            }
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
                        null, null, false, Drill.of(e)));
                case "alarm.acknowledged" -> {
                    if (known != null) {
                        active.put(key, known.acknowledged(a.get("by"), a.get("note")));
                    }
                }
                case "alarm.escalated" -> {
                    if (known != null) {
                        active.put(key, known.escalate());
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
        return raise(key, rule.id(), rule.severity(), trigger == null ? null : trigger.deviceId(), trigger, message, null, null, null);
    }

    /**
     * As {@link #raise(String, Rule, CampusEvent, String)}, for the drill {@code drillId} (its alarm),
     * or, with {@code duringDrill}, for real while that drill runs, so its transitions say "not a drill".
     */
    synchronized boolean raise(String key, Rule rule, CampusEvent trigger, String message, String drillId, String duringDrill) {
        return raise(key, rule, trigger, message, drillId, duringDrill, null);
    }

    /**
     * As above; {@code triggerStoredAt} is when the rules were handed the trigger, which the bus does
     * only once it is durable: the "stored" hop of the alarm's ledger.
     */
    synchronized boolean raise(String key, Rule rule, CampusEvent trigger, String message, String drillId, String duringDrill,
                               Instant triggerStoredAt) {
        return raise(key, rule.id(), rule.severity(), trigger == null ? null : trigger.deviceId(), trigger, message, drillId,
                duringDrill, triggerStoredAt);
    }

    /**
     * Raises an alarm the gateway found about itself or a link (no rule): a stalled forwarder, a
     * device connected but sending nothing usable. {@code ruleId} names the check.
     */
    @Override
    public boolean raiseGatewayAlarm(String key, String check, Severity severity, String deviceId, String message) {
        return raiseGatewayAlarm(key, check, severity, deviceId, message, null);
    }

    /** As {@link #raiseGatewayAlarm(String, String, Severity, String, String)}, while the drill {@code duringDrill} runs. */
    boolean raiseGatewayAlarm(String key, String check, Severity severity, String deviceId, String message, String duringDrill) {
        return raise(key, check, severity, deviceId, null, message, null, duringDrill, null);
    }

    /** The check found its condition over: cleared at once, like a rule's. */
    @Override
    public boolean clearGatewayAlarm(String key, String check, String message) {
        return clearByRule(key, check, message);
    }

    private synchronized boolean raise(String key, String ruleId, Severity severity, String deviceId, CampusEvent trigger,
                                       String message, String drill, String duringDrill, Instant triggerStoredAt) {
        Instant now = clock.instant();
        Alarm a = active.get(key);
        if (a != null) {
            active.put(key, a.repeated(message, now));
            return false;
        }
        Alarm raised = new Alarm(key, ruleId, severity, Alarm.State.RAISED, deviceId, message, now, now, 1,
                trigger == null ? null : trigger.id(), null, null, false, drill);
        active.put(key, raised);
        // the kind of event that raised it (camera.intrusion, lab.reading, ...), for those who read the history (the city)
        Map<String, String> extra = new LinkedHashMap<>();
        if (trigger != null) {
            extra.put("triggerKind", trigger.kind());
            // the trigger's hops, for the alarm's ledger here and at the city
            extra.put("triggerOccurredAt", trigger.occurredAt().toString());
            extra.put("triggerReceivedAt", trigger.receivedAt().toString());
            if (triggerStoredAt != null) {
                extra.put("triggerStoredAt", triggerStoredAt.toString());
            }
        }
        if (drill == null && duringDrill != null) {
            extra.put(Drill.DURING, duringDrill);
        }
        emit("alarm.raised", raised, severity, extra);
        return true;
    }

    /**
     * A person acknowledges an active alarm. Completes with false at once when there is no raised
     * alarm with that key (or another person's acknowledgement or clearing of it is being stored),
     * with true once the acknowledgement is durable; only then is the alarm acknowledged here.
     */
    @Override
    public CompletableFuture<Boolean> acknowledge(String key, String user, String note) {
        return acknowledge(key, user, null, note);
    }

    @Override
    public CompletableFuture<Boolean> clear(String key, String user, String note) {
        return clear(key, user, null, note);
    }

    @Override
    public synchronized CompletableFuture<Boolean> acknowledge(String key, String user, String role, String note) {
        Alarm a = active.get(key);
        if (a == null || a.state() != Alarm.State.RAISED || awaitingStore.contains(key)) {
            return CompletableFuture.completedFuture(false);
        }
        Alarm acked = a.acknowledged(user, note);
        Instant raisedAt = a.raisedAt();
        return byPerson(key, emit("alarm.acknowledged", acked, Severity.INFO, changedBy(user, role, note)), () -> {
            Alarm now = active.get(key);
            // the same alarm: a rule may have cleared it and raised a new one with the key meanwhile, which nobody has seen
            if (now != null && now.state() == Alarm.State.RAISED && now.raisedAt().equals(raisedAt)) {
                active.put(key, now.acknowledged(user, note));
            }
        });
    }

    /** A person clears an active alarm: false at once when there is none, true once the clearing is durable. */
    @Override
    public synchronized CompletableFuture<Boolean> clear(String key, String user, String role, String note) {
        Alarm a = active.get(key);
        if (a == null || awaitingStore.contains(key)) {
            return CompletableFuture.completedFuture(false);
        }
        Instant raisedAt = a.raisedAt();
        return byPerson(key, emit("alarm.cleared", cleared(a, note), Severity.INFO, changedBy(user, role, note)), () -> {
            Alarm now = active.get(key);
            if (now != null && now.raisedAt().equals(raisedAt)) {
                active.remove(key);
            }
        });
    }

    /** The alarm's rule saw its condition end: cleared here at once, stored in order. */
    synchronized boolean clearByRule(String key, String ruleId, String message) {
        Alarm a = active.remove(key);
        if (a == null) {
            return false;
        }
        emit("alarm.cleared", cleared(a, message), Severity.INFO, attrs("by", "rule:" + ruleId, "note", message));
        return true;
    }

    /** A drill ended: its alarms still active are cleared (by the drill). Returns how many were. */
    synchronized int clearDrill(String drillId, String note) {
        int n = 0;
        for (Alarm a : List.copyOf(active.values())) {
            if (drillId.equals(a.drillId())) {
                active.remove(a.key());
                emit("alarm.cleared", cleared(a, note), Severity.INFO, attrs("by", "drill:" + drillId, "note", note));
                n++;
            }
        }
        return n;
    }

    /** After a restart: the alarms of any drill but {@code current} (null: none runs) are cleared. Returns how many were. */
    synchronized int clearDrillsExcept(String current, String note) {
        int n = 0;
        for (Alarm a : List.copyOf(active.values())) {
            if (a.drillId() != null && !a.drillId().equals(current)) {
                n += clearDrill(a.drillId(), note);
            }
        }
        return n;
    }

    private Alarm cleared(Alarm a, String note) {
        return a.cleared(clock.instant(), note);
    }

    /** Holds the alarm as it is until the person's transition is durable, then applies it. */
    private CompletableFuture<Boolean> byPerson(String key, CompletableFuture<Void> durable, Runnable apply) {
        awaitingStore.add(key);
        return durable.handle((ok, failure) -> {
            synchronized (this) {
                awaitingStore.remove(key);
                if (failure == null) {
                    apply.run();
                }
            }
            if (failure != null) {
                throw failure instanceof java.util.concurrent.CompletionException c ? c
                        : new java.util.concurrent.CompletionException(failure);
            }
            return true;
        });
    }

    /** Whether transitions are waiting for the store, and since when: for the console and the watchdog. */
    TransitionJournal.Stats journal() {
        return journal.stats();
    }

    /** Escalates unacknowledged CRITICAL alarms older than the escalation time, once each. */
    synchronized void escalate() {
        Instant limit = clock.instant().minus(escalateAfter);
        for (Map.Entry<String, Alarm> en : List.copyOf(active.entrySet())) {
            Alarm a = en.getValue();
            if (a.severity() == Severity.CRITICAL && a.state() == Alarm.State.RAISED && !a.escalated()
                    && !a.raisedAt().isAfter(limit) && !awaitingStore.contains(en.getKey())) {
                Alarm up = a.escalate();
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

    /** The time for a new transition: now, or just after the previous one if the clock went back. */
    private Instant stamp() {
        Instant now = clock.instant();
        if (!now.isAfter(lastStamp)) {
            now = lastStamp.plusMillis(1);
        }
        lastStamp = now;
        return now;
    }

    private CompletableFuture<Void> emit(String kind, Alarm a, Severity severity, Map<String, String> extra) {
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
        if (a.drillId() != null) {
            attrs.put(Drill.ATTRIBUTE, a.drillId());
        }
        attrs.putAll(extra);
        Instant at = stamp();
        CampusEvent.Builder b = CampusEvent.builder().kind(kind).severity(severity).occurredAt(at)
                .receivedAt(at).attributes(attrs);
        if (device != null) {
            b.device(device);
        } else {
            b.schoolId(registry.schoolId()).deviceId(a.deviceId() == null ? "gateway" : a.deviceId()).profileId("gateway");
        }
        return journal.submit(b.build());
    }

    private static Map<String, String> attrs(String k1, String v1, String k2, String v2) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(k1, v1 == null ? "" : v1);
        m.put(k2, v2 == null ? "" : v2);
        return m;
    }

    /** Who changed an alarm: their login (kept at the school), their role (what the city is told), their note. */
    private static Map<String, String> changedBy(String user, String role, String note) {
        Map<String, String> m = attrs("by", user, "note", note);
        if (role != null && !role.isBlank()) {
            m.put("byRole", role);
        }
        return m;
    }

    private static Map<String, String> attrs(String k, String v) {
        return Map.of(k, v);
    }
}
