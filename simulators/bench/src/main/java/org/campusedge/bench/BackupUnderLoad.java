package org.campusedge.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;

/**
 * A backup taken while a school runs against the gateway ({@code bin/campus-edge backup}, as an
 * operator or the gateway's schedule takes it): how long it took, what the store took in per
 * second while it ran beside the same rate in as long a window just before, and then whether it
 * restores into a new home where a gateway starts and shows the alarms that were active in it.
 */
final class BackupUnderLoad {

    /** What one backup under load showed. */
    record Result(double seconds, double ratePlain, double rateDuring, long bytes, int alarmsInBackup, int alarmsShown,
                  boolean sameAlarms, String detail) {
        String line() {
            return String.format(Locale.ROOT, "backup under load: %.1f s, %d MB; stored/s %.0f in the %d s before, %.0f during it (%.0f%%);"
                            + " restored: a gateway started on it shows %d of the %d alarms active in it%s", seconds, bytes >> 20, ratePlain,
                    PLAIN_SECONDS, rateDuring, ratePlain > 0 ? 100 * rateDuring / ratePlain : 0, alarmsShown, alarmsInBackup,
                    sameAlarms ? "" : " — NOT THE SAME: " + detail);
        }
    }

    /** The window just before the backup whose rate it is compared with. */
    static final int PLAIN_SECONDS = 10;

    private BackupUnderLoad() {
    }

    /** Takes the backup (into {@code work/backup}) while the school runs; the restore check is {@link #restoreAndCompare}. */
    static Result take(GatewayProcess gw, Path work) throws Exception {
        Path into = work.resolve("backup");
        // the plain window: the seconds just before the backup, under the same load
        long c0 = stored(gw.storePath());
        long t0 = System.nanoTime();
        Thread.sleep(PLAIN_SECONDS * 1000L);
        long c1 = stored(gw.storePath());
        long t1 = System.nanoTime();
        Process p = new ProcessBuilder(GatewayProcess.defaultDistribution().resolve("bin/campus-edge").toString(), "backup", "--home",
                gw.home().toString(), into.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("the backup failed: " + said);
        }
        long t2 = System.nanoTime();
        long c2 = stored(gw.storePath());
        double during = (t2 - t1) / 1e9;
        double plainRate = (c1 - c0) / ((t1 - t0) / 1e9);
        long bytes = 0;
        try (var files = Files.list(into)) {
            for (Path f : files.toList()) {
                bytes += Files.size(f);
            }
        }
        return new Result(during, plainRate, (c2 - c1) / during, bytes, 0, 0, true, said.strip());
    }

    /**
     * Restores the backup into a new home, starts a gateway there (same inventory) and compares its
     * active alarms with those the backup's store holds as raised or acknowledged and not cleared.
     */
    static Result restoreAndCompare(Result taken, Path work, Path inventory) throws Exception {
        Path into = work.resolve("backup");
        Path home = work.resolve("restored");
        Files.createDirectories(home);
        Process p = new ProcessBuilder(GatewayProcess.defaultDistribution().resolve("bin/campus-edge").toString(), "restore", "--home",
                home.toString(), into.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("the restore failed: " + said);
        }
        Set<String> inBackup = activeAlarms(into.resolve("events.db"));
        Set<String> shown = new TreeSet<>();
        try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home, List.of("camel.coapPort=0",
                "camel.cardPort=0", "camel.httpPort=0", "console.port=0", "registry.inventoryFile=" + inventory), List.of("-Xmx256m"))) {
            Matcher m = Pattern.compile("\"key\":\"([^\"]+)\"").matcher(ConsoleClient.admin(gw).get("/api/alarms"));
            while (m.find()) {
                shown.add(m.group(1));
            }
        }
        Set<String> missing = new TreeSet<>(inBackup);
        missing.removeAll(shown);
        return new Result(taken.seconds(), taken.ratePlain(), taken.rateDuring(), taken.bytes(), inBackup.size(),
                (int) inBackup.stream().filter(shown::contains).count(), missing.isEmpty(), "missing " + missing);
    }

    /** Alarm keys whose last transition in the store is not a clearing. */
    static Set<String> activeAlarms(Path db) throws Exception {
        Map<String, String> last = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT json_extract(attributes, '$.alarm'), kind FROM events WHERE kind GLOB 'alarm.*'"
                        + " ORDER BY occurred_at, id")) {
            while (rs.next()) {
                last.put(rs.getString(1), rs.getString(2));
            }
        }
        Set<String> out = new TreeSet<>();
        last.forEach((key, kind) -> {
            if (key != null && !kind.equals("alarm.cleared")) {
                out.add(key);
            }
        });
        return out;
    }

    private static long stored(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
