package org.campusedge.simulators.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LabSensorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPackOfSevenHasOneRecordPerPointWithBaseNameAndTime() throws Exception {
        long now = 1_763_800_000_123L;
        JsonNode pack = JSON.readTree(new LabSensor("lab-chem-1-s1", false, 1, now).pack(7, now));
        assertEquals(7, pack.size());
        assertEquals("urn:dev:lab-chem-1-s1:", pack.get(0).get("bn").asText());
        assertEquals(1_763_800_000.123, pack.get(0).get("bt").asDouble(), 1e-9);
        for (int i = 0; i < 7; i++) {
            assertEquals(LabSensor.POINTS[i][0], pack.get(i).get("n").asText());
            assertEquals(LabSensor.POINTS[i][1], pack.get(i).get("u").asText());
            assertTrue(pack.get(i).get("v").isNumber());
            assertTrue(!pack.get(i).has("t"), "all seven are sampled at the base time");
        }
    }

    @Test
    void largerPacksStepBackInTimeWithoutOverlappingTheNextPack() throws Exception {
        LabSensor kit = new LabSensor("s", false, 1, 0);
        JsonNode pack = JSON.readTree(kit.pack(21, 1_000_000));
        assertEquals(21, pack.size());
        assertEquals(-0.0002, pack.get(0).get("t").asDouble(), 1e-9);
        assertEquals(-0.0001, pack.get(7).get("t").asDouble(), 1e-9);
        assertTrue(!pack.get(20).has("t"));
        // asked for again within the same millisecond, the kit's next pack is a millisecond later: no sample twice
        JsonNode next = JSON.readTree(kit.pack(21, 1_000_000));
        assertEquals(1_000.001, next.get(0).get("bt").asDouble(), 1e-9);
    }

    @Test
    void valuesAreThoseOfALessonInAClassroom() {
        long start = 1_763_800_000_000L;
        LabSensor plain = new LabSensor("s", false, 7, start);
        LabSensor titration = new LabSensor("c", true, 7, start);
        for (int minute = 0; minute < 45; minute++) {
            long t = start + minute * 60_000L;
            assertTrue(Math.abs(plain.value(0, t) - 22) < 3, "temperature");
            assertTrue(plain.value(2, t) >= 400 && plain.value(2, t) <= 2300, "co2");
            assertTrue(Math.abs(plain.value(3, t) - 7) < 0.5, "neutral pH");
            assertTrue(titration.value(3, t) > 1.5 && titration.value(3, t) < 12.5, "titration pH");
        }
        assertTrue(titration.value(3, start + 2 * 60_000L) < 4 && titration.value(3, start + 10 * 60_000L) > 10,
                "a titration starts acid and ends basic");
    }
}
