package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.campusedge.simulators.attack.Siege;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.gateway.HeapSampler;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The siege: a small simulated school runs against the distribution with its defaults (-Xmx256m)
 * while every attack of {@link Siege} step 1 hammers every port at once from other loopback
 * addresses. A perimeter intrusion posted in the middle must raise the CRITICAL alarm and reach the
 * PA; the console must answer; every reading and swipe the gateway acknowledged must be stored;
 * the gateway must be the same process afterwards and serve normally when the attack stops.
 */
class SiegeIT {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theSchoolIsServedThroughASiege() throws Exception {
        SchoolSize size = new SchoolSize(6, 2, 4, 4, 4, 1);
        try (SimulatedSchool school = SimulatedSchool.prepare(dir.resolve("school"), "sch-siege", size,
                SimulatedSchool.morningClock(60))) {
            List<String> settings = CloudFixture.concat(List.of("registry.inventoryFile=" + school.inventoryFile(),
                    "health.checkIntervalSeconds=1", "camel.controllerPollSeconds=5"), GatewayFixture.nightRules(dir, "rules"));
            school.provision(dir.resolve("gw"));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings.toArray(String[]::new))) {
                try {
                    besiege(school, gw);
                } catch (AssertionError | Exception e) {
                    System.out.println("siege failed; the gateway's warnings and errors:\n" + GatewayFixture.problems(gw, 60));
                    throw e;
                }
            }
        }
    }

    private void besiege(SimulatedSchool school, GatewayProcess gw) throws Exception {
        long pid = gw.pid();
        school.attach(gw, 500);
        // a perimeter camera only the test posts from, and the lab kit that will run away (an old kit on plain CoAP: the
        // per-device rate is what holds it)
        Files.writeString(school.inventoryFile(), """
                  - id: cam-fence-probe
                    profile: camera-isapi
                    location:
                      building: 围墙 Perimeter
                      zone: perimeter
                  - id: lab-runaway-1
                    profile: lab-sensor-kit
                    security: none
                    location:
                      building: 实验楼 Science Building
                      room: lab-runaway
                """, StandardOpenOption.APPEND);
        Camera probe = new Camera("cam-fence-probe", URI.create("http://127.0.0.1:" + gw.httpPort()), false);
        // the gateway issues the new camera its key when the inventory names it; the installer copies it into the camera
        assertTrue(GatewayFixture.eventually(30, () -> probe.withSecret(gw.deviceKeys().secret("cam-fence-probe")).post(heartbeat()) == 200),
                "the probe camera's route did not start");
        assertTrue(GatewayFixture.eventually(60, () -> GatewayFixture.deviceReport(gw).values().stream()
                .filter(r -> !r.get("device").equals("lab-runaway-1")).allMatch(r -> r.get("presence").equals("ONLINE"))),
                "the school did not come online: " + GatewayFixture.deviceReport(gw));
        ConsoleClient console = ConsoleClient.admin(gw);
        BroadcastController pa = school.controllers().get(0);
        long labsBefore = school.labs().outcomes().acknowledged();
        long swipesBefore = school.cards().acknowledged();

        Siege.Strength strength = Siege.Strength.step(1);
        System.out.println("Siege " + strength.describe());
        Siege.Target target = new Siege.Target(gw.coapPort(), gw.httpPort(), gw.cardPort(), gw.consolePort(),
                school.inventory().labSensors().stream().map(id -> "/campus/lab/" + id).toList(),
                school.inventory().cameras().stream().map(c -> "/campus/camera/" + c.cameraId()).toList(),
                school.inventory().cardReaders().get(0).readerId(), "lab-runaway-1");
        try (HeapSampler heap = new HeapSampler(pid)) {
            Siege siege = Siege.start(target, strength);
            try {
                // well into the flood: the block-wise transfers alone are 10 s of it
                assertTrue(GatewayFixture.eventually(30, () -> siege.attack("coap-blockwise-flood").count("sent", false) >= 6_000),
                        "the block-wise flood did not get going: " + siege.report());
                int playedBefore = pa.played().size();
                long t0 = System.nanoTime();
                int status = probe.post(new AlertDocuments.Alert("linedetection", true, 1, 1,
                        OffsetDateTime.now(ZoneOffset.ofHours(8)), 1, "10.20.8.12", null, "Line crossing alarm"));
                assertEquals(200, status, "the intrusion was not taken during the siege; " + siege.report());
                assertTrue(GatewayFixture.eventually(20, () -> pa.played().size() > playedBefore),
                        "the PA played nothing during the siege");
                System.out.printf("siege: intrusion post -> PA play %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                assertTrue(GatewayFixture.eventually(20, () -> !GatewayFixture.rows(gw.storePath(), "SELECT 1 FROM event_log"
                        + " WHERE kind = 'alarm.raised' AND device_id = 'cam-fence-probe'").isEmpty()), "no alarm stored");
                long c0 = System.nanoTime();
                assertTrue(console.get("/api/alarms").contains("cam-fence-probe"), "the console does not list the alarm");
                System.out.printf("siege: console answered in %d ms%n", (System.nanoTime() - c0) / 1_000_000);
                // the good devices keep being served while the attack goes on
                long labsMid = school.labs().outcomes().acknowledged();
                long swipesMid = school.cards().acknowledged();
                assertTrue(GatewayFixture.eventually(20, () -> school.labs().outcomes().acknowledged() > labsMid + 20),
                        "lab packs stopped being acknowledged: " + school.labs().outcomes());
                assertTrue(GatewayFixture.eventually(30, () -> school.cards().acknowledged() > swipesMid),
                        "card swipes stopped being acknowledged");
                assertTrue(GatewayFixture.eventually(30, () -> siege.attack("coap-blockwise-flood").count("sent", false)
                        >= strength.blockwiseTotal()), "the flood did not finish");
                // what the gateway holds while every attack is on: its live data after a full collection
                double live = HeapSampler.liveAfterFullGcMb(pid);
                System.out.printf("siege: live heap under attack %.0f MB (after a full collection)%n", live);
                assertTrue(live < 160, "the gateway holds " + live + " MB under attack; the README's arithmetic says < 160");
            } finally {
                siege.close();
                System.out.print("siege report:\n" + siege.report());
            }
            // peaks include garbage G1 had not collected yet: printed, not asserted (the live figure above is)
            System.out.printf("siege: gateway heap peak %.0f MB in use (old generation %.0f MB)%n", heap.peakUsedMb(), heap.peakOldMb());
        }
        assertTrue(gw.isAlive() && gw.pid() == pid, "the gateway is not the process it was");

        // afterwards: normal service for every family
        assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, school.inventory().labSensors().get(0),
                "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.5}]").getCode());
        assertEquals(200, probe.post(heartbeat()));
        assertTrue(console.get("/api/me").contains("admin"));
        school.labs().stop();
        school.cards().close();
        Thread.sleep(2000); // answers in flight arrive
        String observed = String.join("','", school.inventory().observedLabSensors());
        long labRows = count(gw, "kind = 'lab.reading' AND device_id NOT IN ('" + observed + "','lab-runaway-1')");
        assertTrue(labRows >= school.labs().outcomes().acknowledged() * 7,
                "acknowledged lab packs missing: " + labRows + " rows for " + school.labs().outcomes());
        long swipes = count(gw, "kind GLOB 'card.*'");
        assertTrue(swipes >= school.cards().acknowledged(), "swipes: ACKed " + school.cards().acknowledged() + ", stored " + swipes);
        System.out.printf("siege: lab packs acknowledged %d (%d before), swipes acknowledged %d (%d before)%n",
                school.labs().outcomes().acknowledged(), labsBefore, school.cards().acknowledged(), swipesBefore);
        Map<String, Map<String, String>> report = GatewayFixture.deviceReport(gw);
        System.out.println("siege: runaway kit " + report.get("lab-runaway-1"));
    }

    private static AlertDocuments.Alert heartbeat() {
        return new AlertDocuments.Alert("heartBeat", false, 1, 0, OffsetDateTime.now(ZoneOffset.ofHours(8)), 1, "10.20.8.12", null,
                "heartbeat");
    }

    private static long count(GatewayProcess gw, String where) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(), "SELECT count(*) FROM event_log WHERE " + where).get(0));
    }
}
