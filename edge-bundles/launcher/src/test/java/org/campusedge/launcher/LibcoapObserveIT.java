package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CoAP observe against a server nobody here wrote: libcoap's coap-server (Debian libcoap3-bin)
 * plays an observed lab sensor. Its /example_data resource keeps whatever is PUT to it and notifies
 * its observers; the gateway observes it as an inventory device in mode "observe", stores each
 * SenML value, and registers again after the server restarts and has forgotten it.
 */
class LibcoapObserveIT {

    @TempDir
    Path dir;

    private static Process coapServer(int port) throws Exception {
        return new ProcessBuilder(GatewayFixture.libcoap("coap-server"), "-A", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private void put(int port, String senml) throws Exception {
        Path body = Files.writeString(Files.createTempFile(dir, "senml", ".json"), senml);
        Process p = new ProcessBuilder(GatewayFixture.libcoap("coap-client"), "-m", "put", "-t", "110", "-f", body.toString(), "-B", "5",
                "coap://127.0.0.1:" + port + "/example_data").redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "coap-client hung");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    private static long temperatures(GatewayProcess gw, double value) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE device_id = 'lab-libcoap-1'"
                + " AND kind = 'lab.reading' AND json_extract(measurements, '$[0].v') = " + value).get(0));
    }

    private static boolean await(GatewayProcess gw, double value, int seconds) throws Exception {
        return GatewayFixture.eventually(seconds, () -> temperatures(gw, value) > 0);
    }

    @Test
    void theGatewayObservesLibcoapsServerAndComesBackAfterItRestarts() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = coapServer(port);
        try {
            // no wait for coap-server to bind: the PUT is confirmable and retransmitted until it answers
            put(port, "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.25}]");

            Path profiles = Files.createDirectories(dir.resolve("profiles"));
            try (var all = Files.list(GatewayFixture.distribution().resolve("device-profiles/profiles"))) {
                for (Path p : all.toList()) { // silence of 4 s: the gateway registers again after 2 s without notifications
                    Files.writeString(profiles.resolve(p.getFileName()), Files.readString(p).replace("PT2M", "PT4S"));
                }
            }
            Path inventory = dir.resolve("school.yaml");
            Files.writeString(inventory, Files.readString(GatewayFixture.distribution()
                    .resolve("device-profiles/schools/example-school.yaml")) + """
                      - id: lab-libcoap-1
                        profile: lab-sensor-kit
                        address: coap://127.0.0.1:%d/example_data
                        security: none
                        location: {building: 科学楼 Science Building, floor: "3F", room: "301"}
                        properties: {mode: observe}
                    """.formatted(port));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + inventory,
                    "registry.profilesDir=" + profiles)) {
                assertTrue(await(gw, 21.25, 15), "the first value (the observe registration's answer) was not stored");
                put(port, "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":22.75}]");
                assertTrue(await(gw, 22.75, 10), "a notification was not stored");

                server.destroy(); // libcoap restarts and forgets its observers
                assertTrue(server.waitFor(10, TimeUnit.SECONDS));
                server = coapServer(port);
                put(port, "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":23.5}]");
                assertTrue(await(gw, 23.5, 20), "the gateway did not observe the restarted server again");
                List<String> units = GatewayFixture.rows(gw.storePath(), "SELECT DISTINCT json_extract(measurements, '$[0].u')"
                        + " FROM event_log WHERE device_id = 'lab-libcoap-1' AND kind = 'lab.reading'");
                assertEquals(List.of("Cel"), units);
            }
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
