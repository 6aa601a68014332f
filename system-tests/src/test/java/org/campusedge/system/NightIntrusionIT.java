package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge controller end to end: a camera at the perimeter reports an intrusion outside school
 * hours; the example school's rule raises a CRITICAL alarm, stored as alarm.raised, and the PA
 * simulator receives the evacuation text — with no cloud anywhere. The time from the camera's post
 * to the PA's play is printed (the 2 s target is a figure for the alarm benchmark, not a timed
 * assertion on this noisy machine).
 */
class NightIntrusionIT {

    @TempDir
    Path dir;

    @Test
    void aPerimeterIntrusionAtNightRaisesACriticalAlarmAndTheEvacuationIsBroadcast() throws Exception {
        try (BroadcastController pa = new BroadcastController(List.of("playground", "dormitory", "teaching-1f"), 500)) {
            URI api = pa.start(0);
            Path school = dir.resolve("school.yaml");
            Files.writeString(school, """
                    school:
                      id: sch-night-it
                      name: 夜间入侵测试学校
                      district: 江城区
                      enrolment: 900
                    devices:
                      - id: cam-fence-north-1
                        profile: camera-isapi
                        location:
                          building: 北围墙 North Fence
                          zone: perimeter
                      - id: cam-teach-1f-hall
                        profile: camera-isapi
                        location:
                          building: 教学楼 Teaching Building
                          zone: corridor
                      - id: pa-main
                        profile: broadcast-controller
                        location:
                          building: 行政楼 Administration Building
                        address: %s
                    """.formatted(api));
            String[] settings = CloudFixture.concat(List.of("registry.inventoryFile=" + school), GatewayFixture.nightRules(dir, "rules"))
                    .toArray(String[]::new);
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings)) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                Camera corridor = new Camera("cam-teach-1f-hall", URI.create("http://127.0.0.1:" + gw.httpPort()), false)
                        .withSecret(gw.deviceKeys().secret("cam-teach-1f-hall"));
                Camera fence = new Camera("cam-fence-north-1", URI.create("http://127.0.0.1:" + gw.httpPort()), false)
                        .withSecret(gw.deviceKeys().secret("cam-fence-north-1"));
                AlertDocuments.Alert elsewhere = new AlertDocuments.Alert("fielddetection", true, 1, 2,
                        OffsetDateTime.now(ZoneOffset.ofHours(8)), 1, "10.20.8.14", null, "intrusion");
                assertEquals(200, corridor.post(elsewhere));

                long t0 = System.nanoTime();
                assertEquals(200, fence.post(new AlertDocuments.Alert("linedetection", true, 1, 1,
                        OffsetDateTime.now(ZoneOffset.ofHours(8)), 1, "10.20.8.12", null, "Line crossing alarm")));
                assertTrue(GatewayFixture.eventually(10, () -> !pa.played().isEmpty()), "the PA played nothing");
                long millis = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("camera post -> PA play: %d ms%n", millis);
                BroadcastController.Played played = pa.played().get(0);
                assertTrue(played.what().startsWith("text:") && played.what().contains("intrusion"), played.toString());
                assertEquals(95, played.priority());
                // the controller records each zone's play as it starts it: the second may come a moment after the first
                assertTrue(GatewayFixture.eventually(10, () -> pa.played().size() >= 2), "only " + pa.played() + " played");
                assertEquals(List.of("dormitory", "playground"), pa.played().stream().map(BroadcastController.Played::zone)
                        .sorted().toList());

                assertTrue(GatewayFixture.eventually(10, () -> !alarms(gw).isEmpty()), "no alarm stored");
                // severity is stored as its rank: CRITICAL = 3
                assertEquals(List.of("cam-fence-north-1|perimeter-intrusion-night:cam-fence-north-1|CRITICAL|3"), alarms(gw),
                        "one CRITICAL alarm, for the perimeter camera only");
                assertTrue(GatewayFixture.eventually(10, () -> !GatewayFixture.rows(gw.storePath(), "SELECT 1 FROM event_log"
                        + " WHERE kind = 'broadcast.requested' AND json_extract(attributes, '$.requestedBy')"
                        + " = 'rule:perimeter-intrusion-night' AND json_extract(attributes, '$.outcome') = 'accepted'").isEmpty()),
                        "the broadcast is not on record");

                // which rules were in force is in the trail, and an edit of them is recorded as it comes into force
                Path ruleFile = dir.resolve("rules/example-school.yaml");
                assertEquals(List.of("audit.rules-in-force|" + sha256(ruleFile)), rulesRecords(gw));
                Files.writeString(ruleFile, Files.readString(ruleFile) + "\n# tightened after the drill, 李老师\n");
                assertTrue(GatewayFixture.eventually(20, () -> rulesRecords(gw).size() == 2), "the edit was not recorded: " + rulesRecords(gw));
                assertEquals("audit.rules-changed|" + sha256(ruleFile), rulesRecords(gw).get(1));
                assertEquals(List.of("example-school.yaml"), GatewayFixture.rows(gw.storePath(),
                        "SELECT json_extract(attributes, '$.changed') FROM event_log WHERE kind = 'audit.rules-changed'"));
            }
            // the same gateway again: the unacknowledged alarm is active again, rebuilt from its stored history
            try (GatewayProcess again = GatewayFixture.start(dir.resolve("gw"), settings)) {
                Path log = Path.of(again.status().getProperty("log"));
                assertTrue(GatewayFixture.eventually(10, () -> Files.readString(log).contains("1 alarm(s) still active from before the restart")),
                        "the alarm did not come back after the restart");
            }
        }
    }

    private static List<String> rulesRecords(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT kind, json_extract(attributes, '$.\"sha256 example-school.yaml\"')"
                + " FROM event_log WHERE kind GLOB 'audit.rules-*' ORDER BY occurred_at, id");
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<String> alarms(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT device_id, json_extract(attributes, '$.alarm'),"
                + " json_extract(attributes, '$.alarmSeverity'), severity FROM event_log WHERE kind = 'alarm.raised'");
    }
}
