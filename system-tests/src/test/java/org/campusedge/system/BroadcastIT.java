package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broadcast controller through the real gateway: the gateway polls its zones over its HTTP API
 * (which keeps it online), the controller's fault reports arrive as broadcast.fault, a bad report
 * is refused and counted, and a controller that goes down is put on record once.
 */
class BroadcastIT {

    @TempDir
    Path dir;

    @Test
    void controllerStatusAndFaultsReachTheStore() throws Exception {
        try (BroadcastController pa = new BroadcastController(List.of("teaching-1f", "playground"), 200)) {
            URI api = pa.start(0);
            Path school = GatewayFixture.schoolWithController(dir.resolve("school.yaml"), "sch-pa-it", api);
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + school,
                    "camel.controllerPollSeconds=1", "health.checkIntervalSeconds=1")) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                assertTrue(GatewayFixture.eventually(30, () -> {
                    Map<String, String> row = GatewayFixture.deviceReport(gw).get("pa-main");
                    return row != null && row.get("presence").equals("ONLINE");
                }), "the polled controller did not come online: " + GatewayFixture.deviceReport(gw));

                pa.failZone("playground", "amplifier fault");
                assertTrue(GatewayFixture.eventually(20, () -> !faults(gw).isEmpty()), "fault not stored");
                assertEquals(List.of("playground|amplifier fault"), faults(gw));

                // a report the gateway cannot read, from the controller (with its key): refused with the reason, counted
                org.campusedge.simulators.net.HttpWire.Answer bad = org.campusedge.simulators.net.HttpWire.post(null,
                        URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"), "application/json",
                        "{\"event\":\"exploded\",\"zone\":\"playground\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.time.Duration.ofSeconds(5), new org.campusedge.net.DigestClient("pa-main", gw.deviceKeys().secret("pa-main")));
                assertEquals(400, bad.status());
                assertTrue(bad.body().contains("played"), bad.body());

                pa.close(); // the controller goes down: the next poll puts it on record, the ones after do not
                assertTrue(GatewayFixture.eventually(30, () -> unreachable(gw) == 1), "unreachable not stored");
                Thread.sleep(3000);
                assertEquals(1, unreachable(gw), "every failed poll was stored");
                assertEquals("1", GatewayFixture.deviceReport(gw).get("pa-main").get("rejected"));
            }
        }
    }

    private static List<String> faults(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.zone'), json_extract(attributes, '$.reason')"
                + " FROM event_log WHERE kind = 'broadcast.fault' AND json_extract(attributes, '$.zone') IS NOT NULL"
                + " AND json_extract(attributes, '$.outcome') IS NULL");
    }

    private static long unreachable(GatewayProcess gw) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE kind = 'broadcast.fault'"
                + " AND json_extract(attributes, '$.outcome') = 'unreachable'").get(0));
    }
}
