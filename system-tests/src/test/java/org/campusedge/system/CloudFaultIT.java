package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.campusedge.sandbox.Faults;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud link under faults, against the sandbox's fault switches: Hono down for a while and back
 * (nothing lost, the critical lane in order, re-sends de-duplicated by the city), Hono releasing and
 * rejecting (the gateway backs off, no hot loop), and the gateway killed with {@code kill -9} in the
 * middle of draining a backlog (nothing lost after it starts again).
 */
class CloudFaultIT {

    private static final String SCHOOL = "sch-cloud-f";
    private static final String ALARM = "org.campusedge.alarm.v1";

    @TempDir
    Path dir;

    @Test
    void nothingIsLostWhenHonoIsDownRefusesOrTheGatewayIsKilledWhileDraining() throws Exception {
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), List.of(SCHOOL));
             BroadcastController pa = new BroadcastController(List.of("playground", "dormitory"), 200)) {
            URI api = pa.start(0);
            // a cloud stall is a gateway alarm after 3 s here (60 s by default)
            String[] settings = CloudFixture.concat(CloudFixture.concat(CloudFixture.school(dir, SCHOOL, api), cloud.gatewaySettings(SCHOOL, 1)),
                    List.of("cloud.stallAlarmSeconds=3")).toArray(String[]::new);
            Path home = dir.resolve("gw");
            GatewayProcess gw = GatewayFixture.start(home, settings);
            pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
            GatewayProcess restarted = null;
            try {
                assertTrue(GatewayFixture.eventually(30, () -> !CloudChainIT.periods(cloud, SCHOOL).isEmpty()), "no summary at the city");

                // 1. Hono down: alarms and summaries wait in the outbox; back up: all of it arrives, alarms in order
                cloud.sandbox.faults().down();
                GatewayFixture.intrusion(gw, "cam-fence-north-1");
                GatewayFixture.intrusion(gw, "cam-fence-north-2");
                assertTrue(GatewayFixture.eventually(20, () -> CloudFixture.criticalAlarmIds(gw.storePath()).size() == 2), "no alarms raised");
                assertTrue(GatewayFixture.eventually(20, () -> CloudFixture.outboxDepth(home) >= 10), "the outbox did not fill while Hono was down");
                Thread.sleep(2000);
                assertEquals(Set.of(), cloud.idsByType(SCHOOL).getOrDefault(ALARM, Set.of()), "an alarm reached the city while Hono was down");
                cloud.sandbox.faults().up();
                assertTrue(GatewayFixture.eventually(60, () -> CloudFixture.outboxDepth(home) == 0), "the outbox did not drain");
                List<String> alarms = CloudFixture.criticalAlarmIds(gw.storePath());
                assertTrue(GatewayFixture.eventually(10, () -> arrivalOrder(cloud).equals(alarms)),
                        "critical lane order at the city " + arrivalOrder(cloud) + " vs raised " + alarms);
                assertTrue(CloudChainIT.consecutive(CloudChainIT.periods(cloud, SCHOOL).keySet(), 1), "a summary period was lost: "
                        + CloudChainIT.periods(cloud, SCHOOL).keySet());

                // 2. Hono slower than the gateway's send timeout: it re-sends, the city keeps one of each
                cloud.sandbox.faults().delay(Duration.ofSeconds(4));
                long duplicatesBefore = cloud.city.stats().duplicates();
                assertTrue(GatewayFixture.eventually(40, () -> cloud.city.stats().duplicates() > duplicatesBefore),
                        "no re-send reached the city: " + cloud.city.stats());
                cloud.sandbox.faults().reset();
                assertTrue(GatewayFixture.eventually(60, () -> CloudFixture.outboxDepth(home) == 0), "the outbox did not drain after the delay");
                assertEachSentEventStoredOnce(cloud, "after the delay");
                assertTrue(cloud.sandbox.stats().acceptedByEventId().values().stream().anyMatch(n -> n > 1),
                        "no message was sent twice: the delay did not make the gateway re-send");

                // 3. Hono releasing, then rejecting: the gateway backs off (no hot loop) and nothing leaves the outbox
                for (Faults.Mode mode : List.of(Faults.Mode.RELEASE, Faults.Mode.REJECT)) {
                    long refusedBefore = mode == Faults.Mode.RELEASE ? cloud.sandbox.stats().released() : cloud.sandbox.stats().rejected();
                    cloud.sandbox.faults().mode(mode);
                    Thread.sleep(8000);
                    long refused = (mode == Faults.Mode.RELEASE ? cloud.sandbox.stats().released() : cloud.sandbox.stats().rejected())
                            - refusedBefore;
                    System.out.printf("Hono %s for 8 s: the gateway tried %d times%n", mode, refused);
                    assertTrue(refused >= 2 && refused <= 12, mode + ": " + refused + " attempts in 8 s (back-off 0.5, 1, 2, 4 s)");
                    assertTrue(CloudFixture.outboxDepth(home) >= 8, "summaries left the outbox while Hono refused them");
                    // connected but not forwarding: a gateway alarm of its own, cleared once the outbox drains again
                    assertTrue(GatewayFixture.eventually(10, () -> drainStall(gw, "alarm.raised") > drainStall(gw, "alarm.cleared")),
                            "Hono " + mode + " everything for 8 s and no " + OUTBOX_STALLED + " alarm is active");
                    cloud.sandbox.faults().reset();
                    assertTrue(GatewayFixture.eventually(60, () -> CloudFixture.outboxDepth(home) == 0), "no drain after " + mode);
                    assertTrue(GatewayFixture.eventually(10, () -> drainStall(gw, "alarm.raised") == drainStall(gw, "alarm.cleared")),
                            OUTBOX_STALLED + " was not cleared once the outbox drained");
                }

                // 4. kill -9 in the middle of draining a backlog; started again, it sends what was left, the critical lane in order
                cloud.sandbox.faults().down();
                ConsoleClient guard = ConsoleClient.admin(gw);
                for (String camera : List.of("cam-fence-north-2", "cam-fence-north-1")) { // acknowledged in the other order
                    assertEquals(200, guard.post("/api/alarms/acknowledge", "key=perimeter-intrusion-night%3A" + camera + "&note=guard+sent"));
                }
                assertTrue(GatewayFixture.eventually(10, () -> CloudFixture.criticalAlarmIds(gw.storePath()).size() == 4),
                        "the acknowledgements were not stored");
                Thread.sleep(15_000);
                long backlog = CloudFixture.outboxDepth(home);
                assertTrue(backlog >= 50, "backlog " + backlog);
                cloud.sandbox.faults().delay(Duration.ofMillis(100)); // about 10 a second: the drain takes several seconds
                cloud.sandbox.faults().up();
                assertTrue(GatewayFixture.eventually(30, () -> CloudFixture.outboxDepth(home) < backlog - 5), "draining did not start");
                gw.kill();
                long left = CloudFixture.outboxDepth(home);
                System.out.printf("killed while draining: %d of %d messages still in the outbox%n", left, backlog);
                assertTrue(left > 0, "the drain finished before the kill");
                cloud.sandbox.faults().reset();
                restarted = GatewayFixture.start(home, settings);
                assertTrue(GatewayFixture.eventually(60, () -> CloudFixture.outboxDepth(home) == 0), "the restarted gateway did not drain");
                Path store = restarted.storePath();
                assertTrue(GatewayFixture.eventually(10, () -> arrivalOrder(cloud).equals(CloudFixture.criticalAlarmIds(store))),
                        "critical lane order at the city after the kill " + arrivalOrder(cloud) + " vs " + CloudFixture.criticalAlarmIds(store));
                Map<Long, Set<String>> periods = CloudChainIT.periods(cloud, SCHOOL);
                assertTrue(CloudChainIT.consecutive(periods.keySet(), 1), "a summary period was lost: " + periods.keySet());
                periods.forEach((start, types) -> assertEquals(5, types.size(), "period " + start + ": " + types));
                assertEachSentEventStoredOnce(cloud, "after the kill");
            } finally {
                gw.close();
                if (restarted != null) {
                    restarted.close();
                }
            }
        }
    }

    /**
     * What Hono accepted from the gateway (counted at the sandbox, per CloudEvent id) against what the
     * city stored: every id accepted is stored, once; and every extra copy the sandbox handed to the
     * city (a re-send, or a copy the city took longer to settle than the sandbox waits, which the
     * gateway is told to send again) that reached it was recognised as a duplicate: at least the
     * re-sends Hono accepted, at most the extra copies handed over (a copy can be lost with a
     * connection that drops) — none stored twice, none lost, none silently dropped.
     */
    private static void assertEachSentEventStoredOnce(CloudFixture cloud, String when) throws Exception {
        Map<String, Integer> sent = cloud.sandbox.stats().acceptedByEventId();
        assertTrue(GatewayFixture.eventually(20, () -> Long.parseLong(GatewayFixture.rows(cloud.cityDb,
                "SELECT count(*) FROM messages").get(0)) >= sent.size()), when + ": the city stored fewer than were sent");
        Set<String> stored = Set.copyOf(GatewayFixture.rows(cloud.cityDb, "SELECT id FROM messages"));
        Set<String> missing = new java.util.HashSet<>(sent.keySet());
        missing.removeAll(stored);
        assertEquals(Set.of(), missing, when + ": accepted by Hono, never stored by the city");
        // read again each time: a delayed settle may still count a copy the city has already counted as a duplicate
        java.util.function.LongSupplier handedOver = () -> cloud.sandbox.stats().forwardedByEventId().values().stream()
                .mapToLong(n -> n - 1).sum();
        java.util.function.LongSupplier resent = () -> cloud.sandbox.stats().acceptedByEventId().values().stream()
                .mapToLong(n -> n - 1).sum();
        // at least every accepted re-send, at most every extra copy handed over (one may be lost with a dropped connection)
        assertTrue(GatewayFixture.eventually(15, () -> resent.getAsLong() <= cloud.city.stats().duplicates()
                && cloud.city.stats().duplicates() <= handedOver.getAsLong()), when + ": " + resent.getAsLong()
                + " re-sends accepted by Hono and " + handedOver.getAsLong() + " extra copies handed to the city, which counted "
                + cloud.city.stats().duplicates() + " duplicates");
    }

    private static final String OUTBOX_STALLED = "gateway:outbox-not-draining";

    /** How many transitions of the outbox-stall alarm of this kind the gateway stored. */
    private static long drainStall(GatewayProcess gw, String kind) throws Exception {
        return GatewayFixture.count(gw.storePath(), "kind = '" + kind + "' AND json_extract(attributes, '$.alarm') = '" + OUTBOX_STALLED + "'");
    }

    /** The city's alarm events in the order they were written to its database. */
    private static List<String> arrivalOrder(CloudFixture cloud) throws Exception {
        return GatewayFixture.rows(cloud.cityDb, "SELECT id FROM messages WHERE type = '" + ALARM + "' ORDER BY received_at_ms, rowid");
    }
}
