package org.campusedge.system;

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

    /** The distribution's profiles with an offlineAfter of 4 s: the gateway registers again after 2 s without notifications. */
    private Path fastProfiles() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        try (var all = Files.list(GatewayFixture.distribution().resolve("device-profiles/profiles"))) {
            for (Path p : all.toList()) {
                Files.writeString(profiles.resolve(p.getFileName()), Files.readString(p).replace("PT2M", "PT4S"));
            }
        }
        return profiles;
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

            Path profiles = fastProfiles();
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

    /** libcoap's coap-server with DTLS (its OpenSSL or GnuTLS build): plain on {@code port}, coaps on {@code port + 1}. */
    private static Process coapsServer(int port, String key) throws Exception {
        String binary = null;
        for (String candidate : new String[] {"/usr/bin/coap-server-openssl", "/usr/bin/coap-server-gnutls"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                binary = candidate;
                break;
            }
        }
        assertTrue(binary != null, "libcoap's coap-server with DTLS (libcoap3-bin) is missing; run .ci/install-test-tools");
        return new ProcessBuilder(binary, "-A", "127.0.0.1", "-p", Integer.toString(port), "-k", key)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** A free UDP port whose next one is free too (coap-server takes both). */
    private static int freePortPair() throws Exception {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket a = new DatagramSocket(0)) {
                try (DatagramSocket b = new DatagramSocket(a.getLocalPort() + 1)) {
                    return a.getLocalPort();
                } catch (java.net.SocketException e) {
                    // taken: try another
                }
            }
        }
        throw new IllegalStateException("no free UDP port pair");
    }

    private static long readings(GatewayProcess gw, String device) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE device_id = '" + device
                + "' AND kind = 'lab.reading'").get(0));
    }

    /**
     * Observe over coaps against libcoap: the gateway is the DTLS client and presents the kit's id and key.
     * A coap-server set up with that key is observed; one with another key (not the kit, or not set up with
     * its key) completes no handshake, delivers nothing and is counted against the kit.
     */
    @Test
    void theGatewayObservesLibcoapOverDtlsOnlyWithTheKitsKey() throws Exception {
        int good = freePortPair();
        int bad = freePortPair();
        String key = "libcoap-kit-key-01234567";
        Process right = coapsServer(good, key);
        Process wrong = coapsServer(bad, "not-the-kits-key-0123456");
        try {
            put(good, "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":24.25}]");
            put(bad, "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":25.5}]");
            Path home = dir.resolve("gw");
            // the installer's order: the kits' keys first, the kits set up with them
            Path secrets = Files.createDirectories(home.resolve("conf")).resolve("device-secrets");
            Files.writeString(secrets, "lab-libcoap-2\t" + key + "\t2026-12-01T00:00:00Z\nlab-libcoap-3\tthe-kits-own-key-0123456"
                    + "\t2026-12-01T00:00:00Z\n");
            Files.setPosixFilePermissions(secrets, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Path profiles = fastProfiles();
            Path inventory = dir.resolve("school.yaml");
            Files.writeString(inventory, Files.readString(GatewayFixture.distribution()
                    .resolve("device-profiles/schools/example-school.yaml")) + """
                      - id: lab-libcoap-2
                        profile: lab-sensor-kit
                        address: coaps://127.0.0.1:%d/example_data
                        location: {building: 科学楼 Science Building, floor: "3F", room: "302"}
                        properties: {mode: observe}
                      - id: lab-libcoap-3
                        profile: lab-sensor-kit
                        address: coaps://127.0.0.1:%d/example_data
                        location: {building: 科学楼 Science Building, floor: "3F", room: "303"}
                        properties: {mode: observe}
                    """.formatted(good + 1, bad + 1));
            try (GatewayProcess gw = GatewayFixture.start(home, "registry.inventoryFile=" + inventory,
                    "registry.profilesDir=" + profiles)) {
                assertTrue(GatewayFixture.eventually(20, () -> readings(gw, "lab-libcoap-2") > 0),
                        "libcoap's coaps server with the kit's key was not observed");
                put(good, "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":26.75}]");
                assertTrue(GatewayFixture.eventually(10, () -> readings(gw, "lab-libcoap-2") > 1), "a notification over coaps was not stored");
                assertTrue(GatewayFixture.eventually(30, () -> {
                    java.util.Map<String, String> r = GatewayFixture.deviceReport(gw).get("lab-libcoap-3");
                    return r != null && Long.parseLong(r.get("rejected")) >= 1;
                }), "the failed handshakes with the wrong key were not counted: " + GatewayFixture.deviceReport(gw).get("lab-libcoap-3"));
                assertEquals(0, readings(gw, "lab-libcoap-3"), "readings taken from a server that does not hold the kit's key");
            }
        } finally {
            for (Process p : List.of(right, wrong)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
