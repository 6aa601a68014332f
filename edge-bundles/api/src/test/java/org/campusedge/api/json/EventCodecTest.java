package org.campusedge.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private static CampusEvent full() {
        Instant t = Instant.parse("2026-11-22T08:15:30.250Z");
        return CampusEvent.builder()
                .schoolId("sch-001").deviceId("lab-chem-s1").profileId("lab-sensor-kit")
                .location(new Location("Science", "2", "Chemistry 1", null))
                .kind("lab.reading").severity(Severity.NOTICE)
                .occurredAt(t).receivedAt(t.plusMillis(12))
                .measurements(List.of(
                        Measurement.numeric("temperature", "Cel", 23.5, t),
                        new Measurement("sash-open", null, null, null, true, null, null, t),
                        new Measurement("label", null, null, "fume hood \"A\" ✓", null, null, null, t),
                        new Measurement("energy", "kWh", null, null, null, null, 1234.5, t)))
                .attributes(Map.of("quality", "out-of-range", "中文", "值"))
                .build();
    }

    @Test
    void roundTripKeepsEveryField() {
        CampusEvent e = full();
        assertEquals(e, EventCodec.fromJson(EventCodec.toJson(e)));
    }

    @Test
    void minimalEventRoundTrips() {
        CampusEvent e = CampusEvent.builder().schoolId("s").deviceId("gw").kind("device.online").build();
        String json = EventCodec.toJson(e);
        assertTrue(!json.contains("location") && !json.contains("measurements"), json);
        assertEquals(e, EventCodec.fromJson(json));
    }

    @Test
    void theFastMeasurementEncoderWritesWhatTheGeneratorWrites() {
        CampusEvent e = full();
        String viaGenerator = EventCodec.toJson(e);
        assertTrue(viaGenerator.contains("\"measurements\":" + EventCodec.measurementsToJson(e.measurements()) + ","),
                viaGenerator + "\n" + EventCodec.measurementsToJson(e.measurements()));
        assertTrue(viaGenerator.contains("\"attributes\":" + EventCodec.attributesToJson(e.attributes())));
    }

    @Test
    void controlCharactersQuotesAndBackslashesSurviveTheFastEncoder() {
        Instant t = Instant.parse("2026-11-22T08:15:30Z");
        List<Measurement> ms = List.of(new Measurement("a\"b\\c", "x\ny", null, "tab\there\u0001\u001f 中", null, null, null, t),
                Measurement.numeric("big", null, 1.0E300, t), Measurement.numeric("neg", "Cel", -0.0001, t));
        assertEquals(ms, EventCodec.measurementsFromJson(EventCodec.measurementsToJson(ms)));
        Map<String, String> attrs = Map.of("k\"1", "v\\\n2", "空", "");
        assertEquals(attrs, EventCodec.attributesFromJson(EventCodec.attributesToJson(attrs)));
    }

    @Test
    void aRecordAtTheDefaultTimeIsWrittenWithoutItAndReadBackWithIt() {
        Instant t = Instant.parse("2026-11-22T08:15:30.5Z");
        List<Measurement> ms = List.of(Measurement.numeric("ph", "pH", 7.1, t), Measurement.numeric("ph", "pH", 7.2, t.plusMillis(100)));
        String json = EventCodec.measurementsToJson(ms, t);
        assertEquals("[{\"n\":\"ph\",\"u\":\"pH\",\"v\":7.1},{\"n\":\"ph\",\"u\":\"pH\",\"v\":7.2,\"t\":1.7953353306E9}]", json);
        assertEquals(ms, EventCodec.measurementsFromJson(json, t));
        assertThrows(IllegalArgumentException.class, () -> EventCodec.measurementsFromJson(json), "no time and no default");
    }

    @Test
    void senmlTimeKeepsMicroseconds() {
        Instant t = Instant.parse("2026-11-22T08:15:30.123456Z");
        assertEquals(t, EventCodec.fromSeconds(EventCodec.toSeconds(t)));
        assertEquals(Instant.parse("1969-12-31T23:59:59.5Z"), EventCodec.fromSeconds(-0.5));
    }

    @Test
    void wrongTypesAreNamed() {
        String json = EventCodec.toJson(full()).replace("\"severity\":\"NOTICE\"", "\"severity\":3");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> EventCodec.fromJson(json));
        assertTrue(ex.getMessage().startsWith("severity:"), ex.getMessage());
    }

    @Test
    void malformedAndIncompleteJsonIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> EventCodec.fromJson("{\"id\":"));
        assertThrows(IllegalArgumentException.class, () -> EventCodec.fromJson("[]"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> EventCodec.fromJson("{\"id\":\"01J\",\"schoolId\":\"s\",\"kind\":\"a.b\"}"));
        assertTrue(missing.getMessage().contains("deviceId"), missing.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> EventCodec.fromJson("{\"id\":\"a\",\"id\":\"b\"}"), "duplicate keys");
    }
}
