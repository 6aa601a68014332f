package org.campusedge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.junit.jupiter.api.Test;

/** The fault switches. */
class FaultsTest extends SandboxTestBase {

    @Test
    void releaseAndRejectModesSettleWithoutForwarding() throws Exception {
        final var telemetry = app().telemetry(TENANT);
        final RawDevice gw = gateway();

        sandbox.faults().mode(Faults.Mode.RELEASE);
        assertInstanceOf(Released.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));
        sandbox.faults().mode(Faults.Mode.REJECT);
        DeviceSideTest.assertRejected(gw.sendAndWait(message("event//dev-1", "text/plain", "1")),
                "amqp:resource-limit-exceeded");
        assertEquals(0, sandbox.stats().forwardedNorthbound());

        sandbox.faults().reset();
        assertInstanceOf(Accepted.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));
        assertNotNull(NorthApp.poll(telemetry, Duration.ofSeconds(5)));
        assertEquals(1, sandbox.stats().released());
        assertEquals(1L, sandbox.stats().rejectedByReason().get("amqp:resource-limit-exceeded"));
        assertEquals(1, sandbox.stats().accepted());
    }

    @Test
    void delayHoldsBackTheDisposition() throws Exception {
        app().telemetry(TENANT);
        final RawDevice gw = gateway();
        sandbox.faults().delay(Duration.ofMillis(400));
        final long start = System.nanoTime();
        assertInstanceOf(Accepted.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs >= 380, "disposition came after " + tookMs + " ms");
        sandbox.faults().reset();
        assertEquals(Duration.ZERO, sandbox.faults().delay());
    }

    @Test
    void downClosesConnectionsAndRefusesConnectsUpListensOnTheSamePorts() throws Exception {
        final int devicePort = sandbox.devicePort();
        final int northPort = sandbox.northPort();
        final RawDevice gw = gateway();
        app();
        assertEquals(1, sandbox.stats().deviceConnections());

        sandbox.faults().down();
        gw.disconnected().get(5, TimeUnit.SECONDS);
        assertTrue(sandbox.faults().isDown());
        assertEquals(0, sandbox.stats().deviceConnections());
        assertEquals(0, sandbox.stats().northConnections());
        assertThrows(Exception.class, () -> RawDevice.connect(clients, devicePort, "gw-a@t", "secret"));
        assertThrows(Exception.class, () -> NorthApp.connect(clients, northPort, "city", "city-pw"));

        sandbox.faults().up();
        assertEquals(devicePort, sandbox.devicePort());
        assertEquals(northPort, sandbox.northPort());
        final var telemetry = app().telemetry(TENANT);
        final RawDevice again = gateway();
        assertInstanceOf(Accepted.class, again.sendAndWait(message("telemetry", "text/plain", "back")));
        assertNotNull(NorthApp.poll(telemetry, Duration.ofSeconds(5)));
    }
}
