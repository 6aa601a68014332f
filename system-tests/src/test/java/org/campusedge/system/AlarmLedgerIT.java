package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.notify.RobotReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The night intrusion's delivery ledger, through the real gateway, PA controller, WeCom robot, Hono
 * sandbox and city: every hop is on the console's ledger, in order — the camera's event occurred,
 * was received, stored, the rule raised the alarm, the PA was commanded and played in both zones,
 * the guard's group was told, the guard acknowledged, the raise was queued for the city and Hono
 * accepted it — and the city's alarm carries the trigger event's id and the hops it was sent, with
 * when the city stored it.
 */
class AlarmLedgerIT {

    private static final String SCHOOL = "sch-ledger-it";
    private static final String ALARM = "perimeter-intrusion-night:cam-fence-north-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theNightIntrusionsLedgerHasEveryHopInOrderHereAndAtTheCity() throws Exception {
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), List.of(SCHOOL));
             RobotReceiver robots = new RobotReceiver("guard-key-1", "head-token", "SECsimulated0123456789").start();
             BroadcastController pa = new BroadcastController(List.of("playground", "dormitory"), 200)) {
            URI api = pa.start(0);
            Path home = dir.resolve("gw");
            String[] settings = cloud.notifiedSchool(dir, home, SCHOOL, api, robots, 30);
            try (GatewayProcess gw = GatewayFixture.start(home, settings)) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                ConsoleClient guard = ConsoleClient.admin(gw);
                GatewayFixture.intrusion(gw, "cam-fence-north-1");
                assertTrue(GatewayFixture.eventually(15, () -> robots.received("wecom").size() == 1), "the guard's group was not told");
                assertTrue(GatewayFixture.eventually(15, () -> pa.played().size() == 2), "the PA did not play in both zones");
                assertEquals(200, guard.post("/api/alarms/acknowledge", "key=" + java.net.URLEncoder.encode(ALARM,
                        java.nio.charset.StandardCharsets.UTF_8) + "&note=on+my+way"));
                List<String> expected = List.of("occurred", "received", "stored", "raised", "pa-commanded", "pa-played",
                        "pa-played", "notified", "acknowledged", "queued", "accepted");
                String path = "/api/alarms/ledger?key=" + java.net.URLEncoder.encode(ALARM, java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(GatewayFixture.eventually(20, () -> hops(guard.get(path)).containsAll(expected)
                                && hops(guard.get(path)).size() == expected.size()),
                        "the ledger: " + guard.get(path) + "\n" + GatewayFixture.problems(gw, 20));
                JsonNode ledger = JSON.readTree(guard.get(path));
                System.out.println("the night intrusion's ledger:");
                ledger.get("hops").forEach(h -> System.out.printf("  +%5d ms  %-13s %s%n", h.get("afterMs").asLong(),
                        h.get("hop").asText(), h.get("detail").asText()));
                // in causal order: each hop is no earlier than the one it follows from
                assertBefore(ledger, "occurred", "received");
                assertBefore(ledger, "received", "stored");
                assertBefore(ledger, "stored", "raised");
                assertBefore(ledger, "raised", "pa-commanded");
                assertBefore(ledger, "pa-commanded", "pa-played");
                assertBefore(ledger, "raised", "notified");
                assertBefore(ledger, "raised", "queued");
                assertBefore(ledger, "queued", "accepted");
                assertBefore(ledger, "notified", "acknowledged");
                assertTrue(detail(ledger, "acknowledged").startsWith("admin"), detail(ledger, "acknowledged"));
                assertTrue(detail(ledger, "notified").startsWith("guard-wecom"), detail(ledger, "notified"));

                // the city: the trigger's id and the hops it was sent, and when it stored the raise
                String trigger = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.trigger') FROM events"
                        + " WHERE kind = 'alarm.raised'").get(0);
                assertTrue(GatewayFixture.eventually(15, () -> !GatewayFixture.rows(cloud.cityDb, "SELECT ledger FROM alarms"
                        + " WHERE alarm_id = '" + ALARM + "' AND trigger_id = '" + trigger + "'").isEmpty()), "the city has no ledger");
                JsonNode atCity = JSON.readTree(GatewayFixture.rows(cloud.cityDb, "SELECT ledger FROM alarms WHERE alarm_id = '"
                        + ALARM + "'").get(0));
                List<String> cityHops = new ArrayList<>();
                atCity.fieldNames().forEachRemaining(cityHops::add);
                assertEquals(List.of("occurred", "received", "stored", "raised", "queued", "city"), cityHops, atCity.toString());
                assertEquals(time(ledger, "occurred").toEpochMilli(), Instant.parse(atCity.get("occurred").asText()).toEpochMilli(),
                        "the city's occurred (to the millisecond)");
                assertTrue(!Instant.parse(atCity.get("city").asText()).isBefore(Instant.parse(atCity.get("queued").asText())),
                        "stored at the city before it was queued: " + atCity);
            }
        }
    }

    private static List<String> hops(String json) throws Exception {
        List<String> out = new ArrayList<>();
        JSON.readTree(json).get("hops").forEach(h -> out.add(h.get("hop").asText()));
        return out;
    }

    private static Instant time(JsonNode ledger, String hop) {
        for (JsonNode h : ledger.get("hops")) {
            if (h.get("hop").asText().equals(hop)) {
                return Instant.parse(h.get("at").asText());
            }
        }
        throw new AssertionError("no " + hop + " in " + ledger);
    }

    private static String detail(JsonNode ledger, String hop) {
        for (JsonNode h : ledger.get("hops")) {
            if (h.get("hop").asText().equals(hop)) {
                return h.get("detail").asText();
            }
        }
        throw new AssertionError("no " + hop + " in " + ledger);
    }

    private static void assertBefore(JsonNode ledger, String first, String then) {
        assertTrue(!time(ledger, then).isBefore(time(ledger, first)), first + " after " + then + ": " + ledger);
    }
}
