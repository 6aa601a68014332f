package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.campusedge.api.CloudLink;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.StoreStats;
import org.campusedge.api.Watchdog;
import org.campusedge.web.Http;
import org.junit.jupiter.api.Test;

/** What a supervisor polling /health is told: a stalling part is DOWN before the watchdog stops the gateway; a lost cloud is DEGRADED. */
class GatewayHealthTest {

    private final AtomicReference<List<Watchdog.Part>> parts = new AtomicReference<>(List.of());
    private final AtomicReference<CloudLink.Status> cloud = new AtomicReference<>();

    private final Watchdog watchdog = new Watchdog() {
        @Override
        public Heartbeat watch(String part, Duration maxSilence, java.util.function.BooleanSupplier busy) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void fatal(String part, Throwable cause) {
        }

        @Override
        public List<Part> parts() {
            return parts.get();
        }
    };

    private final AtomicReference<StoreStats> store = new AtomicReference<>(new StoreStats(120, 12, 3, 0, 0, 4096, null));

    private final GatewayHealth health = new GatewayHealth(store::get,
            () -> List.of(new DeviceHealth.State("cam-1", "camera", DeviceHealth.Presence.ONLINE, Instant.now(), Instant.now()),
                    new DeviceHealth.State("lab-1", "lab", DeviceHealth.Presence.OFFLINE, null, Instant.now())),
            () -> cloud.get() == null ? null : cloud::get, () -> watchdog);

    private String[] ask() throws Exception {
        StringWriter w = new StringWriter();
        GatewayHealth.Status status;
        try (JsonGenerator g = Http.JSON.createGenerator(w)) {
            status = health.write(g);
        }
        return new String[] {status.name(), w.toString()};
    }

    @Test
    void aPartWithWorkWaitingAndNoProgressIsDownBeforeTheWatchdogStopsTheGateway() throws Exception {
        parts.set(List.of(new Watchdog.Part("store writer", true, Duration.ofSeconds(5), Duration.ofSeconds(60)),
                new Watchdog.Part("bus subscriber rules", false, Duration.ZERO, Duration.ofSeconds(60))));
        String[] up = ask();
        assertEquals("UP", up[0], up[1]);
        assertTrue(up[1].contains("\"offline\":1") && up[1].contains("\"online\":1"), "an offline device is reported: " + up[1]);

        parts.set(List.of(new Watchdog.Part("store writer", true, Duration.ofSeconds(31), Duration.ofSeconds(60))));
        String[] down = ask();
        assertEquals("DOWN", down[0], down[1]);
        assertTrue(down[1].contains("\"status\":\"STALLING\""), down[1]);
        assertTrue(down[1].contains("\"status\":\"DOWN\""), down[1]);

        parts.set(List.of(new Watchdog.Part("store writer", false, Duration.ZERO, Duration.ofSeconds(60))));
        assertEquals("UP", ask()[0], "an idle part may stay silent for ever");
    }

    /** A full disk: the writer keeps beating (the watchdog sees no stall), but every commit fails. */
    @Test
    void aStoreWhoseNewestCommitFailedIsDown() throws Exception {
        store.set(new StoreStats(120, 12, 40, 600, 0, 4096, "database or disk is full", 1_000_000, true));
        String[] down = ask();
        assertEquals("DOWN", down[0], down[1]);
        assertTrue(down[1].contains("\"status\":\"FAILING\"") && down[1].contains("disk is full"), down[1]);
        store.set(new StoreStats(130, 13, 0, 600, 0, 4096, "database or disk is full", 1_100_000, false));
        assertEquals("UP", ask()[0], "a commit went through again: an old failure is history, not health");
    }

    @Test
    void aLostCityLinkIsDegradedNotDown() throws Exception {
        cloud.set(new CloudLink.Status("amqps://hono:5671", false, Instant.now(), 10, 2, null, 0, null, "connection refused", null));
        String[] degraded = ask();
        assertEquals("DEGRADED", degraded[0], degraded[1]);
        assertTrue(degraded[1].contains("connection refused"), degraded[1]);
        cloud.set(new CloudLink.Status("amqps://hono:5671", true, Instant.now(), 10, 2, null, 0, null, null, null));
        assertEquals("UP", ask()[0]);
        cloud.set(new CloudLink.Status(null, false, null, 0, 0, null, 0, null, "no Hono host configured", null));
        String[] alone = ask();
        assertEquals("UP", alone[0], "a school without a city link is not degraded for it: " + alone[1]);
        assertTrue(alone[1].contains("\"configured\":false"), alone[1]);
    }
}
