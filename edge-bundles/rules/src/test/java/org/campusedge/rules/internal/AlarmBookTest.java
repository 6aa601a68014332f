package org.campusedge.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.campusedge.api.Alarm;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Location;
import org.campusedge.api.Profile;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.Test;

/** The alarm lifecycle and the events it leaves in the store. */
class AlarmBookTest {

    private final List<CampusEvent> published = new ArrayList<>();
    private Instant now = Events.T0;
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };
    private final DeviceRegistry registry = new DeviceRegistry() {
        @Override public String schoolId() { return "sch"; }
        @Override public Optional<Device> device(String id) {
            return Optional.of(new Device(id, "sch", "camera-isapi", "camera", new Location("Fence", null, null, "perimeter"),
                    null, null));
        }
        @Override public Collection<Device> devices() { return List.of(); }
        @Override public Optional<Profile> profile(String id) { return Optional.empty(); }
        @Override public Collection<Profile> profiles() { return List.of(); }
        @Override public List<String> loadErrors() { return List.of(); }
        @Override public long generation() { return 1; }
        @Override public AutoCloseable addListener(Listener l) { return () -> { }; }
    };
    /** The store: takes what it is given, unless it is failing (a full disk). */
    private volatile String storeFailing;
    private final TransitionJournal journal = new TransitionJournal(events -> {
        if (storeFailing != null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(storeFailing));
        }
        synchronized (published) {
            published.addAll(events);
        }
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }, clock);
    private final AlarmBook book = new AlarmBook(journal, registry, clock, Duration.ofMinutes(5));

    @org.junit.jupiter.api.AfterEach
    void closeJournal() {
        journal.close();
    }
    private final Rule night = Events.window("night", "camera.intrusion", 1, 60, Rule.When.ALWAYS, false, Set.of());
    private final CampusEvent trigger = Events.event("cam-1", "camera.intrusion", "perimeter", Events.T0);

    private List<String> kinds() {
        synchronized (published) {
            return published.stream().map(CampusEvent::kind).toList();
        }
    }

    @Test
    void repeatsUpdateTheActiveAlarmInsteadOfRaisingDuplicates() {
        assertTrue(book.raise("night:cam-1", night, trigger, "intrusion"));
        now = now.plusSeconds(5);
        assertFalse(book.raise("night:cam-1", night, trigger, "intrusion again"));
        Alarm a = book.get("night:cam-1").orElseThrow();
        assertEquals(2, a.count());
        assertEquals("intrusion again", a.message());
        assertEquals(List.of("alarm.raised"), kinds());
        CampusEvent raised = published.get(0);
        assertEquals(Severity.CRITICAL, raised.severity());
        assertEquals("cam-1", raised.deviceId());
        assertEquals("perimeter", raised.location().zone());
        assertEquals(trigger.id(), raised.attributes().get("trigger"));
    }

    @Test
    void acknowledgedByWhomWithANoteThenCleared() {
        book.raise("night:cam-1", night, trigger, "intrusion");
        assertTrue(book.acknowledge("night:cam-1", "guard-wang", "on my way").join());
        assertFalse(book.acknowledge("night:cam-1", "guard-li", "twice").join(), "acknowledged twice");
        assertEquals("guard-wang", book.get("night:cam-1").orElseThrow().acknowledgedBy());
        assertTrue(book.clear("night:cam-1", "guard-wang", "a cat").join());
        assertTrue(book.active().isEmpty());
        assertFalse(book.clear("night:cam-1", "guard-wang", "again").join());
        assertEquals(List.of("alarm.raised", "alarm.acknowledged", "alarm.cleared"), kinds());
        assertEquals("on my way", published.get(1).attributes().get("note"));
        assertEquals("a cat", published.get(2).attributes().get("note"));
        assertTrue(book.raise("night:cam-1", night, trigger, "intrusion"), "after clearing, the next one is a new alarm");
    }

    @Test
    void anUnacknowledgedCriticalAlarmEscalatesOnce() {
        book.raise("night:cam-1", night, trigger, "intrusion");
        now = now.plus(Duration.ofMinutes(4));
        book.escalate();
        assertEquals(List.of("alarm.raised"), kinds());
        now = now.plus(Duration.ofMinutes(1));
        book.escalate();
        book.escalate();
        assertEquals(List.of("alarm.raised", "alarm.escalated"), kinds());
        assertTrue(book.get("night:cam-1").orElseThrow().escalated());
    }

    @Test
    void anAcknowledgedAlarmDoesNotEscalate() {
        book.raise("night:cam-1", night, trigger, "intrusion");
        book.acknowledge("night:cam-1", "guard", "seen").join();
        now = now.plus(Duration.ofMinutes(10));
        book.escalate();
        assertEquals(List.of("alarm.raised", "alarm.acknowledged"), kinds());
    }

    @Test
    void theActiveAlarmsComeBackFromTheirStoredHistoryAfterARestart() {
        Rule hot = Events.threshold("hot", 50.0, null, 1, 0);
        book.raise("night:cam-1", night, trigger, "intrusion");
        book.acknowledge("night:cam-1", "guard-wang", "on my way").join();
        book.raise("hot:s1", hot, Events.reading("s1", "temperature", 60, now), "hot");
        book.raise("night:cam-2", night, Events.event("cam-2", "camera.intrusion", "perimeter", now), "intrusion 2");
        book.clear("night:cam-2", "guard-wang", "nothing").join();
        now = now.plus(Duration.ofMinutes(6));
        book.escalate(); // nothing: the CRITICAL one was acknowledged

        AlarmBook restarted = new AlarmBook(journal, registry, clock, Duration.ofMinutes(5));
        restarted.restore(published);
        assertEquals(List.of("night:cam-1", "hot:s1"), restarted.active().stream().map(Alarm::key).toList());
        Alarm night1 = restarted.get("night:cam-1").orElseThrow();
        assertEquals(Alarm.State.ACKNOWLEDGED, night1.state());
        assertEquals("guard-wang", night1.acknowledgedBy());
        assertEquals(Severity.CRITICAL, night1.severity());
        assertEquals("cam-1", night1.deviceId());
        assertFalse(restarted.raise("hot:s1", hot, Events.reading("s1", "temperature", 61, now), "hot"),
                "a restored alarm repeats, it is not raised again");
    }

    @Test
    void activeAlarmsComeMostSevereFirst() {
        Rule hot = Events.threshold("hot", 50.0, null, 1, 0);
        book.raise("hot:s1", hot, Events.reading("s1", "temperature", 60, now), "hot");
        now = now.plusSeconds(1);
        book.raise("night:cam-1", night, trigger, "intrusion");
        assertEquals(List.of("night:cam-1", "hot:s1"), book.active().stream().map(Alarm::key).toList());
    }

    @Test
    void aFailingStoreLosesNoTransitionAndAnAcknowledgementStandsOnlyOnceStored() throws Exception {
        storeFailing = "[SQLITE_FULL] database or disk is full";
        assertTrue(book.raise("night:cam-1", night, trigger, "intrusion"));
        assertEquals(Alarm.State.RAISED, book.get("night:cam-1").orElseThrow().state(), "the gateway's own decision takes effect at once");
        java.util.concurrent.CompletableFuture<Boolean> ack = book.acknowledge("night:cam-1", "guard-wang", "on my way");
        Thread.sleep(600); // a few retries fail meanwhile
        assertFalse(ack.isDone(), "answered before the acknowledgement was stored");
        assertEquals(Alarm.State.RAISED, book.get("night:cam-1").orElseThrow().state(), "shown acknowledged before it was stored");
        assertFalse(book.acknowledge("night:cam-1", "guard-li", "me too").join(), "a second acknowledgement while the first is stored");
        now = now.plus(Duration.ofMinutes(10));
        book.escalate(); // an acknowledgement is on its way: no escalation
        book.raise("hot:s1", Events.threshold("hot", 50.0, null, 1, 0), Events.reading("s1", "temperature", 60, now), "hot");
        book.clearByRule("hot:s1", "hot", "back to normal");
        assertEquals(List.of(), kinds());
        assertTrue(journal.stats().waiting() == 4 && journal.stats().failedPublishes() >= 2
                && journal.stats().lastFailure().contains("SQLITE_FULL"), journal.stats().toString());

        storeFailing = null; // space again
        assertTrue(ack.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(Alarm.State.ACKNOWLEDGED, book.get("night:cam-1").orElseThrow().state());
        assertEquals(List.of("alarm.raised", "alarm.acknowledged", "alarm.raised", "alarm.cleared"), kinds(),
                "every transition, in the order made");
        assertEquals(0, journal.stats().waiting());
    }

    @Test
    void transitionTimesNeverGoBackEvenWhenTheClockDoes() {
        book.raise("night:cam-1", night, trigger, "intrusion");
        now = now.minus(Duration.ofMinutes(30)); // the clock is stepped back
        book.acknowledge("night:cam-1", "guard", "seen").join();
        book.clear("night:cam-1", "guard", "cat").join();
        List<Instant> times = published.stream().map(CampusEvent::occurredAt).toList();
        assertTrue(times.get(0).isBefore(times.get(1)) && times.get(1).isBefore(times.get(2)), times.toString());

        // after a restart, a new transition comes after the last stored one too
        AlarmBook restarted = new AlarmBook(journal, registry, clock, Duration.ofMinutes(5));
        restarted.restore(List.copyOf(published));
        restarted.raise("night:cam-2", night, trigger, "intrusion 2");
        assertTrue(published.get(3).occurredAt().isAfter(times.get(2)), published.get(3).occurredAt() + " vs " + times.get(2));
    }

    @Test
    void aStallWatchRaisesItsAlarmOnceTheFailuresLastAndTheFirstSuccessClearsIt() {
        org.campusedge.api.StallWatch watch = new org.campusedge.api.StallWatch("gateway:cloud-forwarder-stalled", "cloud-forwarder",
                Severity.WARNING, null, Duration.ofSeconds(60), clock, () -> book);
        assertFalse(watch.failed("outbox full"));
        now = now.plusSeconds(30);
        watch.ok("moves");
        now = now.plusSeconds(45);
        assertFalse(watch.failed("outbox full"), "a success between: the failures have lasted 0 s");
        now = now.plusSeconds(59);
        assertFalse(watch.failed("outbox full"));
        assertTrue(book.active().isEmpty());
        now = now.plusSeconds(1);
        assertTrue(watch.failed("outbox full"));
        assertFalse(watch.failed("outbox full"), "raised once, then counted");
        Alarm stalled = book.get("gateway:cloud-forwarder-stalled").orElseThrow();
        assertEquals(Severity.WARNING, stalled.severity());
        assertEquals(2, stalled.count());
        assertTrue(stalled.message().startsWith("outbox full (since "), stalled.message());
        watch.ok("moves again");
        assertTrue(book.active().isEmpty());
        assertEquals(List.of("alarm.raised", "alarm.cleared"), kinds());
        assertEquals("gateway", published.get(0).deviceId());
    }

    private static CampusEvent pa(String kind, Map<String, String> attributes) {
        return CampusEvent.builder().schoolId("sch").deviceId("pa-main").profileId("broadcast-http").kind(kind).severity(Severity.INFO)
                .attributes(attributes).build();
    }

    @Test
    void aPaControllerThatTakesPlaysAndReportsNoneIsAnAlarmUntilItReportsAgain() {
        PaReportWatch watch = new PaReportWatch(Duration.ofSeconds(60), clock, () -> book);
        String key = PaReportWatch.KEY_PREFIX + "pa-main";
        CampusEvent play = pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t1"));
        watch.onEvent(play);
        now = now.plusSeconds(30);
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "partial", "taskId", "t2")));
        now = now.plusSeconds(29);
        watch.check();
        assertTrue(book.active().isEmpty(), "59 s after the first play: still within the limit");
        // the gateway's own record of a command it could not deliver is not the controller's report
        watch.onEvent(pa("broadcast.fault", Map.of("action", "play", "outcome", "unreachable")));
        // refused plays and status polls expect no report
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "refused")));
        now = now.plusSeconds(1);
        watch.check();
        Alarm a = book.get(key).orElseThrow(() -> new AssertionError("no alarm 60 s after an unreported play: " + book.active()));
        assertEquals(Severity.WARNING, a.severity());
        assertEquals("pa-main", a.deviceId());
        assertTrue(a.message().contains("reported no play"), a.message());
        now = now.plusSeconds(10);
        watch.check();
        assertEquals(1, book.get(key).orElseThrow().count(), "raised once, not counted up every second");

        watch.onEvent(pa("broadcast.played", Map.of("zone", "playground", "taskId", "t2")));
        assertTrue(book.get(key).isEmpty(), "the controller's next report clears it");
        now = now.plusSeconds(600);
        watch.check();
        assertTrue(book.get(key).isEmpty(), "nothing is waiting any more");

        // a stopped play is never reported: an accepted stop ends the wait
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t3")));
        watch.onEvent(pa("broadcast.requested", Map.of("action", "stop", "outcome", "accepted")));
        now = now.plusSeconds(120);
        watch.check();
        assertTrue(book.get(key).isEmpty(), "a stopped play raised an alarm");
        // a fault report counts as a report too
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t4")));
        now = now.plusSeconds(61);
        watch.check();
        assertTrue(book.get(key).isPresent());
        watch.onEvent(pa("broadcast.fault", Map.of("zone", "dormitory", "reason", "amplifier fault", "taskId", "t4")));
        assertTrue(book.get(key).isEmpty(), "a fault report clears it (the fault itself is the controller's news)");

        // an earlier play reported while a later one stays silent: the later one still raises it
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t5")));
        now = now.plusSeconds(10);
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t6")));
        watch.onEvent(pa("broadcast.played", Map.of("zone", "playground", "taskId", "t5")));
        now = now.plusSeconds(60);
        watch.check();
        assertTrue(book.get(key).isPresent(), "t6 never reported, yet no alarm because t5 was");
        // a later play's report settles an earlier one (pre-empted plays are reported by the later play only)
        book.clear(key, "admin", "checked the amplifier").toCompletableFuture().join();
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t7")));
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t8")));
        watch.onEvent(pa("broadcast.played", Map.of("zone", "playground", "taskId", "t8")));
        now = now.plusSeconds(61);
        watch.check();
        assertTrue(book.get(key).isEmpty(), "the pre-empted t7 raised an alarm");
        // cleared by hand earlier: the next silent play raises it again
        watch.onEvent(pa("broadcast.requested", Map.of("action", "play", "outcome", "accepted", "taskId", "t9")));
        now = now.plusSeconds(61);
        watch.check();
        assertTrue(book.get(key).isPresent(), "a silent play after a manual clear raised nothing");
    }

    @Test
    void aStoredAcknowledgementOrClearingDoesNotLandOnANewerAlarmWithTheSameKey() throws Exception {
        storeFailing = "[SQLITE_FULL] database or disk is full";
        book.raise("night:cam-1", night, trigger, "intrusion");
        java.util.concurrent.CompletableFuture<Boolean> ack = book.acknowledge("night:cam-1", "guard-wang", "on my way");
        assertFalse(book.clear("night:cam-1", "guard-li", "seen").join(), "a second change while the first is being stored");
        // meanwhile the rule clears it and the camera raises it again: a new alarm nobody has seen
        now = now.plusSeconds(30);
        book.clearByRule("night:cam-1", "night", "quiet");
        now = now.plusSeconds(30);
        book.raise("night:cam-1", night, trigger, "intrusion again");
        storeFailing = null;
        assertTrue(ack.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(Alarm.State.RAISED, book.get("night:cam-1").orElseThrow().state(), "an older acknowledgement landed on the newer alarm");

        // the same for a clearing
        storeFailing = "[SQLITE_FULL] database or disk is full";
        java.util.concurrent.CompletableFuture<Boolean> clear = book.clear("night:cam-1", "guard-li", "seen");
        now = now.plusSeconds(30);
        book.clearByRule("night:cam-1", "night", "quiet");
        now = now.plusSeconds(30);
        book.raise("night:cam-1", night, trigger, "a third time");
        storeFailing = null;
        assertTrue(clear.get(10, java.util.concurrent.TimeUnit.SECONDS));
        Alarm third = book.get("night:cam-1").orElseThrow(() -> new AssertionError("the newest alarm was removed by an older clearing"));
        assertEquals("a third time", third.message());
        assertEquals(List.of("alarm.raised", "alarm.acknowledged", "alarm.cleared", "alarm.raised", "alarm.cleared", "alarm.cleared",
                "alarm.raised"), kinds());
    }
}
