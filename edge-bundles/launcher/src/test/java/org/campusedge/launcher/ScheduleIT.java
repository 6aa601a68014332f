package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broadcast schedule through the gateway: an item due a few seconds after start is played on
 * the PA simulator; with the controller down, the next one is on record as broadcast.fault, not
 * silently dropped.
 */
class ScheduleIT {

    @TempDir
    Path dir;

    @Test
    void scheduledItemsPlayAndAMissedPlayIsOnRecord() throws Exception {
        try (BroadcastController pa = new BroadcastController(List.of("playground", "teaching-1f"), 300)) {
            URI api = pa.start(0);
            Path school = GatewayFixture.schoolWithController(dir.resolve("school.yaml"), "sch-schedule-it", api);
            ZonedDateTime now = ZonedDateTime.now(ZoneId.of("Asia/Shanghai"));
            DateTimeFormatter hms = DateTimeFormatter.ofPattern("HH:mm:ss");
            String first = now.plusSeconds(15).format(hms);
            String second = now.plusSeconds(28).format(hms);
            Path schedule = dir.resolve("schedule.yaml");
            Files.writeString(schedule, """
                    controller: pa-main
                    items:
                      - {id: test-bell, at: "%s", days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday],
                         onHolidays: true, zones: [teaching-1f], announcement: bell-class-start, priority: 10}
                      - {id: test-exercise, at: "%s", days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday],
                         onHolidays: true, zones: [playground], announcement: radio-calisthenics, priority: 10}
                    """.formatted(first, second));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + school,
                    "rules.scheduleFile=" + schedule)) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                assertTrue(GatewayFixture.eventually(40, () -> !pa.played().isEmpty()), "the bell did not ring");
                assertEquals("announcement:bell-class-start", pa.played().get(0).what());
                assertEquals("teaching-1f", pa.played().get(0).zone());
                pa.close(); // the controller goes down before the exercise is due
                assertTrue(GatewayFixture.eventually(40, () -> !GatewayFixture.rows(gw.storePath(), "SELECT 1 FROM event_log"
                        + " WHERE kind = 'broadcast.fault' AND json_extract(attributes, '$.requestedBy') = 'schedule:test-exercise'")
                        .isEmpty()), "the missed exercise is not on record");
                assertEquals(1, pa.played().size());
            }
        }
    }
}
