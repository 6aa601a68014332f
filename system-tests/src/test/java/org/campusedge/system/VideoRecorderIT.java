package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.nvr.VideoRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The video recorders' family through the real gateway (its own settings, nvr.*), the example
 * school's rules and the recorder simulator polled with its key: a gate camera's channel that stops
 * recording is a CRITICAL alarm for the gate, a corridor camera's is on record but no alarm,
 * recordings kept for fewer days than the school must keep are reported, and a recorder that goes
 * silent goes offline. The profile's offlineAfter is 4 s here instead of 3 minutes.
 */
class VideoRecorderIT {

    @TempDir
    Path dir;

    @Test
    void aGateCameraNotRecordingIsACriticalAlarmAShortRetentionIsReportedASilentRecorderGoesOffline() throws Exception {
        try (VideoRecorder nvr = new VideoRecorder(3, 40)) {
            String address = nvr.start(0).toString();
            Path school = dir.resolve("school.yaml");
            Files.writeString(school, """
                    school:
                      id: sch-nvr-it
                      name: 录像测试学校
                      district: 江城区
                      enrolment: 600
                    devices:
                      - id: cam-gate
                        profile: camera-isapi
                        location: {building: 东门 East Gate, zone: gate}
                      - id: cam-hall
                        profile: camera-isapi
                        location: {building: 教学楼 Teaching Building, zone: corridor}
                      - id: cam-yard
                        profile: camera-isapi
                        location: {building: 操场 Playground, zone: playground}
                      - id: nvr-main
                        profile: nvr-isapi
                        location: {building: 行政楼 Administration, room: 安防监控室 Security office, zone: office}
                        address: %s
                        properties:
                          channels: 1=cam-gate,2=cam-hall,3=cam-yard
                    """.formatted(address));
            Path profiles = Files.createDirectories(dir.resolve("profiles"));
            try (var all = Files.list(GatewayFixture.distribution().resolve("device-profiles/profiles"))) {
                for (Path p : all.toList()) {
                    Files.writeString(profiles.resolve(p.getFileName()), Files.readString(p).replace("offlineAfter: PT3M", "offlineAfter: PT4S"));
                }
            }
            List<String> settings = new java.util.ArrayList<>(GatewayFixture.nightRules(dir, "rules"));
            settings.addAll(List.of("registry.inventoryFile=" + school, "registry.profilesDir=" + profiles, "nvr.pollSeconds=1",
                    "nvr.retentionEvery=1", "nvr.timeoutSeconds=1", "health.checkIntervalSeconds=1"));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings.toArray(String[]::new))) {
                nvr.credentials("nvr-main", gw.deviceKeys().secret("nvr-main")); // the installer sets the recorder up with its key
                assertTrue(GatewayFixture.eventually(30, () -> count(gw, "kind = 'nvr.status'") > 0), "no nvr.status stored");
                assertTrue(GatewayFixture.eventually(10, () -> {
                    Map<String, String> row = GatewayFixture.deviceReport(gw).get("nvr-main");
                    return row != null && row.get("presence").equals("ONLINE");
                }), "the polled recorder is not online: " + GatewayFixture.deviceReport(gw));
                assertEquals(0, count(gw, "kind LIKE 'alarm.%'"), "a sound recorder raised an alarm");

                nvr.recording(1, false); // the gate camera
                nvr.recording(2, false); // the corridor camera
                String gate = "kind = 'alarm.raised' AND json_extract(attributes, '$.alarm') = 'camera-not-recording:gate'";
                assertTrue(GatewayFixture.eventually(20, () -> count(gw, gate) == 1), "no alarm for the gate camera not recording");
                assertEquals(List.of("CRITICAL"), GatewayFixture.rows(gw.storePath(),
                        "SELECT json_extract(attributes, '$.alarmSeverity') FROM event_log WHERE " + gate));
                assertTrue(count(gw, "kind = 'nvr.not-recording' AND json_extract(attributes, '$.camera') = 'cam-hall'") > 0,
                        "the corridor camera's channel is not on record");
                assertEquals(0, count(gw, "kind = 'alarm.raised' AND json_extract(attributes, '$.alarm') LIKE 'camera-not-recording:corridor%'"),
                        "a corridor camera is not a rule's");

                nvr.oldest(3, Instant.now().minus(Duration.ofDays(5)));
                String kept = "kind = 'alarm.raised' AND json_extract(attributes, '$.alarm') = 'recordings-kept-too-short:nvr-main'";
                assertTrue(GatewayFixture.eventually(20, () -> count(gw, kept) == 1), "no alarm for recordings kept 5 days of 30");
                assertEquals(List.of("cam-yard|30|5.0"), GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.camera')"
                        + " || '|' || json_extract(attributes, '$.requiredDays') || '|' || json_extract(measurements, '$[0].v')"
                        + " FROM event_log WHERE kind = 'nvr.retention-short' LIMIT 1"));

                nvr.silent(true);
                assertTrue(GatewayFixture.eventually(30, () -> count(gw, "kind = 'device.offline' AND device_id = 'nvr-main'") == 1),
                        "a silent recorder did not go offline");
                assertEquals(0, nvr.refusedLogins(), "the recorder refused the gateway's own polls");
            }
        }
    }

    private static long count(GatewayProcess gw, String where) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE " + where).get(0));
    }
}
