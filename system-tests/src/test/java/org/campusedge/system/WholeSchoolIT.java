package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start's whole simulated school, small, through the real gateway: every family's
 * devices online and their events in SQLite, nothing they were told was stored missing.
 */
class WholeSchoolIT {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void everyFamilyOfASimulatedSchoolReachesTheStore() throws Exception {
        SchoolSize size = new SchoolSize(6, 2, 3, 4, 4, 1);
        try (SimulatedSchool school = SimulatedSchool.prepare(dir.resolve("school"), "sch-it", size,
                SimulatedSchool.morningClock(600))) {
            school.provision(dir.resolve("gw"));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + school.inventoryFile(),
                    "health.checkIntervalSeconds=1", "camel.controllerPollSeconds=2")) {
                school.attach(gw, 500);
                assertTrue(GatewayFixture.eventually(60, () -> {
                    Map<String, Map<String, String>> report = GatewayFixture.deviceReport(gw);
                    return report.size() == size.devices()
                            && report.values().stream().allMatch(r -> r.get("presence").equals("ONLINE"));
                }), "not every device came online: " + GatewayFixture.deviceReport(gw));
                // the cameras' events come at random; a few heartbeats' worth of time gives each family its events
                assertTrue(GatewayFixture.eventually(60, () -> families(gw).containsAll(
                        List.of("camera", "card", "energy", "lab"))), "families stored: " + families(gw));
                school.labs().stop();
                school.cards().close();
                school.cameras().close();
                Thread.sleep(2000); // answers in flight arrive
                String observed = String.join("','", school.inventory().observedLabSensors());
                assertTrue(count(gw, "kind = 'lab.reading' AND device_id IN ('" + observed + "')") > 0, "no observed readings");
                long labRows = count(gw, "kind = 'lab.reading' AND device_id NOT IN ('" + observed + "')");
                assertTrue(labRows >= school.labs().outcomes().acknowledged() * 7,
                        "acknowledged lab packs missing: " + labRows + " rows for " + school.labs().outcomes());
                // every acknowledged message is stored; a few more may be, whose answers were in flight when the devices stopped
                long swipes = count(gw, "kind GLOB 'card.*'");
                assertTrue(swipes >= school.cards().acknowledged() && swipes <= school.cards().sent(),
                        "swipes: ACKed " + school.cards().acknowledged() + ", sent " + school.cards().sent() + ", stored " + swipes);
                long alerts = count(gw, "kind GLOB 'camera.*'");
                assertTrue(alerts >= school.cameras().alertsAccepted(), "alerts answered 200 "
                        + school.cameras().alertsAccepted() + ", stored " + alerts);
                Map<String, Map<String, String>> report = GatewayFixture.deviceReport(gw);
                report.forEach((id, r) -> assertEquals("0", r.get("rejected"), id + " had messages refused: " + r));
            }
        }
    }

    private static List<String> families(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT DISTINCT substr(kind, 1, instr(kind, '.') - 1) FROM events"
                + " WHERE kind NOT GLOB 'device.*' ORDER BY 1");
    }

    private static long count(GatewayProcess gw, String where) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE " + where).get(0));
    }
}
