package org.campusedge.camel.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.campusedge.api.DeviceCounters;
import org.junit.jupiter.api.Test;

/** Points a kit's profile lacks, counted per device: bounded however many names a broken or hostile kit invents. */
class IngressCountersTest {

    @Test
    void unprofiledPointsAreCountedPerNameAndAKitInventingNamesCannotGrowTheCount() {
        IngressCounters counters = new IngressCounters();
        counters.unprofiled("lab-chem-1-s1", "conductivity", "mS/cm");
        counters.unprofiled("lab-chem-1-s1", "conductivity", "mS/cm");
        assertEquals(List.of(new DeviceCounters.Unprofiled("conductivity", "mS/cm", 2)), counters.of("lab-chem-1-s1").unprofiled());

        for (int i = 0; i < 10_000; i++) {
            counters.unprofiled("lab-evil", "p" + i, null);
        }
        List<DeviceCounters.Unprofiled> evil = counters.of("lab-evil").unprofiled();
        assertEquals(IngressCounters.MAX_UNPROFILED + 1, evil.size(), "names kept: " + evil.size());
        assertEquals(10_000 - IngressCounters.MAX_UNPROFILED, evil.stream().filter(u -> u.point().equals("…")).findFirst()
                .orElseThrow().readings(), "the rest are counted together");
        assertEquals(List.of(), counters.of("lab-quiet").unprofiled());
    }
}
