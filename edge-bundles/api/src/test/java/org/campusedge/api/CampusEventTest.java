package org.campusedge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampusEventTest {

    @Test
    void kindMustBeDottedLowerCase() {
        CampusEvent.Builder b = CampusEvent.builder().schoolId("s").deviceId("d");
        assertEquals("lab.reading", b.kind("lab.reading").build().kind());
        for (String bad : new String[] {"lab", "Lab.reading", ".lab", "lab.", "lab..reading", "lab reading"}) {
            assertThrows(IllegalArgumentException.class, () -> b.kind(bad).build(), bad);
        }
    }

    @Test
    void measurementCarriesExactlyOneValueOrASum() {
        Instant t = Instant.now();
        assertThrows(IllegalArgumentException.class, () -> new Measurement("x", null, 1.0, "a", null, null, null, t));
        assertThrows(IllegalArgumentException.class, () -> new Measurement("x", null, null, null, null, null, null, t));
        assertEquals(2.0, new Measurement("x", "kWh", null, null, null, null, 2.0, t).sum());
    }

    @Test
    void collectionsAreCopiedSoTheEventStaysImmutable() {
        List<Measurement> ms = new java.util.ArrayList<>();
        ms.add(Measurement.numeric("t", "Cel", 20, Instant.now()));
        CampusEvent e = CampusEvent.builder().schoolId("s").deviceId("d").kind("lab.reading").measurements(ms).build();
        ms.clear();
        assertEquals(1, e.measurements().size());
        assertThrows(UnsupportedOperationException.class, () -> e.measurements().clear());
    }
}
