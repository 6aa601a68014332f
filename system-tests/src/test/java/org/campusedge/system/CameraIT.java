package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cameras through the real gateway over HTTP: alerts in XML and JSON stored as camera.* events,
 * heartbeats keeping a camera online, hostile and broken documents refused with a reason and
 * counted against that camera in the device report, the other cameras served meanwhile.
 */
class CameraIT {

    @TempDir
    Path dir;

    private static AlertDocuments.Alert alert(String type, boolean active, Integer region, int post) {
        return new AlertDocuments.Alert(type, active, 1, region, OffsetDateTime.now(ZoneOffset.ofHours(8)).withNano(0),
                post, "10.20.8.12", active ? "http://10.20.8.12/ISAPI/Streaming/channels/101/picture" : null, type);
    }

    @Test
    void alertsAreStoredAndBadDocumentsAreRefusedAndCounted() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + gw.httpPort());
            Camera fence = new Camera("cam-fence-north-1", base, false).withSecret(gw.deviceKeys().secret("cam-fence-north-1"));
            Camera hall = new Camera("cam-teach-1f-hall", base, true).withSecret(gw.deviceKeys().secret("cam-teach-1f-hall"));

            assertEquals(200, fence.post(alert("videoloss", false, null, 1)), "heartbeat");
            assertEquals(200, fence.post(alert("linedetection", true, 1, 2)));
            assertEquals(200, fence.post(alert("fielddetection", true, 3, 3)));
            for (int i = 0; i < 20; i++) {
                assertEquals(200, hall.post(alert("VMD", true, null, 1 + i)));
            }
            assertEquals(200, hall.post(alert("shelteralarm", true, null, 30)));

            String laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                    + "<EventNotificationAlert><eventType>&b;</eventType></EventNotificationAlert>";
            String xxe = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    + "<EventNotificationAlert><eventType>&x;</eventType></EventNotificationAlert>";
            String truncated = AlertDocuments.xml(alert("VMD", true, null, 40)).substring(0, 200);
            assertEquals(400, fence.postRaw(laughs.getBytes(StandardCharsets.UTF_8), "application/xml"));
            assertEquals(400, fence.postRaw(xxe.getBytes(StandardCharsets.UTF_8), "application/xml"));
            assertEquals(400, fence.postRaw(truncated.getBytes(StandardCharsets.UTF_8), "application/xml"));
            assertEquals(400, fence.postRaw("{\"eventType\":[\"VMD\"]}".getBytes(StandardCharsets.UTF_8), "application/json"));
            assertEquals(413, fence.postRaw(new byte[1024 * 1024], "application/xml"));
            assertEquals(415, fence.postRaw(new byte[] {0x47, 0x49, 0x46, 0x38}, "image/gif"));
            assertEquals(200, hall.post(alert("VMD", true, null, 50)), "the other camera is served meanwhile");
            assertEquals(200, fence.post(alert("linedetection", false, 1, 4)), "and so is the one that sent garbage");

            List<String> kinds = GatewayFixture.rows(gw.storePath(),
                    "SELECT device_id, kind, count(*) FROM event_log WHERE kind GLOB 'camera.*' GROUP BY device_id, kind ORDER BY 1, 2");
            assertEquals(List.of("cam-fence-north-1|camera.intrusion|3", "cam-teach-1f-hall|camera.motion|21",
                    "cam-teach-1f-hall|camera.tamper|1"), kinds);
            // severity is stored as its rank: WARNING = 2
            List<String> intrusion = GatewayFixture.rows(gw.storePath(), "SELECT severity, building, json_extract(attributes,"
                    + " '$.region'), json_extract(attributes, '$.snapshotUrl') FROM event_log WHERE device_id = 'cam-fence-north-1'"
                    + " AND json_extract(attributes, '$.eventType') = 'fielddetection'");
            assertEquals(List.of("2|北围墙 North Fence|3|http://10.20.8.12/ISAPI/Streaming/channels/101/picture"), intrusion);

            assertTrue(GatewayFixture.eventually(20, () -> {
                Map<String, String> row = GatewayFixture.deviceReport(gw).get("cam-fence-north-1");
                return row != null && row.get("rejected").equals("6") && row.get("presence").equals("ONLINE");
            }), "device report: " + GatewayFixture.deviceReport(gw).get("cam-fence-north-1"));
            Map<String, String> fenceRow = GatewayFixture.deviceReport(gw).get("cam-fence-north-1");
            assertEquals("4", fenceRow.get("accepted"));
            assertFalse(fenceRow.get("last_error").isBlank());
            Map<String, String> hallRow = GatewayFixture.deviceReport(gw).get("cam-teach-1f-hall");
            assertEquals("0", hallRow.get("rejected"));
            assertEquals("22", hallRow.get("accepted"));

            String log = Files.readString(Path.of(gw.status().getProperty("log")));
            assertFalse(log.contains("root:x:0:0"), "a file's content reached the log");
        }
    }
}
