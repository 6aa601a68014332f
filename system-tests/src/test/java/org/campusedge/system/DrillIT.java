package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.notify.RobotReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill through the real gateway, the PA controller, the WeCom robot and the city: started on the
 * security console, it raises the night-intrusion alarm as the drill's (its own key, marked), the PA
 * plays with the request on record as the drill's, the guard's group reads "演练 DRILL" first, and
 * the city shows it as a drill and counts it in no alarm figure. A real intrusion during the drill
 * interrupts it: the interruption is on record (CRITICAL), the drill's alarm is cleared, the real
 * alarm is told as "NOT A DRILL" and the city marks it so; the drill's report says what happened.
 */
class DrillIT {

    private static final String SCHOOL = "sch-drill-it";
    private static final String DRILL_ALARM = "perimeter-intrusion-night:cam-fence-north-1@drill";
    private static final String REAL_ALARM = "perimeter-intrusion-night:cam-fence-north-2";

    @TempDir
    Path dir;

    @Test
    void aDrillIsRehearsedForRealMarkedEverywhereAndARealAlarmInterruptsIt() throws Exception {
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), List.of(SCHOOL));
             RobotReceiver robots = new RobotReceiver("guard-key-1", "head-token", "SECsimulated0123456789").start();
             // announcements play for a minute: the drill's is still playing when the real alarm's comes
             BroadcastController pa = new BroadcastController(List.of("playground", "dormitory"), 60_000)) {
            URI api = pa.start(0);
            Path home = dir.resolve("gw");
            String[] settings = cloud.notifiedSchool(dir, home, SCHOOL, api, robots, 2);
            try (GatewayProcess gw = GatewayFixture.start(home, settings)) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                ConsoleClient head = ConsoleClient.admin(gw);

                // refused with a reason: an unknown camera, a length out of range
                assertEquals(400, head.post("/api/drill/start", "device=cam-nowhere&minutes=5"));
                assertEquals(400, head.post("/api/drill/start", "device=cam-fence-north-1&minutes=500"));

                assertEquals(200, head.post("/api/drill/start", "device=cam-fence-north-1&minutes=5&name=night+intrusion+drill"));
                assertEquals(409, head.post("/api/drill/start", "device=cam-fence-north-2&minutes=5"), "a second drill at once");
                assertTrue(head.get("/api/drill").contains("night intrusion drill"), head.get("/api/drill"));
                assertTrue(head.get("/api/drill").contains("\"interrupted\":null"), head.get("/api/drill"));

                // the drill's alarm: its own key, marked, on the console
                assertTrue(GatewayFixture.eventually(15, () -> head.get("/api/alarms").contains(DRILL_ALARM)),
                        "the drill raised no alarm: " + head.get("/api/alarms") + "\n" + GatewayFixture.problems(gw, 20));
                assertTrue(head.get("/api/alarms").matches("(?s).*\"key\":\"" + java.util.regex.Pattern.quote(DRILL_ALARM)
                        + "\".*\"drill\":\"[0-9A-Z]+\".*"), head.get("/api/alarms"));
                String drillId = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.drill') FROM events"
                        + " WHERE kind = 'audit.drill-started'").get(0);
                // the PA played, and its request is on record as the drill's
                assertTrue(GatewayFixture.eventually(15, () -> !pa.played().isEmpty()), "the PA did not play in the drill");
                assertTrue(GatewayFixture.eventually(10, () -> GatewayFixture.count(gw.storePath(), "kind = 'broadcast.requested'"
                        + " AND json_extract(attributes, '$.drill') = '" + drillId + "'") == 1), "the PA request is not the drill's");
                // the guard's group is told it is a drill, first thing
                assertTrue(GatewayFixture.eventually(15, () -> robots.received("wecom").size() == 1), "no notification of the drill");
                assertTrue(robots.received("wecom").get(0).body().contains("\"content\":\"【演练 DRILL】"), robots.received("wecom").get(0).body());
                // the city: marked as the drill's, listed apart from the open alarms
                assertTrue(GatewayFixture.eventually(20, () -> GatewayFixture.rows(cloud.cityDb, "SELECT drill FROM alarms"
                        + " WHERE alarm_id = '" + DRILL_ALARM + "'").equals(List.of(drillId))), "the city does not have the drill's alarm");

                // acknowledged as a guard would, for the drill's report
                assertEquals(200, head.post("/api/alarms/acknowledge", "key=" + java.net.URLEncoder.encode(DRILL_ALARM,
                        java.nio.charset.StandardCharsets.UTF_8) + "&note=drill+response"));

                // a real intrusion during the drill: it interrupts the drill, loudly
                GatewayFixture.intrusion(gw, "cam-fence-north-2");
                assertTrue(GatewayFixture.eventually(15, () -> GatewayFixture.count(gw.storePath(), "kind = 'audit.drill-interrupted'"
                        + " AND json_extract(attributes, '$.realAlarm') = '" + REAL_ALARM + "'") == 1),
                        "the real alarm did not interrupt the drill");
                assertTrue(GatewayFixture.eventually(10, () -> head.get("/api/drill").contains("\"current\":null")), head.get("/api/drill"));
                assertTrue(head.get("/api/drill").contains("\"realAlarm\":\"" + REAL_ALARM + "\""),
                        "a page opened now would not show the interruption: " + head.get("/api/drill"));
                assertTrue(GatewayFixture.eventually(10, () -> !head.get("/api/alarms").contains(DRILL_ALARM)),
                        "the drill's alarm was not cleared: " + head.get("/api/alarms"));
                assertTrue(head.get("/api/alarms").contains(REAL_ALARM), "the real alarm is not on the console");
                // the drill's announcement (one below the rule's priority) gave way to the real one in every zone
                assertTrue(GatewayFixture.eventually(10, () -> pa.played().stream().filter(p -> p.priority() == 95 && p.preempted())
                        .count() == 2), "the real alarm's announcement did not pre-empt the drill's: " + pa.played());
                assertTrue(pa.played().stream().filter(p -> !p.preempted()).allMatch(p -> p.priority() == 94), pa.played().toString());
                assertTrue(GatewayFixture.eventually(15, () -> robots.received("wecom").stream()
                        .anyMatch(r -> r.body().contains("\"content\":\"【非演练 NOT A DRILL】") && r.body().contains(REAL_ALARM))),
                        "the real alarm was not told as not a drill: " + robots.received("wecom"));
                assertFalse(robots.received("wecom").stream().anyMatch(r -> r.body().contains(REAL_ALARM) && r.body().contains("【演练")),
                        "the real alarm was told as a drill");
                assertTrue(GatewayFixture.eventually(20, () -> GatewayFixture.rows(cloud.cityDb, "SELECT coalesce(drill, '-') || '|'"
                        + " || during_drill FROM alarms WHERE alarm_id = '" + REAL_ALARM + "'").equals(List.of("-|" + drillId))),
                        "the city does not mark the real alarm as raised during the drill");
                // the drill's report
                List<String> report = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.alarmsRaised') || '|'"
                        + " || json_extract(attributes, '$.acknowledgedBy') || '|' || json_extract(attributes, '$.paRequests')"
                        + " FROM events WHERE kind = 'audit.drill-ended'");
                assertEquals(List.of("1|admin|1"), report);

                // kept out of the real alarm figures: the city's counts hold the real raise only, never the drill's
                assertTrue(GatewayFixture.eventually(20, () -> GatewayFixture.rows(cloud.cityDb,
                        "SELECT coalesce(sum(raised), 0) FROM alarm_counts WHERE rule = 'perimeter-intrusion-night'").equals(List.of("1"))),
                        "the city's alarm counts: " + GatewayFixture.rows(cloud.cityDb, "SELECT * FROM alarm_counts"));
            }
        }
    }
}
