package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Energy meters through the real gateway over OPC UA (the Milo meter simulator on loopback, requiring
 * SignAndEncrypt and a user): each meter logs in with its own credential once the installer set the
 * server up and put its certificate in the gateway's trusted/certs folder; data changes stored as
 * energy.reading, the server dying mid-subscription and coming back, a faulty meter's bad values
 * counted against it in the device report while the other meter keeps reporting.
 */
class EnergyIT {

    @TempDir
    Path dir;

    static String inventory(String endpointUrl, List<String> meters) {
        StringBuilder s = new StringBuilder("""
                school:
                  id: sch-energy-it
                  name: 能源测试学校
                  district: 江城区
                  enrolment: 800
                devices:
                """);
        for (String m : meters) {
            s.append("  - id: ").append(m).append("\n    profile: energy-meter\n    location:\n      building: ").append(m)
                    .append("\n    address: ").append(endpointUrl).append("\n    properties:\n      nodes: \"")
                    .append(EnergyMeterServer.nodesPattern(m)).append("\"\n");
        }
        return s.toString();
    }

    private static long readings(GatewayProcess gw, String meter) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE kind = 'energy.reading'"
                + " AND device_id = '" + meter + "'").get(0));
    }

    @Test
    void metersAreSubscribedSurviveAServerRestartAndFaultsAreCounted() throws Exception {
        int port = EnergyMeterServer.freePort();
        try (EnergyMeterServer server = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-teaching-1", "teaching", 180),
                new EnergyMeterServer.Meter("meter-canteen-1", "canteen", 150)), () -> LocalTime.of(11, 0), 250).secured()) {
            server.start(port);
            Path school = dir.resolve("school.yaml");
            Files.writeString(school, inventory(server.endpointUrl(), List.of("meter-teaching-1", "meter-canteen-1")));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + school,
                    "health.checkIntervalSeconds=1")) {
                // the installer's part: each meter's user with the key the gateway issued it, the server's certificate trusted
                server.users(Map.of("meter-teaching-1", gw.deviceKeys().secret("meter-teaching-1"),
                        "meter-canteen-1", gw.deviceKeys().secret("meter-canteen-1")));
                gw.trustOpcUaServer("energy-server", server.certificate());
                assertTrue(GatewayFixture.eventually(30, () -> readings(gw, "meter-teaching-1") >= 8
                        && readings(gw, "meter-canteen-1") >= 8), "no readings: " + readings(gw, "meter-teaching-1"));
                List<String> units = GatewayFixture.rows(gw.storePath(), "SELECT DISTINCT json_extract(measurements, '$[0].n'),"
                        + " json_extract(measurements, '$[0].u') FROM event_log"
                        + " WHERE device_id = 'meter-canteen-1' AND kind = 'energy.reading' ORDER BY 1");
                assertEquals(List.of("current|A", "energy|kWh", "power|kW", "voltage|V"), units);

                server.stop(); // the energy server dies mid-subscription
                Thread.sleep(3000);
                long before = readings(gw, "meter-teaching-1");
                server.start(port);
                assertTrue(GatewayFixture.eventually(60, () -> readings(gw, "meter-teaching-1") >= before + 8),
                        "no readings after the server came back: " + before + " -> " + readings(gw, "meter-teaching-1"));

                String rejectedBefore = GatewayFixture.deviceReport(gw).get("meter-canteen-1").get("rejected");
                server.fault("meter-teaching-1", "ActivePower", "bad");
                server.fault("meter-teaching-1", "Current", "wrong-type");
                assertTrue(GatewayFixture.eventually(30, () -> {
                    Map<String, String> row = GatewayFixture.deviceReport(gw).get("meter-teaching-1");
                    return row != null && Long.parseLong(row.get("rejected")) >= 4;
                }), "faults not counted: " + GatewayFixture.deviceReport(gw).get("meter-teaching-1"));
                long canteen = readings(gw, "meter-canteen-1");
                assertTrue(GatewayFixture.eventually(20, () -> readings(gw, "meter-canteen-1") >= canteen + 8),
                        "the healthy meter stopped reporting");
                Map<String, String> healthy = GatewayFixture.deviceReport(gw).get("meter-canteen-1");
                assertEquals(rejectedBefore, healthy.get("rejected"), "another meter's faults counted against this one");
                assertEquals("ONLINE", healthy.get("presence"));
            }
        }
    }
}
