package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.net.DigestClient;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.net.HttpWire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cameras and the PA controller prove who they are with HTTP Digest, through the real gateway: the
 * right key is taken and stored; no credentials, a wrong key, another camera's key and a recorded
 * request sent again are refused (401/403), counted, and store nothing; a source that keeps
 * failing is shut out while the good cameras are served; curl (a Digest client nobody here wrote)
 * gets in with the key. The gateway's commands to the PA controller carry the controller's key: a
 * controller that demands it plays the night evacuation, and one set up with another key refuses,
 * which is on record.
 */
class DeviceHttpAuthIT {

    @TempDir
    Path dir;

    private Path school(URI pa) throws Exception {
        Path file = dir.resolve("school.yaml");
        Files.writeString(file, """
                school:
                  id: sch-digest-it
                  name: 摘要认证测试学校
                  district: 江城区
                  enrolment: 900
                devices:
                  - id: cam-fence-north-1
                    profile: camera-isapi
                    location:
                      building: 北围墙 North Fence
                      zone: perimeter
                  - id: cam-fence-north-2
                    profile: camera-isapi
                    location:
                      building: 北围墙 North Fence
                      zone: perimeter
                  - id: cam-fence-north-3
                    profile: camera-isapi
                    location:
                      building: 北围墙 North Fence
                      zone: perimeter
                  - id: cam-teach-1f-hall
                    profile: camera-isapi
                    location:
                      building: 教学楼 Teaching Building
                      zone: corridor
                  - id: cam-old-1
                    profile: camera-isapi
                    security: none
                    location:
                      building: 教学楼 Teaching Building
                      zone: corridor
                  - id: pa-main
                    profile: broadcast-controller
                    location:
                      building: 行政楼 Administration Building
                    address: %s
                """.formatted(pa));
        return file;
    }

    private static AlertDocuments.Alert motion(int n) {
        return new AlertDocuments.Alert("VMD", true, 1, null, OffsetDateTime.now(ZoneOffset.ofHours(8)), n, "10.20.8.12", null, "motion");
    }

    private static byte[] xml(AlertDocuments.Alert a) {
        return AlertDocuments.xml(a).getBytes(StandardCharsets.UTF_8);
    }

    private static long stored(GatewayProcess gw, String camera) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE device_id = '" + camera + "' AND kind GLOB 'camera.*'").get(0));
    }

    @Test
    void camerasProveWhoTheyAreAndNothingElseIsStored() throws Exception {
        try (BroadcastController pa = new BroadcastController(List.of("playground"), 200)) {
            URI api = pa.start(0);
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + school(api),
                    "health.checkIntervalSeconds=1")) {
                URI base = URI.create("http://127.0.0.1:" + gw.httpPort());
                URI fencePath = base.resolve("/campus/camera/cam-fence-north-1");
                String fenceKey = gw.deviceKeys().secret("cam-fence-north-1");
                String hallKey = gw.deviceKeys().secret("cam-teach-1f-hall");
                Camera fence = new Camera("cam-fence-north-1", base, false).withSecret(fenceKey);
                assertEquals(200, fence.post(motion(1)), fence.lastRefusal());
                assertEquals(200, fence.post(motion(2)), "the second post, on the nonce of the first");
                assertEquals(2, stored(gw, "cam-fence-north-1"));

                InetAddress attacker = InetAddress.getByName("127.0.9.30");
                // no credentials: a 401 with a challenge per algorithm, before the body is read
                HttpWire.Answer none = HttpWire.post(attacker, fencePath, "application/xml", xml(motion(3)), false, Duration.ofSeconds(5));
                assertEquals(401, none.status());
                assertEquals(2, none.challenges().size(), none.challenges().toString());
                assertTrue(none.challenges().get(0).contains("algorithm=SHA-256") && none.challenges().get(1).contains("algorithm=MD5"));
                // a wrong key, and another camera's own (right) key
                assertEquals(401, HttpWire.post(attacker, fencePath, "application/xml", xml(motion(4)), Duration.ofSeconds(5),
                        new DigestClient("cam-fence-north-1", "AAAAAAAAAAAAAAAAAAAAAAAA")).status());
                HttpWire.Answer other = HttpWire.post(attacker, fencePath, "application/xml", xml(motion(5)), Duration.ofSeconds(5),
                        new DigestClient("cam-teach-1f-hall", hallKey));
                assertEquals(403, other.status());
                assertTrue(other.body().contains("cam-teach-1f-hall may not post for cam-fence-north-1"), other.body());
                // a request recorded on the wire and sent again, Authorization and all
                DigestClient recorder = new DigestClient("cam-fence-north-1", fenceKey);
                assertEquals(200, HttpWire.post(null, fencePath, "application/xml", xml(motion(6)), Duration.ofSeconds(5), recorder).status());
                String recorded = recorder.authorization("POST", fencePath.getRawPath());
                assertEquals(200, HttpWire.post(null, fencePath, "application/xml", xml(motion(7)), false, Duration.ofSeconds(5), recorded)
                        .status());
                HttpWire.Answer replayed = HttpWire.post(attacker, fencePath, "application/xml", xml(motion(7)), false,
                        Duration.ofSeconds(5), recorded);
                assertEquals(401, replayed.status());
                assertTrue(replayed.body().contains("replayed"), replayed.body());
                assertEquals(4, stored(gw, "cam-fence-north-1"), "a refused post was stored");
                assertTrue(GatewayFixture.eventually(10, () -> Long.parseLong(GatewayFixture.deviceReport(gw)
                        .getOrDefault("cam-fence-north-1", java.util.Map.of()).getOrDefault("rejected", "0")) == 3), "wrong key, another's key and the replay are counted against the camera: "
                        + GatewayFixture.deviceReport(gw).get("cam-fence-north-1"));

                // an old camera the inventory marks security: none posts without credentials
                assertEquals(200, new Camera("cam-old-1", base, false).post(motion(1)));

                // curl's Digest (both algorithms the gateway offers are ones curl speaks)
                Path alert = dir.resolve("alert.xml");
                Files.write(alert, xml(motion(8)));
                assertEquals("200", curl("--digest", "-u", "cam-teach-1f-hall:" + hallKey, "-H", "Content-Type: application/xml",
                        "--data-binary", "@" + alert, base.resolve("/campus/camera/cam-teach-1f-hall").toString()));
                assertEquals("401", curl("--digest", "-u", "cam-teach-1f-hall:wrong", "-H", "Content-Type: application/xml",
                        "--data-binary", "@" + alert, base.resolve("/campus/camera/cam-teach-1f-hall").toString()));
                assertEquals(1, stored(gw, "cam-teach-1f-hall"));

                // a source that only fails: fifty refusals within ten seconds and it is not listened to; the camera is served
                InetAddress flooder = InetAddress.getByName("127.0.9.31");
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    try {
                        statuses.add(HttpWire.post(flooder, fencePath, "application/xml", xml(motion(100 + i)), Duration.ofSeconds(5),
                                new DigestClient("cam-fence-north-1", "guess-" + i)).status());
                    } catch (java.io.IOException refused) {
                        statuses.add(-1);
                    }
                    if (i % 10 == 0) {
                        assertEquals(200, fence.post(motion(200 + i)), "the real camera was not served during the flood");
                    }
                }
                assertTrue(statuses.subList(50, 60).stream().allMatch(s -> s == 503 || s == -1),
                        "the failing source was still heard: " + statuses);
                assertEquals(4 + 6, stored(gw, "cam-fence-north-1"));
            }
        }
    }

    @Test
    void theGatewaysCommandsCarryTheControllersKey() throws Exception {
        try (BroadcastController pa = new BroadcastController(List.of("playground", "dormitory", "teaching-1f"), 300)) {
            URI api = pa.start(0);
            String[] settings = CloudFixture.concat(List.of("registry.inventoryFile=" + school(api), "camel.controllerPollSeconds=2"),
                    GatewayFixture.nightRules(dir, "rules")).toArray(String[]::new);
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings)) {
                String key = gw.deviceKeys().secret("pa-main");
                pa.credentials("pa-main", key); // from now on the controller takes only requests with its key
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                GatewayFixture.intrusion(gw, "cam-fence-north-1");
                assertTrue(GatewayFixture.eventually(15, () -> !pa.played().isEmpty()), "the evacuation did not play");
                // its played reports, with its key, are stored
                assertTrue(GatewayFixture.eventually(15, () -> GatewayFixture.count(gw.storePath(), "kind = 'broadcast.played'") > 0),
                        "the controller's reports were not taken");
                assertEquals(0, pa.refusedLogins(), "the controller refused the gateway's credentials");

                // the key is rotated at the gateway but the controller is not set up again: it refuses the commands
                GatewayFixture.credentials(gw, "rotate", "pa-main");
                String rotated = gw.deviceKeys().secret("pa-main");
                assertNotEquals(key, rotated);
                TimeUnit.SECONDS.sleep(3); // the gateway reads the secrets file within two seconds
                int played = pa.played().size();
                GatewayFixture.intrusion(gw, "cam-fence-north-2");
                assertTrue(GatewayFixture.eventually(15, () -> !GatewayFixture.rows(gw.storePath(), "SELECT 1 FROM event_log"
                        + " WHERE kind = 'broadcast.requested' AND json_extract(attributes, '$.outcome') = 'refused'"
                        + " AND json_extract(attributes, '$.reason') LIKE '%credentials%'").isEmpty()),
                        "the refused evacuation is not on record");
                assertEquals(played, pa.played().size(), "a controller with another key played the gateway's command");
                assertTrue(pa.refusedLogins() > 0);

                // set up with the new key, it plays again
                pa.credentials("pa-main", rotated);
                int before = pa.played().size();
                GatewayFixture.intrusion(gw, "cam-fence-north-3");
                assertTrue(GatewayFixture.eventually(15, () -> pa.played().size() > before), "the controller with the new key did not play");
            }
        }
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
