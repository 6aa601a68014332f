package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Watchdog;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabLoadGenerator;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No zombie: the store writer's thread is killed in the middle of a load (by an agent, as an
 * {@link Error} would kill it); the gateway notices, stops with status 70 within seconds instead of
 * staying up storing nothing, and — started again by its supervisor, here the test — has every
 * reading it acknowledged before the kill.
 */
class WatchdogIT {

    private static final long T0 = 1_763_900_000L;

    @TempDir
    Path dir;


    @Test
    void aGatewayWhoseStoreWriterDiesStopsAndLosesNothingAcknowledged() throws Exception {
        Set<Long> acked = new ConcurrentSkipListSet<>();
        GatewayProcess gw = GatewayFixture.start(dir);
        List<String> devices = List.of("lab-phys-1-s1", "lab-phys-1-s2", "lab-chem-1-s1", "lab-chem-1-s2", "lab-bio-1-s1");
        long diedAt;
        int status;
        try (LabLoadGenerator load = new LabLoadGenerator(URI.create("coaps://127.0.0.1:" + gw.coapsPort()), devices, devices.size(), 80, 2,
                gw.deviceKeys())) {
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(1_000, 30, 0, (seq, device) -> GatewayFixture.pack(T0, seq, device), acked::add);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(GatewayFixture.eventually(20, () -> acked.size() >= 1_000), "the load did not get going: " + acked.size());
            ThreadStopAgent.stopThread(gw.pid(), "store-writer", dir);
            diedAt = System.nanoTime();
            status = gw.awaitExit(30);
            long exitMillis = (System.nanoTime() - diedAt) / 1_000_000;
            load.stop();
            running.get(60, TimeUnit.SECONDS);
            assertEquals(Watchdog.EXIT_STATUS, status, "the gateway did not stop by itself:\n" + GatewayFixture.problems(gw, 20));
            System.out.printf("store writer killed after %d acknowledged packs; the gateway stopped %d ms later (status %d)%n",
                    acked.size(), exitMillis, status);
            assertTrue(exitMillis < 10_000, "it took " + exitMillis + " ms to stop");
        } finally {
            gw.kill();
        }
        String log = Files.readString(dir.resolve("logs/gateway.log"));
        assertTrue(log.contains("Stopping the gateway so that its supervisor restarts it: the event store writer died"), log);

        // the supervisor starts it again on the same home: every acknowledged pack is there, and it stores again
        long restart = System.nanoTime();
        try (GatewayProcess again = GatewayFixture.start(dir)) {
            System.out.printf("started again in %d ms%n", (System.nanoTime() - restart) / 1_000_000);
            GatewayFixture.assertEveryAcknowledgedPackStored(again.storePath(), T0, acked);
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(again, "lab-phys-1-s1", GatewayFixture.pack(T0, 999_999, "lab-phys-1-s1")).getCode());
        }
    }
}
