package org.campusedge.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.campusedge.api.Alarm;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Drill;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Location;
import org.campusedge.api.Profile;
import org.campusedge.api.StoreStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A drill's life: started on record, its event played, its alarm marked, ended by time, a person or a real alarm. */
class DrillDeskTest {

    private final List<CampusEvent> stored = new ArrayList<>();
    private final List<CampusEvent> played = new ArrayList<>();
    private Instant now = Events.T0;
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };
    private final Device camera = new Device("cam-1", "sch", "camera-isapi", "camera", new Location("Fence", null, null, "perimeter"),
            null, null);
    private final DeviceRegistry registry = new DeviceRegistry() {
        @Override public String schoolId() { return "sch"; }
        @Override public Optional<Device> device(String id) { return Optional.of(camera); }
        @Override public Collection<Device> devices() { return List.of(camera); }
        @Override public Optional<Profile> profile(String id) { return Optional.empty(); }
        @Override public Collection<Profile> profiles() { return List.of(); }
        @Override public List<String> loadErrors() { return List.of(); }
        @Override public long generation() { return 1; }
        @Override public AutoCloseable addListener(Listener l) { return () -> { }; }
    };
    /** What the report reads: the stored events by kind pattern and time, as the SQLite store answers. */
    private final EventStore store = new EventStore() {
        @Override public CompletionStage<Void> append(List<CampusEvent> events) { return CompletableFuture.completedFuture(null); }
        @Override public List<CampusEvent> query(EventQuery q) {
            synchronized (stored) {
                String prefix = q.kind().replace("*", "");
                return stored.stream().filter(e -> e.kind().startsWith(prefix) && !e.occurredAt().isBefore(q.from())).toList();
            }
        }
        @Override public long count(EventQuery q) { return query(q).size(); }
        @Override public StoreStats stats() { return null; }
    };
    private final TransitionJournal journal = new TransitionJournal(events -> {
        synchronized (stored) {
            stored.addAll(events);
        }
        return CompletableFuture.completedFuture(null);
    }, clock);
    private final AlarmBook book = new AlarmBook(journal, registry, clock, Duration.ofMinutes(5));
    private final DrillDesk desk = new DrillDesk(journal, book, store, registry, e -> {
        played.add(e);
        synchronized (stored) {
            stored.add(e);
        }
    }, clock);
    private final Rule night = Events.window("night", "camera.intrusion", 1, 60, Rule.When.ALWAYS, false, Set.of());

    @AfterEach
    void close() {
        journal.close();
    }

    private List<String> kinds() {
        synchronized (stored) {
            return stored.stream().map(CampusEvent::kind).toList();
        }
    }

    private CampusEvent last(String kind) {
        synchronized (stored) {
            return stored.stream().filter(e -> e.kind().equals(kind)).reduce((a, b) -> b).orElseThrow();
        }
    }

    /** Starts a drill and raises its alarm from the played event, as the engine would. */
    private Drill startAndRaise() throws Exception {
        Drill d = desk.start(camera, "camera.intrusion", Duration.ofMinutes(10), "fence drill", "user:head").get();
        assertEquals(1, played.size());
        CampusEvent trigger = played.get(0);
        assertEquals(d.id(), Drill.of(trigger));
        assertTrue(desk.played(trigger));
        assertTrue(book.raise(night.keyFor(trigger, true), night, trigger, "intrusion", d.id(), null));
        return d;
    }

    @Test
    void theStartIsOnRecordBeforeTheEventIsPlayedAndTheAlarmIsTheDrills() throws Exception {
        Drill d = startAndRaise();
        assertEquals(List.of("audit.drill-started", "camera.intrusion", "alarm.raised"), kinds());
        Alarm a = book.get("night:cam-1@drill").orElseThrow();
        assertEquals(d.id(), a.drillId());
        assertEquals(d.id(), last("alarm.raised").attributes().get(Drill.ATTRIBUTE));
        assertEquals("user:head", last("audit.drill-started").attributes().get("by"));
        assertThrows(IllegalStateException.class, () -> desk.start(camera, "camera.intrusion", Duration.ofMinutes(5), "", "x"));
    }

    @Test
    void aDrillMarkOnAnyOtherEventIsNotBelieved() throws Exception {
        Drill d = startAndRaise();
        CampusEvent forged = CampusEvent.builder().device(camera).kind("camera.intrusion")
                .attributes(Map.of(Drill.ATTRIBUTE, d.id())).build();
        assertFalse(desk.played(forged), "a device's event that says it is the drill's is the drill's");
        CampusEvent played = this.played.get(0);
        assertFalse(desk.stale(played));
        assertFalse(desk.stale(forged), "a forged mark is real, not stale: it goes to the rules as a real event");
        desk.stop("user:head").get();
        assertFalse(desk.played(played), "the drill's own event after the drill ended");
        assertTrue(desk.stale(played), "the drill's own event, late after its drill ended, would be taken as real");
    }

    @Test
    void aDrillAlarmLeftOverFromADrillThatIsOverIsClearedAtStart() throws Exception {
        Drill d = startAndRaise();
        assertEquals(0, book.clearDrillsExcept(d.id(), "its drill is over"));
        assertEquals(1, book.clearDrillsExcept(null, "its drill is over"));
        assertTrue(book.get("night:cam-1@drill").isEmpty());
    }

    @Test
    void withoutADeviceTheFirstWhoseEventRaisesACriticalAlarmIsChosenAndADrillThatWouldShowNothingIsRefused() throws Exception {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> desk.start("cam-1", "camera.intrusion", Duration.ofMinutes(5), "", "city:li", List.of()));
        assertTrue(none.getMessage().contains("would show nothing"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> desk.start(null, null, Duration.ofMinutes(5), "", "city:li", List.of()));
        Drill d = desk.start(null, null, Duration.ofMinutes(5), "district\ndrill\u0007", "city:li", List.of(night)).get();
        assertEquals("cam-1", d.deviceId());
        assertEquals("camera.intrusion", d.kind());
        assertEquals("district drill", d.name(), "control characters are not kept in a name shown on screens and in logs");
    }

    @Test
    void aLengthOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> desk.start(camera, "camera.intrusion", Duration.ofSeconds(30), "", "x"));
        assertThrows(IllegalArgumentException.class, () -> desk.start(camera, "camera.intrusion", Duration.ofHours(3), "", "x"));
        assertTrue(desk.current().isEmpty());
    }

    @Test
    void whenItsTimeIsUpItsAlarmsAreClearedAndItsReportStored() throws Exception {
        Drill d = startAndRaise();
        now = now.plusSeconds(40);
        assertTrue(book.acknowledge("night:cam-1@drill", "guard-wang", "on my way").toCompletableFuture().get());
        now = now.plus(Duration.ofMinutes(9));
        desk.tick();
        assertTrue(desk.current().isPresent(), "ended early");
        now = now.plus(Duration.ofMinutes(1));
        desk.tick();
        assertTrue(desk.current().isEmpty());
        assertTrue(book.get("night:cam-1@drill").isEmpty(), "the drill's alarm outlived the drill");
        assertEquals("drill:" + d.id(), last("alarm.cleared").attributes().get("by"));
        Map<String, String> report = last("audit.drill-ended").attributes();
        assertEquals("1", report.get("alarmsRaised"));
        assertEquals("guard-wang", report.get("acknowledgedBy"));
        assertEquals("40", report.get("acknowledgedAfterSeconds"));
        assertEquals("its time was up", report.get("why"));
    }

    @Test
    void aRealAlarmInterruptsTheDrillAndIsNeverTheDrills() throws Exception {
        Drill d = startAndRaise();
        CampusEvent real = Events.event("cam-2", "camera.intrusion", "perimeter", now);
        assertTrue(book.raise(night.keyFor(real), night, real, "real intrusion", null, desk.current().map(Drill::id).orElse(null)));
        Alarm realAlarm = book.get("night:cam-2").orElseThrow();
        assertEquals(null, realAlarm.drillId());
        assertEquals(d.id(), last("alarm.raised").attributes().get(Drill.DURING), "the real alarm does not say it came during a drill");
        desk.interrupt(realAlarm);
        CampusEvent interrupted = last("audit.drill-interrupted");
        assertEquals(org.campusedge.api.Severity.CRITICAL, interrupted.severity());
        assertEquals("night:cam-2", interrupted.attributes().get("realAlarm"));
        assertTrue(desk.current().isEmpty());
        assertTrue(book.get("night:cam-1@drill").isEmpty());
        assertTrue(book.get("night:cam-2").isPresent(), "the real alarm was cleared with the drill");
        assertTrue(last("audit.drill-ended").attributes().get("why").contains("night:cam-2"));
    }

    @Test
    void aDrillRunningAtARestartIsTakenUpAndEndsOnTime() throws Exception {
        Drill d = startAndRaise();
        List<CampusEvent> history;
        synchronized (stored) {
            history = List.copyOf(stored);
        }
        DrillDesk restarted = new DrillDesk(journal, book, store, registry, played::add, clock);
        restarted.restore(history.stream().filter(e -> e.kind().startsWith("audit.drill-")).toList());
        assertEquals(Optional.of(d.id()), restarted.current().map(Drill::id));
        assertEquals(d.endsAt(), restarted.current().orElseThrow().endsAt());
        now = d.endsAt();
        restarted.tick();
        assertTrue(restarted.current().isEmpty());
        DrillDesk again = new DrillDesk(journal, book, store, registry, played::add, clock);
        synchronized (stored) {
            again.restore(stored.stream().filter(e -> e.kind().startsWith("audit.drill-")).toList());
        }
        assertTrue(again.current().isEmpty(), "an ended drill came back");
    }
}
