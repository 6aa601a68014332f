package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.campusedge.city.BroadcastOrder;
import org.campusedge.city.CommandRecord;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud chain end to end on random ports: a school's gateway (the built distribution, Hono's
 * device client inside its OSGi bundle) → the Hono sandbox → the city dashboard's database. Every
 * summary period arrives with all five summaries, every CRITICAL alarm transition arrives as an
 * event; the city's broadcast reaches the school's PA simulator and its answer comes back; malformed
 * and unknown commands are answered with a reason and nothing runs; every command is in the audit log.
 */
class CloudChainIT {

    private static final String SCHOOL = "sch-cloud-1";
    private static final List<String> SUMMARIES = List.of("energy", "alarms", "health", "attendance", "lab");

    @TempDir
    Path dir;

    @Test
    void summariesAlarmsAndCommandsTravelBetweenTheSchoolAndTheCity() throws Exception {
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), List.of(SCHOOL));
             BroadcastController pa = new BroadcastController(List.of("playground", "dormitory", "teaching-1f"), 200)) {
            URI api = pa.start(0);
            List<String> settings = CloudFixture.concat(CloudFixture.school(dir, SCHOOL, api), cloud.gatewaySettings(SCHOOL, 2));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings.toArray(String[]::new))) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                GatewayFixture.intrusion(gw, "cam-fence-north-1");

                // the CRITICAL alarm reaches the city as an event about the camera
                assertTrue(GatewayFixture.eventually(30, () -> !cloud.idsByType(SCHOOL).getOrDefault("org.campusedge.alarm.v1", Set.of())
                        .isEmpty()), "no alarm at the city: " + cloud.idsByType(SCHOOL) + " " + cloud.sandbox.stats().toJson());
                assertEquals(Set.copyOf(CloudFixture.criticalAlarmIds(gw.storePath())), cloud.idsByType(SCHOOL).get("org.campusedge.alarm.v1"));
                List<String> alarm = GatewayFixture.rows(cloud.cityDb, "SELECT device FROM messages WHERE type = 'org.campusedge.alarm.v1'");
                assertTrue(alarm.get(0).contains("cam-fence-north-1"), alarm.toString());

                // three full summary periods, each with its five summaries
                assertTrue(GatewayFixture.eventually(40, () -> periods(cloud, SCHOOL).values().stream().filter(s -> s.size() == 5).count() >= 3),
                        "summaries at the city: " + periods(cloud, SCHOOL));
                periods(cloud, SCHOOL).forEach((start, types) -> assertEquals(SUMMARIES.size(), types.size(), "period " + start + ": " + types));
                assertTrue(consecutive(periods(cloud, SCHOOL).keySet(), 2), "a summary period is missing: " + periods(cloud, SCHOOL).keySet());

                // the city-wide broadcast plays at the school and its answer comes back
                CommandRecord played = cloud.city.broadcast(BroadcastOrder.cityWide("全市应急演练：请各校师生按预案疏散"))
                        .completion().get(60, TimeUnit.SECONDS).get(0);
                assertEquals(200, played.code(), played.toString());
                assertTrue(played.response().contains("ACCEPTED"), played.response());
                assertTrue(GatewayFixture.eventually(10, () -> pa.played().stream().anyMatch(p -> p.what().contains("全市应急演练"))),
                        "the PA did not play the city's text: " + pa.played());
                int plays = pa.played().size();

                // bad commands: answered with a reason, nothing runs
                CommandRecord badRules = cloud.city.command(SCHOOL, "rules", "{\"name\":\"city-rules\",\"yaml\":\"rules: 5\\n\"}")
                        .get(60, TimeUnit.SECONDS);
                assertEquals(400, badRules.code(), badRules.toString());
                assertTrue(badRules.response().contains("rules"), badRules.response());
                assertTrue(Files.notExists(dir.resolve(SCHOOL + "-rules/city-city-rules.yaml")), "a refused rule set was put in place");
                CommandRecord unknown = cloud.city.command(SCHOOL, "reboot", "{}").get(60, TimeUnit.SECONDS);
                assertEquals(404, unknown.code(), unknown.toString());
                CommandRecord malformed = cloud.city.command(SCHOOL, "broadcast", "{\"text\": 42}").get(60, TimeUnit.SECONDS);
                assertEquals(400, malformed.code(), malformed.toString());
                assertEquals(plays, pa.played().size(), "a refused command played something");

                // a good rule set is validated and put in force
                String yaml = Files.readString(dir.resolve(SCHOOL + "-rules/example-school.yaml")).replace("  - id: ", "  - id: city-");
                CommandRecord goodRules = cloud.city.command(SCHOOL, "rules", "{\"name\":\"city-rules\",\"yaml\":" + jsonString(yaml) + "}")
                        .get(60, TimeUnit.SECONDS);
                assertEquals(200, goodRules.code(), goodRules + "\n" + logTail(gw));
                assertTrue(Files.exists(dir.resolve(SCHOOL + "-rules/city-city-rules.yaml")), "the city's rule set is in a city-owned file");
                CommandRecord status = cloud.city.command(SCHOOL, "status", "{}").get(60, TimeUnit.SECONDS);
                assertEquals(200, status.code(), status.toString());
                assertTrue(status.response().contains("\"connected\":true"), status.response());

                // a rule set named like the school's own file lands in a city file: the school's perimeter rule stays
                Path own = dir.resolve(SCHOOL + "-rules/example-school.yaml");
                String ownBefore = Files.readString(own);
                CommandRecord overwrite = cloud.city.command(SCHOOL, "rules", "{\"name\":\"example-school\",\"yaml\":\"rules: []\\n\"}")
                        .get(60, TimeUnit.SECONDS);
                assertEquals(ownBefore, Files.readString(own), "a city rule set changed the school's own rule file: " + overwrite);
                // a control action from the city is refused unless the school allows it
                String control = "rules:\n  - id: city-switch-off\n    kind: threshold\n    match: {kinds: [energy.reading], point: power}\n"
                        + "    above: 1\n    severity: INFO\n    actions:\n      - control: {device: meter-teaching-1, point: breaker, value: false}\n";
                CommandRecord switching = cloud.city.command(SCHOOL, "rules", "{\"name\":\"city-switch\",\"yaml\":" + jsonString(control) + "}")
                        .get(60, TimeUnit.SECONDS);
                assertEquals(403, switching.code(), switching.toString());
                assertTrue(switching.response().contains("control actions"), switching.response());

                // commands not signed by the bureau, or signed and then changed, expired or sent again: refused, nothing plays
                String evacuate = "{\"text\":\"紧急疏散\",\"zones\":[\"all\"]}";
                CommandRecord unsigned = cloud.city.sendPayload(SCHOOL, "broadcast", evacuate, "attacker").get(60, TimeUnit.SECONDS);
                assertEquals(401, unsigned.code(), unsigned.toString());
                String jws = cloud.city.signer().sign("broadcast", SCHOOL, "operator-li", evacuate);
                String[] parts = jws.split("\\.");
                String changed = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                                .replace("紧急疏散", "解除警报").getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
                CommandRecord tampered = cloud.city.sendPayload(SCHOOL, "broadcast", changed, "attacker").get(60, TimeUnit.SECONDS);
                assertEquals(401, tampered.code(), tampered.toString());
                String stale = cloud.city.signer().at(() -> System.currentTimeMillis() - 900_000, java.time.Duration.ofMinutes(5))
                        .sign("broadcast", SCHOOL, "operator-li", evacuate);
                CommandRecord expired = cloud.city.sendPayload(SCHOOL, "broadcast", stale, "attacker").get(60, TimeUnit.SECONDS);
                assertEquals(403, expired.code(), expired.toString());
                assertTrue(expired.response().contains("expired"), expired.response());
                assertEquals(plays, pa.played().size(), "a refused command played something");
                CommandRecord first = cloud.city.sendPayload(SCHOOL, "broadcast", jws, "operator-li").get(60, TimeUnit.SECONDS);
                assertEquals(200, first.code(), first.toString());
                assertTrue(GatewayFixture.eventually(10, () -> pa.played().size() > plays), "the signed command did not play");
                int playsAfter = pa.played().size();
                CommandRecord replayed = cloud.city.sendPayload(SCHOOL, "broadcast", jws, "attacker").get(60, TimeUnit.SECONDS);
                assertEquals(403, replayed.code(), replayed.toString());
                assertTrue(replayed.response().contains("replayed"), replayed.response());
                Thread.sleep(1000);
                assertEquals(playsAfter, pa.played().size(), "the replayed command played again");

                // every command is in the school's audit log, with its reason
                List<String> expected = List.of("broadcast|200", "rules|400", "reboot|404", "broadcast|400", "rules|200", "status|200",
                        "rules|" + overwrite.code(), "rules|403", "broadcast|401", "broadcast|401", "broadcast|403", "broadcast|200",
                        "broadcast|403");
                assertTrue(GatewayFixture.eventually(10, () -> audit(gw).size() == expected.size()), "audit: " + audit(gw));
                assertEquals(expected, audit(gw));

                // the school console's admin page shows the link: connected, nothing waiting, the commands it took
                assertTrue(GatewayFixture.eventually(10, () -> adminCloud(gw).contains("\"connected\":true")
                        && adminCloud(gw).contains("\"outboxCritical\":0") && adminCloud(gw).contains("\"commands\":13")),
                        "the console's admin view of the cloud link: " + adminCloud(gw));
            }
        }
    }

    /** Summary types at the city by the period start in their ids ({@code school/type/epoch}). */
    static Map<Long, Set<String>> periods(CloudFixture cloud, String school) throws Exception {
        Map<Long, Set<String>> out = new TreeMap<>();
        for (Map.Entry<String, Set<String>> e : cloud.idsByType(school).entrySet()) {
            if (!e.getKey().startsWith("org.campusedge.summary.")) {
                continue;
            }
            for (String id : e.getValue()) {
                out.computeIfAbsent(Long.parseLong(id.substring(id.lastIndexOf('/') + 1)), k -> new java.util.TreeSet<>()).add(e.getKey());
            }
        }
        return out;
    }

    static boolean consecutive(Set<Long> starts, long periodSeconds) {
        Long previous = null;
        for (long s : starts) {
            if (previous != null && s - previous != periodSeconds) {
                return false;
            }
            previous = s;
        }
        return true;
    }

    private static List<String> audit(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.command'), json_extract(attributes, '$.status')"
                + " FROM event_log WHERE kind = 'audit.city-command' ORDER BY occurred_at, id");
    }

    /** The cloud part of the console's admin API, as the admin sees it. */
    private static String adminCloud(GatewayProcess gw) throws Exception {
        String admin = ConsoleClient.admin(gw).get("/api/admin");
        int at = admin.indexOf("\"cloud\":{");
        return at < 0 ? admin : admin.substring(at, admin.indexOf('}', at) + 1);
    }

    static String logTail(GatewayProcess gw) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(gw.status().getProperty("log")));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }
}
