package org.campusedge.hono.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.Outbox;
import org.campusedge.api.Severity;
import org.campusedge.store.files.EventStoreFile;
import org.campusedge.store.files.OutboxFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CRITICAL alarm transitions from a real event store into a real outbox's critical lane, once, across restarts. */
class AlarmForwarderTest {

    @TempDir
    Path dir;
    private EventStoreFile store;
    private OutboxFile outbox;
    private final Device camera = MemoryRegistry.device("cam-gate-1", "camera", "Gate");
    private final Instant start = Instant.parse("2026-11-23T01:00:00Z");

    @BeforeEach
    void open() throws Exception {
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        outbox = OutboxFile.open(dir.resolve("outbox.db"), 10_000_000);
    }

    @AfterEach
    void close() throws Exception {
        outbox.close();
        store.close();
    }

    private CampusEvent alarm(String kind, String severity, int second, Map<String, String> extra) {
        Map<String, String> a = new java.util.HashMap<>(Map.of("alarm", "night:cam-gate-1", "rule", "night", "alarmSeverity", severity,
                "message", "intrusion at the gate"));
        a.putAll(extra);
        return CampusEvent.builder().device(camera).kind(kind).severity(Severity.valueOf(severity)).occurredAt(start.plusSeconds(second))
                .attributes(a).build();
    }

    private AlarmForwarder forwarder() {
        return new AlarmForwarder(store, outbox, "sch-t", new StateFile(dir.resolve("cursor")), () -> null, start.minusSeconds(60));
    }

    @Test
    void theCityIsToldRolesNotPeople() {
        assertEquals("security", AlarmForwarder.role(Map.of("by", "guard-wang", "byRole", "security")));
        assertEquals("staff", AlarmForwarder.role(Map.of("by", "guard-wang")), "a person whose role an older release did not record");
        assertEquals("rule", AlarmForwarder.role(Map.of("by", "rule:night-intrusion")));
        assertEquals("drill", AlarmForwarder.role(Map.of("by", "drill:d-1")));
        assertEquals("city", AlarmForwarder.role(Map.of("by", "city:bureau-ops")));
        assertEquals(null, AlarmForwarder.role(Map.of()));
    }

    @Test
    void criticalTransitionsAreQueuedOnceInOrderAndNotAgainAfterARestart() throws Exception {
        store.append(List.of(alarm("alarm.raised", "CRITICAL", 1, Map.of()), alarm("alarm.raised", "WARNING", 2, Map.of()),
                alarm("alarm.acknowledged", "CRITICAL", 3, Map.of("by", "zhang", "byRole", "security", "note", "Zhang Wei went to gate 2")))).toCompletableFuture().get();
        AlarmForwarder f = forwarder();
        assertEquals(2, f.poll());
        assertEquals(0, f.poll(), "nothing new");

        List<Outbox.Message> queued = outbox.peek(Outbox.Lane.CRITICAL, 10);
        assertEquals(2, queued.size());
        assertEquals("event//sch-t.cam-gate-1", queued.get(0).address());
        String raised = new String(queued.get(0).payload(), StandardCharsets.UTF_8);
        String acked = new String(queued.get(1).payload(), StandardCharsets.UTF_8);
        assertTrue(raised.contains("\"type\":\"org.campusedge.alarm.v1\"") && raised.contains("\"state\":\"raised\"")
                && raised.contains("\"subject\":\"cam-gate-1\""), raised);
        assertTrue(acked.contains("\"state\":\"acknowledged\"") && acked.contains("\"byRole\":\"security\""), acked);
        // roles, not people: neither the login nor the note (which names a person) leaves the school
        assertFalse(acked.contains("zhang") || acked.contains("Zhang") || acked.contains("\"note\"") || acked.contains("\"by\""), acked);
        assertEquals(0, outbox.peek(Outbox.Lane.TELEMETRY, 10).size());

        queued.forEach(m -> outbox.delivered(m.seq()));
        AlarmForwarder restarted = forwarder();
        assertEquals(0, restarted.poll(), "the cursor on disk: nothing forwarded twice after a restart");
        store.append(List.of(alarm("alarm.cleared", "CRITICAL", 4, Map.of("by", "zhang")))).toCompletableFuture().get();
        assertEquals(1, restarted.poll());
    }

    @Test
    void alarmsInOneMillisecondArePagedThroughAndNoneIsForwardedTwice() throws Exception {
        List<CampusEvent> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 2_500; i++) { // two and a half pages, all in one millisecond
            burst.add(alarm("alarm.raised", "CRITICAL", 10, Map.of("alarm", "night:cam-" + i)));
        }
        store.append(burst).toCompletableFuture().get();
        AlarmForwarder f = forwarder();
        assertEquals(2_500, f.poll());
        assertEquals(0, f.poll());
        assertEquals(0, forwarder().poll(), "after a restart too");
        assertEquals(2_500, outbox.stats().critical());
    }

    @Test
    void forwardingGoesOnPastAHundredThousandAlarmEventsInAnHour() throws Exception {
        AlarmForwarder f = forwarder();
        assertEquals(0, f.poll());
        // forty flapping lab thresholds: raised and cleared, WARNING, 120,000 events within the hour
        for (int chunk = 0; chunk < 12; chunk++) {
            List<CampusEvent> flapping = new java.util.ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                int n = chunk * 10_000 + i;
                flapping.add(alarm(n % 2 == 0 ? "alarm.raised" : "alarm.cleared", "WARNING", n * 3 / 100,
                        Map.of("alarm", "lab-hot:kit-" + (n % 40))));
            }
            store.append(flapping).toCompletableFuture().get();
        }
        // then an intrusion at night, in the same hour
        store.append(List.of(alarm("alarm.raised", "CRITICAL", 3_599, Map.of("alarm", "night:cam-gate-1")))).toCompletableFuture().get();
        int queued = 0;
        for (int i = 0; i < 5 && queued == 0; i++) { // a poll reads at most 100 pages; the next goes on
            queued += f.poll();
        }
        assertEquals(1, queued, "the CRITICAL alarm behind 120,000 others was not forwarded");
        assertEquals(start.plusSeconds(3_599), f.cursor());
        // and after a restart the cursor stays where it was: nothing again, the next one at once
        AlarmForwarder restarted = forwarder();
        assertEquals(0, restarted.poll());
        store.append(List.of(alarm("alarm.acknowledged", "CRITICAL", 3_600, Map.of("by", "zhang")))).toCompletableFuture().get();
        assertEquals(1, restarted.poll());
        assertEquals(2, outbox.stats().critical());
    }

    @Test
    void aCursorFileOfTheEarlierLayoutGoesOnFromAnHourBeforeIt() throws Exception {
        store.append(List.of(alarm("alarm.raised", "CRITICAL", 1, Map.of()))).toCompletableFuture().get();
        // newest seen at second 1, with that id: the earlier layout
        java.nio.file.Files.writeString(dir.resolve("cursor"), start.plusSeconds(1).toEpochMilli() + " "
                + start.plusSeconds(1).toEpochMilli() + " 01KAAAAAAAAAAAAAAAAAAAAAAA");
        assertEquals(1, forwarder().poll(), "re-queued; the outbox and the city drop a repeat by id");
        assertEquals(0, forwarder().poll());
    }
}
