package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway that cannot open its store says so: which component failed, why, and who waits for it. */
class GatewayStatusIT {

    @TempDir
    Path dir;

    @Test
    void aComponentThatCannotStartIsReportedWithItsReason() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir, "store.path=/proc/campus-edge/events.db")) {
            assertEquals("degraded", gw.status().getProperty("state"));
            assertEquals("", gw.status().getProperty("coap.port"), "nothing may listen without a store");
            String report = gw.console();
            assertTrue(report.lines().anyMatch(l -> l.contains("SqliteEventStore") && l.contains("FAILED")
                    && l.contains("/proc/campus-edge")), report);
            // the bus needs the store: its line names the reference whose service failed
            assertTrue(report.lines().anyMatch(l -> l.contains("RxEventBus") && l.contains("FAILED")
                    && l.contains("'store' failed to start")), report);
            assertTrue(report.lines().anyMatch(l -> l.contains("CamelGatewayComponent") && !l.contains("ACTIVE")), report);
            // the registry is fine, just not used by anyone yet (a delayed component), and not flagged
            assertTrue(report.lines().anyMatch(l -> l.contains("FileDeviceRegistry") && l.contains("SATISFIED (lazy)")
                    && !l.contains("<-")), report);
            assertTrue(report.contains("udp/not listening"), report);
        }
    }
}
