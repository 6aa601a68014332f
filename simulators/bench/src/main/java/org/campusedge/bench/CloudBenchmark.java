package org.campusedge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.campusedge.city.CityConfig;
import org.campusedge.city.CityDashboard;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;

/**
 * The cloud benchmark: 50 schools' cloud links (the school-fleet process: a real outbox, drain and
 * Hono device client per school) → the Hono sandbox → the city dashboard (this process, its SQLite
 * database). First every school drains a backlog at once — the dashboard's ingest rate — then a
 * steady load of summaries and critical alarms — the end-to-end latency from a school's outbox to the
 * city's database row, p50 and p99, per lane. Loopback only.
 */
public final class CloudBenchmark {

    private CloudBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--schools", "50", "--backlog", "100", "--duration", "60",
                "--period-ms", "10000", "--alarm-every-ms", "5000", "--home", "run/cloud-bench",
                "--fleet-classpath", "simulators/school-fleet/target/runtime-classpath.txt"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                System.err.println("unknown option " + args[i] + "; options: " + o.keySet());
                System.exit(2);
            }
            o.put(args[i], args[i + 1]);
        }
        int schools = Integer.parseInt(o.get("--schools"));
        Path home = Path.of(o.get("--home")).toAbsolutePath();
        Files.createDirectories(home);
        Path db = home.resolve("city.db");
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        Registry.Builder r = Registry.builder().tenant("bench");
        for (int s = 1; s <= schools; s++) {
            String id = "sch-bench-%02d".formatted(s);
            r.gateway("gw-" + id, "bench-secret", List.of(id + ".*"));
        }
        try (HonoSandbox sandbox = HonoSandbox.start(SandboxConfig.builder().registry(r.north("city", "city-secret").build()).build());
             CityDashboard city = CityDashboard.start(CityConfig.builder().honoHost("127.0.0.1").honoPort(sandbox.northPort())
                     .honoUser("city").honoPassword("city-secret").tenant("bench").jdbcUrl("jdbc:sqlite:" + db).httpPort(0)
                     .usersFile(home.resolve("city-users")).honoTls(false).build())) { // the fleet speaks plain AMQP: a load figure, not a trust test
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!city.connected() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            System.out.printf("cloud benchmark: %d schools -> Hono sandbox (device port %d) -> city dashboard %s (%s)%n", schools,
                    sandbox.devicePort(), city.url(), db);
            String classpath = Files.readString(Path.of(o.get("--fleet-classpath"))).strip();
            Path fleetClasses = Path.of(o.get("--fleet-classpath")).getParent().resolve("classes");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", fleetClasses + java.io.File.pathSeparator + classpath, "org.campusedge.fleet.SchoolFleet",
                    "--schools", Integer.toString(schools), "--port", Integer.toString(sandbox.devicePort()), "--tenant", "bench",
                    "--password", "bench-secret", "--backlog", o.get("--backlog"), "--duration", o.get("--duration"),
                    "--period-ms", o.get("--period-ms"), "--alarm-every-ms", o.get("--alarm-every-ms"), "--dir", home.resolve("fleet").toString()));
            Process fleet = new ProcessBuilder(cmd).inheritIO().start();
            int exit;
            try {
                exit = fleet.waitFor();
            } finally {
                fleet.destroyForcibly();
            }
            Thread.sleep(1000);
            report(db, schools, exit, city.stats().toString(), sandbox.stats().toJson());
        }
    }

    private static void report(Path db, int schools, int fleetExit, String cityStats, String sandboxStats) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            long total = one(s, "SELECT count(*) FROM messages");
            long backlog = one(s, "SELECT count(*) FROM messages WHERE id LIKE '%/b%'");
            long first = one(s, "SELECT min(received_at_ms) FROM messages WHERE id LIKE '%/b%'");
            long last = one(s, "SELECT max(received_at_ms) FROM messages WHERE id LIKE '%/b%'");
            double rate = last > first ? backlog * 1000.0 / (last - first) : Double.NaN;
            long[] summary = latencies(s, "%/summary/p%");
            long[] alarms = latencies(s, "%/alarm/a%");
            System.out.printf("""

                    cloud benchmark result (%d schools, fleet exit %d)
                      messages in the city database   %d (backlog %d)
                      dashboard ingest, backlog drain %.0f messages/s (%d messages in %.1f s, every school draining at once)
                      outbox -> city database, steady load:
                        critical alarms  n=%d  p50 %d ms  p99 %d ms  max %d ms
                        summaries        n=%d  p50 %d ms  p99 %d ms  max %d ms
                      city:    %s
                      sandbox: %s
                    """, schools, fleetExit, total, backlog, rate, backlog, (last - first) / 1000.0, alarms[0], alarms[1], alarms[2],
                    alarms[3], summary[0], summary[1], summary[2], summary[3], cityStats, sandboxStats);
        }
    }

    /** n, p50, p99, max of received_at_ms - time for the ids matching {@code like}. */
    private static long[] latencies(Statement s, String like) throws Exception {
        List<Long> l = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT received_at_ms - time FROM messages WHERE id LIKE '" + like + "' AND time IS NOT NULL")) {
            while (rs.next()) {
                l.add(rs.getLong(1));
            }
        }
        long[] v = l.stream().mapToLong(Long::longValue).sorted().toArray();
        if (v.length == 0) {
            return new long[4];
        }
        return new long[] {v.length, v[(int) Math.min(v.length - 1, Math.floor(0.50 * v.length))],
                v[(int) Math.min(v.length - 1, Math.floor(0.99 * v.length))], v[v.length - 1]};
    }

    private static long one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

}
