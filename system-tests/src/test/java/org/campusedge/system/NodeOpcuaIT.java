package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.simulators.energy.NodeOpcuaMeter;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's OPC UA connector inside Equinox against node-opcua's server (npm) requiring
 * SignAndEncrypt and a user: a meter nobody here wrote logs in with the key the gateway issued it once
 * its certificate is in the gateway's trust list, is subscribed, its readings stored in its profile's
 * units, and the subscription comes back after the server process is stopped and started again.
 */
class NodeOpcuaIT {

    @TempDir
    Path dir;

    @Test
    void aNodeOpcuaMeterIsReadThroughTheGatewayAcrossARestart() throws Exception {
        int port = EnergyMeterServer.freePort();
        // the installer's order: the meter's key first (as 'bin/campus-edge credentials add' would), the meter set up with it
        String password = "node-meter-key-0123456789";
        Path home = dir.resolve("gw");
        Path secrets = Files.createDirectories(home.resolve("conf")).resolve("device-secrets");
        Files.writeString(secrets, "meter-node-1\t" + password + "\t2026-12-01T00:00:00Z\n");
        Files.setPosixFilePermissions(secrets, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        NodeOpcuaMeter meter = NodeOpcuaMeter.startSecured(port, "meter-node-1", password);
        try {
            Path school = dir.resolve("school.yaml");
            Files.writeString(school, """
                    school:
                      id: sch-node-opcua
                      name: 互通测试学校
                      district: 江城区
                      enrolment: 300
                    devices:
                      - id: meter-node-1
                        profile: energy-meter
                        location:
                          building: 教学楼 Teaching Building
                        address: %s
                        properties:
                          nodes: "%s"
                    """.formatted(meter.endpointUrl(), meter.nodesPattern()));
            try (GatewayProcess gw = GatewayFixture.start(home, "registry.inventoryFile=" + school)) {
                gw.trustOpcUaServer("node-meter", meter.certificate()); // and the meter's certificate in the gateway's trust list
                assertTrue(GatewayFixture.eventually(40, () -> readings(gw) >= 10), "no readings from node-opcua: " + meter.lines());
                List<String> units = GatewayFixture.rows(gw.storePath(), "SELECT DISTINCT json_extract(measurements, '$[0].n'),"
                        + " json_extract(measurements, '$[0].u') FROM event_log WHERE kind = 'energy.reading' ORDER BY 1");
                assertEquals(List.of("current|A", "energy|kWh", "power|kW", "voltage|V"), units);

                meter.close();
                long before = readings(gw);
                meter = NodeOpcuaMeter.startSecured(port, "meter-node-1", password);
                assertTrue(GatewayFixture.eventually(60, () -> readings(gw) >= before + 10),
                        "no readings after node-opcua restarted: " + before + " -> " + readings(gw));
                assertTrue(GatewayFixture.eventually(20, () -> GatewayFixture.deviceReport(gw).containsKey("meter-node-1")));
                assertEquals("0", GatewayFixture.deviceReport(gw).get("meter-node-1").get("rejected"));
            }
        } finally {
            meter.close();
        }
    }

    private static long readings(GatewayProcess gw) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(),
                "SELECT count(*) FROM event_log WHERE kind = 'energy.reading'").get(0));
    }
}
