package org.campusedge.system;

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
 * the PA simulator; with the controller down, a later one is on record as broadcast.fault, not
 * silently dropped. And a controller that takes a play but reports nothing (its reports go nowhere)
 * is a gateway alarm after {@code rules.paReportSeconds}, cleared by its next report.
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
            String third = now.plusSeconds(42).format(hms);
            Path schedule = dir.resolve("schedule.yaml");
            Files.writeString(schedule, """
                    controller: pa-main
                    items:
                      - {id: test-bell, at: "%s", days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday],
                         onHolidays: true, zones: [teaching-1f], announcement: bell-class-start, priority: 10}
                      - {id: test-exercise, at: "%s", days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday],
                         onHolidays: true, zones: [playground], announcement: radio-calisthenics, priority: 10}
                      - {id: test-closing, at: "%s", days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday],
                         onHolidays: true, zones: [teaching-1f], announcement: bell-class-end, priority: 10}
                    """.formatted(first, second, third));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + school,
                    "rules.scheduleFile=" + schedule, "rules.paReportSeconds=5")) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                // the controller's reports go nowhere (no callback set): it plays, and the gateway never hears that it did
                assertTrue(GatewayFixture.eventually(40, () -> !pa.played().isEmpty()), "the bell did not ring");
                assertEquals("announcement:bell-class-start", pa.played().get(0).what());
                assertEquals("teaching-1f", pa.played().get(0).zone());
                assertTrue(GatewayFixture.eventually(15, () -> transitions(gw).contains("alarm.raised")),
                        "no alarm for a controller that reports no plays: " + transitions(gw));
                String message = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.message') FROM event_log"
                        + " WHERE kind = 'alarm.raised' AND json_extract(attributes, '$.alarm') = '" + SILENT + "'").get(0);
                assertTrue(message.contains("pa-main") && message.contains("reported no play"), message);
                // its reports reach the gateway again: the exercise's report clears the alarm
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                assertTrue(GatewayFixture.eventually(30, () -> transitions(gw).contains("alarm.cleared")),
                        "the controller's report did not clear its alarm: " + transitions(gw));
                assertEquals(2, pa.played().size());
                pa.close(); // the controller goes down before the closing bell is due
                assertTrue(GatewayFixture.eventually(40, () -> !GatewayFixture.rows(gw.storePath(), "SELECT 1 FROM event_log"
                        + " WHERE kind = 'broadcast.fault' AND json_extract(attributes, '$.requestedBy') = 'schedule:test-closing'")
                        .isEmpty()), "the missed closing bell is not on record");
                assertEquals(2, pa.played().size());
            }
        }
    }

    private static final String SILENT = "gateway:pa-not-reporting:pa-main";

    private static List<String> transitions(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT kind FROM event_log WHERE json_extract(attributes, '$.alarm') = '"
                + SILENT + "' ORDER BY occurred_at");
    }
}
