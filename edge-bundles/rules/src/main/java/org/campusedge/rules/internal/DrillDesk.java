package org.campusedge.rules.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.campusedge.api.Alarm;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Drill;
import org.campusedge.api.EventIds;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;
import org.campusedge.api.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the school's drills. A drill is started (by the security office or the city), its start is
 * stored, and then the gateway plays the device's event once, marked with the drill's id: the rules
 * raise their alarm as they would for the real thing (at any hour), the alarm's actions and
 * notifications follow, each marked as the drill's. The drill ends when its time is up or someone
 * stops it; its alarms still active are then cleared and a report is stored (alarms raised, who
 * acknowledged and how fast, PA requests, notifications delivered). A real CRITICAL alarm while a
 * drill runs interrupts it: {@code audit.drill-interrupted} (CRITICAL), the drill's alarms cleared,
 * and the real alarm's transitions carry {@link Drill#DURING} so every reader is told "not a drill".
 *
 * <p>Not thread-safe: the rules component calls it under its own lock, the same one the engine's
 * decisions are applied under, so a drill's end and a real alarm's raise are never interleaved.
 */
final class DrillDesk {

    private static final Logger LOG = LoggerFactory.getLogger(DrillDesk.class);
    static final Duration SHORTEST = Duration.ofMinutes(1);

    private final TransitionJournal journal;
    private final AlarmBook alarms;
    private final EventStore store;
    private final DeviceRegistry registry;
    private final Consumer<CampusEvent> play;
    private final Clock clock;
    private Drill current;
    /** The id of the event the running drill plays: the one event whose drill mark is believed. */
    private String playedId;
    /** The events drills played lately, so one that reaches the rules after its drill ended is dropped, not taken as real. */
    private final java.util.Deque<String> recentlyPlayed = new java.util.ArrayDeque<>();
    private static final int RECENT = 64;
    /** Where a drill's report is read from the store and recorded: not under the rules' lock. */
    private final java.util.concurrent.Executor reports;

    /** @param play publishes the drill's device event on the bus (after the drill's start is durable) */
    DrillDesk(TransitionJournal journal, AlarmBook alarms, EventStore store, DeviceRegistry registry, Consumer<CampusEvent> play,
              Clock clock) {
        this(journal, alarms, store, registry, play, clock, Runnable::run);
    }

    /** @param reports runs the reading of a drill's report and its recording (the rules component: a thread of its own) */
    DrillDesk(TransitionJournal journal, AlarmBook alarms, EventStore store, DeviceRegistry registry, Consumer<CampusEvent> play,
              Clock clock, java.util.concurrent.Executor reports) {
        this.reports = reports;
        this.journal = journal;
        this.alarms = alarms;
        this.store = store;
        this.registry = registry;
        this.play = play;
        this.clock = clock;
    }

    Optional<Drill> current() {
        return Optional.ofNullable(current);
    }

    /**
     * Whether the event is the one the running drill played. A drill mark on any other event (a
     * device's, forged; the drill's own after the drill ended) is not believed: the event is real.
     */
    boolean played(CampusEvent e) {
        Drill d = current;
        return d != null && e.id().equals(playedId) && d.id().equals(Drill.of(e));
    }

    /**
     * Whether the event is one a drill played whose drill has ended (stopped or interrupted before
     * the event reached the rules): it is neither the drill's nor real, and is dropped.
     */
    boolean stale(CampusEvent e) {
        return !played(e) && recentlyPlayed.contains(e.id());
    }

    private void remember(String eventId) {
        recentlyPlayed.addLast(eventId);
        while (recentlyPlayed.size() > RECENT) {
            recentlyPlayed.removeFirst();
        }
    }

    /**
     * Takes up a drill that was running when the gateway stopped (the last {@code audit.drill-started}
     * without an end after it, oldest first); the next {@link #tick} ends it if its time is up.
     */
    void restore(List<CampusEvent> history) {
        for (CampusEvent e : history) {
            Map<String, String> a = e.attributes();
            if (e.kind().equals("audit.drill-started")) {
                try {
                    current = new Drill(a.get(Drill.ATTRIBUTE), a.getOrDefault("name", ""), a.get("device"), a.get("kind"),
                            e.occurredAt(), Instant.parse(a.get("endsAt")), a.getOrDefault("by", ""));
                    playedId = a.get("event");
                    if (playedId != null) {
                        remember(playedId);
                    }
                } catch (RuntimeException bad) {
                    current = null; // a record that cannot be read: no drill to take up
                }
            } else if (e.kind().equals("audit.drill-ended") && current != null && current.id().equals(a.get(Drill.ATTRIBUTE))) {
                current = null;
            }
        }
        if (current != null) {
            LOG.info("Drill {} ({}) still running from before the restart, until {}", current.id(), current.name(), current.endsAt());
        }
    }

    /**
     * Starts a drill of one {@code kind} event (camera.intrusion when blank) from the device, or, with
     * no device (the city's district drill), from the first device whose event raises a CRITICAL
     * alarm. Refused (IllegalArgumentException) when no rule in {@code rules} would raise an alarm on
     * it: the drill would show nothing.
     */
    CompletableFuture<Drill> start(String deviceId, String kind, Duration length, String name, String by, List<Rule> rules) {
        String event = kind == null || kind.isBlank() ? Families.CAMERA_INTRUSION : kind;
        Device device;
        if (deviceId == null || deviceId.isBlank()) {
            device = registry.devices().stream().sorted(java.util.Comparator.comparing(Device::id))
                    .filter(d -> drillRule(d, event, rules).map(r -> r.severity() == Severity.CRITICAL).orElse(false)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no device's " + event + " raises a CRITICAL alarm here"));
        } else {
            device = registry.device(deviceId).orElseThrow(() -> new IllegalArgumentException("no device " + deviceId + " in the inventory"));
            if (drillRule(device, event, rules).isEmpty()) {
                throw new IllegalArgumentException("no rule in force raises an alarm on one " + event + " from " + deviceId
                        + ": the drill would show nothing");
            }
        }
        return start(device, event, length, name, by);
    }

    /** The rule (the most severe) by which one {@code kind} event from the device raises an alarm. */
    private static Optional<Rule> drillRule(Device device, String kind, List<Rule> rules) {
        CampusEvent probe = CampusEvent.builder().device(device).kind(kind).build();
        return rules.stream().filter(r -> r.match().matches(probe)
                && (r.kind() == Rule.Kind.ABSENCE || (r.kind() == Rule.Kind.WINDOW && r.count() <= 1)))
                .max(java.util.Comparator.comparing(Rule::severity));
    }

    /**
     * Starts a drill; the caller has checked that a rule in force raises an alarm on the event. The
     * future completes with the drill once its start is durable; the device's event is played then.
     */
    CompletableFuture<Drill> start(Device device, String kind, Duration length, String name, String by) {
        if (current != null) {
            throw new IllegalStateException("drill " + current.id() + " (" + current.name() + ") runs until " + current.endsAt()
                    + "; stop it first");
        }
        if (length.compareTo(SHORTEST) < 0 || length.compareTo(Drill.LONGEST) > 0) {
            throw new IllegalArgumentException("a drill lasts 1 to " + Drill.LONGEST.toMinutes() + " minutes, not "
                    + length.toMinutes());
        }
        Instant now = clock.instant();
        // one line, no control characters: it is shown on screens and written to the log and the records
        String title = name == null || name.isBlank() ? kind + " at " + device.id() : name.replaceAll("\\p{Cntrl}", " ").strip();
        if (title.length() > 120) {
            title = title.substring(0, 120);
        }
        Drill drill = new Drill(EventIds.next(), title, device.id(), kind, now, now.plus(length), by);
        current = drill;
        String eventId = EventIds.next();
        playedId = eventId;
        remember(eventId);
        Map<String, String> attrs = base(drill);
        attrs.put("name", drill.name());
        attrs.put("device", device.id());
        attrs.put("kind", kind);
        attrs.put("endsAt", drill.endsAt().toString());
        attrs.put("event", eventId);
        attrs.put("by", by);
        LOG.info("Drill {} started by {}: {} from {} for {} min", drill.id(), by, kind, device.id(), length.toMinutes());
        return journal.submit(record("audit.drill-started", Severity.NOTICE, attrs)).thenApply(durable -> {
            // the device's event, after the start is on record: the store reads started, event, alarm, in that order
            play.accept(CampusEvent.builder().id(eventId).device(device).kind(kind).severity(Severity.WARNING).occurredAt(clock.instant())
                    .attributes(Map.of(Drill.ATTRIBUTE, drill.id(), "source", "drill")).build());
            return drill;
        });
    }

    /** Ends the running drill: its alarms cleared, its report stored; completes when that is durable. Empty when none ran. */
    CompletableFuture<Optional<Drill>> stop(String by) {
        Drill d = current;
        if (d == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return end(d, "stopped by " + by, by, Severity.NOTICE).thenApply(v -> Optional.of(d));
    }

    /** Ends a drill whose time is up. */
    void tick() {
        Drill d = current;
        if (d != null && !clock.instant().isBefore(d.endsAt())) {
            end(d, "its time was up", "drill", Severity.NOTICE);
        }
    }

    /** A real CRITICAL alarm was raised while a drill ran: the drill stops, loudly. */
    void interrupt(Alarm real) {
        Drill d = current;
        if (d == null || real.drill()) {
            return;
        }
        Map<String, String> attrs = base(d);
        attrs.put("name", d.name());
        attrs.put("realAlarm", real.key());
        attrs.put("message", "REAL ALARM — NOT A DRILL / 真实报警，非演练: " + real.message());
        LOG.warn("Drill {} interrupted by a real alarm: {} {}", d.id(), real.key(), real.message());
        journal.submit(record("audit.drill-interrupted", Severity.CRITICAL, attrs));
        end(d, "interrupted by the real alarm " + real.key(), "alarm:" + real.key(), Severity.WARNING);
    }

    private CompletableFuture<Void> end(Drill d, String why, String by, Severity severity) {
        current = null;
        playedId = null;
        int cleared = alarms.clearDrill(d.id(), "drill over: " + why);
        Map<String, String> attrs = base(d);
        attrs.put("name", d.name());
        attrs.put("why", why);
        attrs.put("by", by);
        attrs.put("clearedAtEnd", Integer.toString(cleared));
        LOG.info("Drill {} ended: {}", d.id(), why);
        // the report reads the store: done apart, so a real alarm that interrupted the drill is not held up by it
        return CompletableFuture.supplyAsync(() -> {
            attrs.putAll(report(d));
            LOG.info("Drill {} report: {}", d.id(), attrs);
            return record("audit.drill-ended", severity, attrs);
        }, reports).thenCompose(journal::submit);
    }

    /**
     * What the drill showed, from the store: alarms raised, the first acknowledgement (by whom, after
     * how long), PA requests made, notifications delivered. What is still on its way to the store
     * is not counted: the report says what is on record.
     */
    private Map<String, String> report(Drill d) {
        Map<String, String> out = new LinkedHashMap<>();
        int raised = 0;
        CampusEvent firstAck = null;
        Instant firstRaise = null;
        try {
            for (CampusEvent e : store.query(EventQuery.all(10_000).withKind("alarm.*").between(d.startedAt(), null))) {
                if (!d.id().equals(Drill.of(e))) {
                    continue;
                }
                if (e.kind().equals("alarm.raised")) {
                    raised++;
                    firstRaise = firstRaise == null ? e.occurredAt() : firstRaise;
                } else if (e.kind().equals("alarm.acknowledged") && firstAck == null) {
                    firstAck = e;
                }
            }
            long pa = store.query(EventQuery.all(10_000).withKind("broadcast.*").between(d.startedAt(), null)).stream()
                    .filter(e -> d.id().equals(Drill.of(e))).count();
            long told = store.query(EventQuery.all(10_000).withKind("audit.notification-sent").between(d.startedAt(), null)).stream()
                    .filter(e -> Drill.isDrillKey(e.attributes().get("alarm"))).count();
            out.put("alarmsRaised", Integer.toString(raised));
            out.put("paRequests", Long.toString(pa));
            out.put("notificationsSent", Long.toString(told));
            if (firstAck != null && firstRaise != null) {
                out.put("acknowledgedBy", firstAck.attributes().getOrDefault("by", ""));
                out.put("acknowledgedAfterSeconds", Long.toString(Duration.between(firstRaise, firstAck.occurredAt()).toSeconds()));
            } else {
                out.put("acknowledgedBy", "");
            }
        } catch (RuntimeException e) {
            out.put("report", "the store could not be read for the report: " + e.getClass().getSimpleName());
        }
        return out;
    }

    private static Map<String, String> base(Drill d) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put(Drill.ATTRIBUTE, d.id());
        return attrs;
    }

    private CampusEvent record(String kind, Severity severity, Map<String, String> attrs) {
        Instant now = clock.instant();
        return CampusEvent.builder().schoolId(registry.schoolId()).deviceId("gateway").profileId("gateway").kind(kind)
                .severity(severity).occurredAt(now).receivedAt(now).attributes(attrs).build();
    }
}
