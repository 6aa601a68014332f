package org.campusedge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreUniqueAndSortInCreationOrderWithinOneMillisecond() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(EventIds.next(1_700_000_000_000L)); // all in the same millisecond
        }
        Set<String> unique = new HashSet<>(ids);
        assertEquals(ids.size(), unique.size());
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i - 1).compareTo(ids.get(i)) < 0, "order broken at " + i);
        }
    }

    @Test
    void aClockThatGoesBackDoesNotBreakTheOrder() {
        String a = EventIds.next(1_800_000_000_500L);
        String b = EventIds.next(1_800_000_000_100L);
        assertTrue(a.compareTo(b) < 0);
    }

    @Test
    void timestampRoundTrips() {
        long t = 1_763_800_000_123L;
        String id = EventIds.encode(t, 0xABCD, 0x1234_5678_9ABC_DEF0L);
        assertEquals(26, id.length());
        assertEquals(t, EventIds.timestampOf(id));
        assertThrows(IllegalArgumentException.class, () -> EventIds.timestampOf("not-an-id"));
    }

    @Test
    void encodingUsesAllEightyRandomBits() {
        String zero = EventIds.encode(0, 0, 0);
        String max = EventIds.encode(0, 0xFFFF, -1L);
        assertEquals("00000000000000000000000000", zero);
        assertEquals("0000000000ZZZZZZZZZZZZZZZZ", max);
    }
}
