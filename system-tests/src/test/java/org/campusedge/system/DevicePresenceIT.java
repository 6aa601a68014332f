package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device presence through the real gateway: a sensor that posts is online, one that goes quiet for
 * longer than its profile allows is offline, and both changes are events in the store. The profile
 * is a copy of lab-sensor-kit with offlineAfter of 3 s instead of 2 min.
 */
class DevicePresenceIT {

    @TempDir
    Path dir;

    @Test
    void aSensorThatFallsSilentGoesOfflineAndComesBackOnline() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        try (var all = Files.list(GatewayFixture.distribution().resolve("device-profiles/profiles"))) {
            for (Path p : all.toList()) { // every profile the inventory names, the lab kit's silence shortened
                Files.writeString(profiles.resolve(p.getFileName()),
                        Files.readString(p).replace("offlineAfter: PT2M", "offlineAfter: PT3S"));
            }
        }
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.profilesDir=" + profiles,
                "health.checkIntervalSeconds=1")) {
            String pack = "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21}]";
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s1", pack).getCode());
            assertTrue(await(gw, "device_id = 'lab-phys-1-s1' AND kind = 'device.online'", 1, 10), "no device.online");

            // silence: offline after 3 s (plus up to a 1 s check), and every other kit, never heard from, too
            assertTrue(await(gw, "device_id = 'lab-phys-1-s1' AND kind = 'device.offline'", 1, 15), "no device.offline");
            assertTrue(await(gw, "kind = 'device.offline' AND d.device_id GLOB 'lab-*'", 12, 10),
                    "the 11 silent kits did not go offline");
            List<String> offline = GatewayFixture.rows(gw.storePath(), "SELECT severity, json_extract(attributes, '$.offlineAfter'),"
                    + " json_extract(attributes, '$.lastSeen') IS NOT NULL FROM events e JOIN devices d ON d.ref = e.device_ref"
                    + " WHERE d.device_id = 'lab-phys-1-s1' AND kind = 'device.offline'");
            assertEquals(List.of("2|PT3S|1"), offline, "WARNING, with the limit and when it was last heard");

            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s1", pack).getCode());
            assertTrue(await(gw, "device_id = 'lab-phys-1-s1' AND kind = 'device.online'", 2, 10), "not online again");
        }
    }

    @Test
    void aKitThatSendsOnlyGarbageIsAnAlarmUntilItIsGoodAgain() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        try (var all = Files.list(GatewayFixture.distribution().resolve("device-profiles/profiles"))) {
            for (Path p : all.toList()) {
                Files.writeString(profiles.resolve(p.getFileName()),
                        Files.readString(p).replace("offlineAfter: PT2M", "offlineAfter: PT3S"));
            }
        }
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.profilesDir=" + profiles,
                "health.checkIntervalSeconds=1")) {
            String alarm = "gateway:device-failing:lab-phys-1-s2";
            String raised = "kind = 'alarm.raised' AND json_extract(attributes, '$.alarm') = '" + alarm + "'";
            // connected (its DTLS handshake works, it posts), but every pack is garbage: refused, 4.00
            long end = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < end && !await(gw, raised, 1, 0)) {
                assertEquals(ResponseCode.BAD_REQUEST, GatewayFixture.post(gw, "lab-phys-1-s2", "{\"not\": senml").getCode());
                Thread.sleep(300);
            }
            assertTrue(await(gw, raised, 1, 0), "a kit sending only garbage for longer than its offlineAfter raised no alarm");
            assertEquals(List.of("WARNING|device-failing"), GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes,"
                    + " '$.alarmSeverity') || '|' || json_extract(attributes, '$.rule') FROM events WHERE " + raised));
            // good again: cleared
            String pack = "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21}]";
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s2", pack).getCode());
            assertTrue(await(gw, "kind = 'alarm.cleared' AND json_extract(attributes, '$.alarm') = '" + alarm + "'", 1, 10),
                    "the alarm was not cleared when the kit was good again");
        }
    }

    /** Waits until at least {@code n} events match, polling the SQLite file. */
    private static boolean await(GatewayProcess gw, String where, long n, int seconds) throws Exception {
        String sql = "SELECT count(*) FROM events e JOIN devices d ON d.ref = e.device_ref WHERE " + where;
        return GatewayFixture.eventually(seconds, () -> Long.parseLong(GatewayFixture.rows(gw.storePath(), sql).get(0)) >= n);
    }
}
