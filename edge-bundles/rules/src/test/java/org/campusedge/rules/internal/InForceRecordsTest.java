package org.campusedge.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.campusedge.api.CampusEvent;
import org.junit.jupiter.api.Test;

/** What configuration was in force goes into the trail once, and each change as it comes into force, naming what changed. */
class InForceRecordsTest {

    @Test
    void rulesAreRecordedAtStartAndAtEachChangeOnly() {
        List<CampusEvent> records = new ArrayList<>();
        InForceRecords r = new InForceRecords(records::add, "sch-1");
        r.rules(Map.of("night.yaml", "aa", "calendar.yaml", "cc"), 5, "campus-edge");
        r.rules(Map.of("night.yaml", "aa", "calendar.yaml", "cc"), 5, "campus-edge"); // a reload of the same files
        r.rules(Map.of("night.yaml", "ab", "calendar.yaml", "cc", "lab.yaml", "dd"), 6, "root");
        r.rules(Map.of("night.yaml", "ab", "lab.yaml", "dd"), 6, "root");
        assertEquals(List.of("audit.rules-in-force", "audit.rules-changed", "audit.rules-changed"), records.stream().map(CampusEvent::kind).toList());
        assertEquals("aa", records.get(0).attributes().get("sha256 night.yaml"));
        assertEquals("lab.yaml,night.yaml", records.get(1).attributes().get("changed"));
        assertEquals("root", records.get(1).attributes().get("owner"), "who owns the files: who could have written them");
        assertEquals("calendar.yaml", records.get(2).attributes().get("changed"), "a removed file is a change too");
    }

    @Test
    void aChangeRecordNamesAtMostTwentyDevicesButCountsAll() {
        Set<String> ids = new TreeSet<>();
        for (int i = 0; i < 25; i++) {
            ids.add(String.format("cam-%02d", i));
        }
        String named = InForceRecords.named(ids);
        assertEquals(true, named.startsWith("25: cam-00,cam-01,") && named.endsWith("cam-19,…"), named);
        assertEquals("0", InForceRecords.named(Set.of()));
    }
}
