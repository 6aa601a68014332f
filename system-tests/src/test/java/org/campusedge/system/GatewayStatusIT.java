package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway that cannot start whole does not run degraded: it says which part failed and why (a
 * store it cannot open, a port it cannot bind, a home another gateway is using) and exits
 * non-zero, for its supervisor to see.
 */
class GatewayStatusIT {

    @TempDir
    Path dir;

    private static List<String> settings(String... more) {
        List<String> all = new ArrayList<>(List.of("camel.coapPort=0", "camel.coapsPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0"));
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void aComponentThatCannotStartStopsTheGatewayWithItsReason() throws Exception {
        long t0 = System.nanoTime();
        GatewayProcess.Ended ended = GatewayProcess.runToExit(GatewayFixture.distribution(), dir,
                settings("store.path=/proc/campus-edge/events.db"), List.of("-Xmx256m"), 120);
        String report = ended.console();
        assertEquals(1, ended.exitStatus(), report);
        assertTrue(report.contains("The gateway did not start; not every part is active"), report);
        assertTrue(report.lines().anyMatch(l -> l.contains("SqliteEventStore") && l.contains("FAILED")
                && l.contains("/proc/campus-edge")), report);
        // the bus needs the store: its line names the reference whose service failed
        assertTrue(report.lines().anyMatch(l -> l.contains("RxEventBus") && l.contains("FAILED")
                && l.contains("'store' failed to start")), report);
        assertTrue(report.lines().anyMatch(l -> l.contains("CamelGatewayComponent") && !l.contains("ACTIVE")), report);
        // the outbox is a file of its own and opens whatever became of the event store
        assertTrue(report.lines().noneMatch(l -> l.contains("SqliteOutbox") && l.contains("FAILED")), report);
        assertTrue(!Files.exists(dir.resolve("run/gateway.status")), "a status file says it runs");
        System.out.printf("a gateway without its store stopped in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void portsThatAreTakenStopTheGatewayNamingThePort() throws Exception {
        try (DatagramSocket coap = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ServerSocket card = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            GatewayProcess.Ended udp = GatewayProcess.runToExit(GatewayFixture.distribution(), dir.resolve("a"),
                    settings("camel.coapHost=127.0.0.1", "camel.coapPort=" + coap.getLocalPort()), List.of("-Xmx256m"), 120);
            assertEquals(1, udp.exitStatus(), udp.console());
            assertTrue(udp.console().contains("could not listen on udp 127.0.0.1:" + coap.getLocalPort()), udp.console());

            GatewayProcess.Ended tcp = GatewayProcess.runToExit(GatewayFixture.distribution(), dir.resolve("b"),
                    settings("camel.cardHost=127.0.0.1", "camel.cardPort=" + card.getLocalPort()), List.of("-Xmx256m"), 120);
            assertEquals(1, tcp.exitStatus(), tcp.console());
            assertTrue(tcp.console().contains("could not listen on tcp 127.0.0.1:" + card.getLocalPort()), tcp.console());
        }
    }

    @Test
    void aSecondGatewayOnTheSameHomeStopsAndLeavesTheFirstAlone() throws Exception {
        try (GatewayProcess first = GatewayFixture.start(dir)) {
            GatewayProcess.Ended second = GatewayProcess.runToExit(GatewayFixture.distribution(), dir, settings(), List.of("-Xmx256m"), 60);
            assertEquals(4, second.exitStatus(), second.console());
            assertTrue(second.console().contains("is in use by another running gateway (pid " + first.pid() + ")"), second.console());
            // the first one's status file and store are untouched, and it still serves
            assertTrue(Files.exists(dir.resolve("run/gateway.status")), "the second gateway deleted the first one's status file");
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(first, "lab-phys-1-s1", "[{\"n\":\"ph\",\"v\":7.1}]").getCode());
        }
    }
}
