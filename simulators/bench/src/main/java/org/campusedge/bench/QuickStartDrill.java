package org.campusedge.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.school.SimulatedSchool;

/**
 * The quick start's drill: a minute or so after start, the security office of the first school (its
 * console admin) starts a drill, so a newcomer in the daytime sees the night-intrusion path whole —
 * the camera's intrusion played, the alarm raised, the PA commanded, the guard's WeCom group told,
 * the city told — each marked as a drill, and each hop is printed with its time as it happens.
 */
final class QuickStartDrill {

    private final GatewayProcess gateway;
    private final SimulatedSchool school;
    private final String cityDb;

    QuickStartDrill(GatewayProcess gateway, SimulatedSchool school, String cityDb) {
        this.gateway = gateway;
        this.school = school;
        this.cityDb = cityDb;
    }

    /** Starts the drill and follows it for up to a minute; prints each hop once it is seen. Never throws. */
    void run() {
        try {
            ConsoleClient office = ConsoleClient.admin(gateway);
            int wecomBefore = school.robots().received("wecom").size();
            int mailBefore = school.mail().received().size();
            long t0 = System.nanoTime();
            int status = office.post("/api/drill/start", "minutes=5&name=quick-start+drill+%E6%BC%94%E7%BB%83");
            if (status != 200) {
                System.out.printf("drill: the console refused to start one (HTTP %d): %s%n", status, office.get("/api/drill"));
                return;
            }
            System.out.printf("%nDRILL 演练: the security office started a 5-minute drill on %s's console (security page:"
                    + " the amber banner). Following it:%n", gateway.consoleUrl());
            Map<String, Long> seen = new LinkedHashMap<>();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && seen.size() < 6) {
                Map<String, String> store = drillHops(gateway.storePath());
                note(seen, "camera intrusion played", store.containsKey("camera"), t0, store.get("camera"));
                note(seen, "alarm raised", store.containsKey("alarm"), t0, store.get("alarm"));
                note(seen, "PA commanded", store.containsKey("pa"), t0, store.get("pa"));
                note(seen, "guard's WeCom group told", school.robots().received("wecom").stream().skip(wecomBefore)
                        .anyMatch(r -> r.body().contains("【演练 DRILL】")), t0, "\"【演练 DRILL】...\"");
                note(seen, "security office e-mailed", school.mail().received().stream().skip(mailBefore)
                        .anyMatch(r -> r.subject().startsWith("【演练 DRILL】")), t0, "subject \"【演练 DRILL】...\" (SMTP)");
                note(seen, "city told", atCity(), t0, "shown as a drill, outside the alarm figures");
                Thread.sleep(250);
            }
            if (seen.size() < 6) {
                System.out.printf("drill: after 60 s only %s of the path was seen; see the gateway log%n", seen.keySet());
            } else {
                System.out.println("drill: the whole path works. It ends by itself in 5 minutes (or: security page, End drill).");
            }
        } catch (Exception e) {
            System.out.println("drill: could not be run: " + e);
        }
    }

    private static void note(Map<String, Long> seen, String hop, boolean now, long t0, String detail) {
        if (now && !seen.containsKey(hop)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            seen.put(hop, ms);
            System.out.printf("  +%5d ms  %-26s %s%n", ms, hop, detail == null ? "" : detail);
        }
    }

    /** What of the drill the school's store holds: its camera event, its alarm, its PA request. */
    private static Map<String, String> drillHops(Path db) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT kind, device_id, json_extract(attributes, '$.alarm') FROM event_log"
                     + " WHERE kind IN ('camera.intrusion', 'alarm.raised', 'broadcast.requested')"
                     + " AND json_extract(attributes, '$.drill') IS NOT NULL ORDER BY occurred_at DESC LIMIT 20")) {
            while (rs.next()) {
                switch (rs.getString(1)) {
                    case "camera.intrusion" -> out.putIfAbsent("camera", "from " + rs.getString(2));
                    case "alarm.raised" -> out.putIfAbsent("alarm", rs.getString(3));
                    default -> out.putIfAbsent("pa", "by " + rs.getString(2));
                }
            }
        } catch (Exception e) {
            // the store is busy: the next look reads it
        }
        return out;
    }

    private boolean atCity() {
        try (Connection c = DriverManager.getConnection(cityDb); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM alarms WHERE drill IS NOT NULL")) {
            return rs.next() && rs.getLong(1) > 0;
        } catch (Exception e) {
            return false;
        }
    }
}
