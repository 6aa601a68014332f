package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabLoadGenerator;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise: every reading the gateway acknowledged with 2.04 is in the SQLite file
 * after a {@code kill -9} in the middle of a load, and the gateway starts again on that file.
 */
class CrashIT {

    private static final long T0 = 1_763_800_000L; // seconds; pack n has base time T0 + n
    private static final String READINGS = "kind = 'lab.reading'"; // device.online events are stored too

    @TempDir
    Path dir;


    @Test
    void readingsAcknowledgedOverCoapSurviveKillDashNine() throws Exception {
        Set<Long> acked = new ConcurrentSkipListSet<>();
        GatewayProcess gw = GatewayFixture.start(dir);
        List<String> devices = List.of("lab-phys-1-s1", "lab-phys-1-s2", "lab-chem-1-s1", "lab-chem-1-s2", "lab-bio-1-s1");
        long killedAt;
        long stored;
        try (LabLoadGenerator load = new LabLoadGenerator(URI.create("coaps://127.0.0.1:" + gw.coapsPort()), devices, devices.size(), 80, 2,
                gw.deviceKeys())) {
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(2_000, 30, 0, (seq, device) -> GatewayFixture.pack(T0, seq, device), acked::add);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (acked.size() < 2_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(acked.size() >= 2_000, "the load did not get going: " + acked.size() + " acknowledged");
            gw.kill(); // SIGKILL while requests are in flight
            killedAt = acked.size();
            load.stop();
            running.get(60, TimeUnit.SECONDS);
        } finally {
            gw.kill(); // no-op after the kill above; stops the gateway when the test failed before it
        }
        // read the file as it was left: every acknowledged pack must be there with its ten readings
        GatewayFixture.assertEveryAcknowledgedPackStored(gw.storePath(), T0, acked);
        stored = GatewayFixture.count(gw.storePath(), READINGS);
        assertTrue(stored >= 10L * acked.size(), stored + " rows for " + acked.size() + " acknowledged packs");
        System.out.printf("kill -9 after %d acknowledged packs (%d by the time the answers stopped); %d rows on disk%n",
                killedAt, acked.size(), stored);

        // the gateway starts again on the same file and keeps what it had
        try (GatewayProcess again = GatewayProcess.start(GatewayFixture.distribution(), gw.home(),
                List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0"), List.of("-Xmx256m"))) {
            assertEquals("running", again.status().getProperty("state"), again.console());
            assertEquals(stored, GatewayFixture.count(again.storePath(), READINGS));
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(again, "lab-phys-1-s1", GatewayFixture.pack(T0, 999_999, "lab-phys-1-s1")).getCode());
            assertEquals(stored + 10, GatewayFixture.count(again.storePath(), READINGS));
        }
    }
}
