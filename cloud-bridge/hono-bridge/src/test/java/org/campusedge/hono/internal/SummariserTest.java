package org.campusedge.hono.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summaries computed from a real SQLite event store. */
class SummariserTest {

    @TempDir
    Path dir;
    private EventStoreFile store;
    private final Device meterA = MemoryRegistry.device("meter-a", "energy", "Teaching");
    private final Device meterB = MemoryRegistry.device("meter-b", "energy", "Teaching");
    private final Device gate = MemoryRegistry.device("card-gate", "card", "Gate");
    private final Device lab1 = MemoryRegistry.device("lab-1", "lab", "Science");
    private final Device lab2 = MemoryRegistry.device("lab-2", "lab", "Science");
    private final MemoryRegistry registry = new MemoryRegistry(List.of(meterA, meterB, gate, lab1, lab2));
    private final Instant from = Instant.parse("2026-11-23T01:00:00Z");
    private final Instant to = Instant.parse("2026-11-23T01:05:00Z");

    @BeforeEach
    void open() throws Exception {
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private CampusEvent reading(Device d, int second, double kwh, double kw) {
        return CampusEvent.builder().device(d).kind("energy.reading").occurredAt(from.plusSeconds(second))
                .measurements(List.of(Measurement.numeric("energy", "kWh", kwh, from.plusSeconds(second)), Measurement.numeric("power", "kW", kw, from.plusSeconds(second))))
                .build();
    }

    private Summariser summariser(List<DeviceHealth.State> states) {
        return new Summariser(store, registry, () -> () -> states, List::of);
    }

    @Test
    void energyIsTheCounterDifferenceFromBeforeThePeriodAndThePeakOfTheSummedPower() throws Exception {
        List<CampusEvent> events = new ArrayList<>();
        events.add(reading(meterA, -30, 100.0, 5));   // before the period: the baseline
        events.add(reading(meterA, 10, 100.5, 10));
        events.add(reading(meterB, 20, 50.0, 20));   // A 10 + B 20 = 30
        events.add(reading(meterA, 100, 101.0, 4));   // A 4 + B 20 = 24
        events.add(reading(meterB, 200, 52.0, 6));    // B has no baseline: from its first reading in the period
        events.add(reading(meterA, 400, 200.0, 99));  // after the period: not counted
        store.append(events).toCompletableFuture().get();

        Map<String, Object> e = summariser(List.of()).energy(from, to);
        @SuppressWarnings("unchecked")
        Map<String, Object> teaching = (Map<String, Object>) ((List<?>) e.get("buildings")).get(0);
        assertEquals("Teaching", teaching.get("building"));
        assertEquals(3.0, (Double) teaching.get("kwh"), 1e-9); // A 101-100, B 52-50
        assertEquals(30.0, (Double) teaching.get("peakKw"), 1e-9);
        assertEquals(2L, teaching.get("meters"));
        assertEquals(3.0, (Double) e.get("totalKwh"), 1e-9);
    }

    @Test
    void attendanceCountsSwipesPerGateAndNeverACard() throws Exception {
        List<CampusEvent> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(CampusEvent.builder().device(gate).kind("card.swipe").occurredAt(from.plusSeconds(i))
                    .attributes(Map.of("card", "pseudonym-" + i, "direction", i < 5 ? "in" : "out")).build());
        }
        events.add(CampusEvent.builder().device(gate).kind("card.denied").occurredAt(from.plusSeconds(9))
                .attributes(Map.of("card", "pseudonym-x", "direction", "in")).build());
        store.append(events).toCompletableFuture().get();

        Map<String, Object> a = summariser(List.of()).attendance(from, to);
        assertEquals(5L, a.get("in"));
        assertEquals(2L, a.get("out"));
        assertEquals(1L, a.get("denied"));
        String json = new String(Json.write(a), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(json.contains("pseudonym"), json);
    }

    @Test
    void alarmsLabAndHealthAreCountedForThePeriod() throws Exception {
        List<CampusEvent> events = new ArrayList<>();
        for (String kind : List.of("alarm.raised", "alarm.raised", "alarm.cleared")) {
            events.add(CampusEvent.builder().schoolId("sch-t").deviceId("gateway").kind(kind).severity(Severity.CRITICAL)
                    .occurredAt(from.plusSeconds(events.size())).attributes(Map.of("alarm", "k" + events.size(), "rule", "night",
                            "alarmSeverity", "CRITICAL")).build());
        }
        // a drill's raise and clear: counted apart, in no alarm figure
        for (String kind : List.of("alarm.raised", "alarm.cleared")) {
            events.add(CampusEvent.builder().schoolId("sch-t").deviceId("gateway").kind(kind).severity(Severity.CRITICAL)
                    .occurredAt(from.plusSeconds(10)).attributes(Map.of("alarm", "night:cam-1@drill", "rule", "night",
                            "alarmSeverity", "CRITICAL", "drill", "D1")).build());
        }
        for (int i = 0; i < 4; i++) {
            events.add(CampusEvent.builder().device(lab1).kind("lab.reading").occurredAt(from.plusSeconds(i))
                    .measurements(List.of(Measurement.numeric("temperature", "Cel", 20.0 + i, from.plusSeconds(i)))).build());
        }
        events.add(CampusEvent.builder().schoolId("sch-t").deviceId("gateway").kind("lab.recording").occurredAt(from.plusSeconds(5))
                .attributes(Map.of("action", "start")).build());
        store.append(events).toCompletableFuture().get();
        Summariser s = summariser(List.of(
                new DeviceHealth.State("lab-1", "lab", DeviceHealth.Presence.ONLINE, to, from),
                new DeviceHealth.State("lab-2", "lab", DeviceHealth.Presence.OFFLINE, null, from)));

        Map<String, Object> alarms = s.alarms(from, to);
        assertEquals(List.of(Map.of("rule", "night", "severity", "CRITICAL", "count", 2L)), alarms.get("raised"));
        assertEquals(List.of(Map.of("rule", "night", "severity", "CRITICAL", "count", 1L)), alarms.get("cleared"));
        assertEquals(1L, alarms.get("drillAlarmsRaised"));
        Map<String, Object> lab = s.lab(from, to);
        assertEquals(4L, lab.get("readings"));
        assertEquals(1L, lab.get("activeKits"));
        assertEquals(1L, lab.get("recordings"));
        Map<String, Object> health = s.health();
        assertEquals(List.of(Map.of("family", "lab", "online", 1L, "offline", 1L)), health.get("families"));
        assertEquals(List.of("lab-2"), health.get("offline"));
    }
}
