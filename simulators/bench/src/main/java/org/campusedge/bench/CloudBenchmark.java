package org.campusedge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.campusedge.city.CityConfig;
import org.campusedge.city.CityDashboard;
import org.campusedge.city.LocalPostgres;
import org.campusedge.kafka.BrokerProcess;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;

/**
 * The cloud benchmark: many schools' cloud links (the school-fleet process: a real outbox, drain and Hono device
 * client per school) → the Hono sandbox → the city dashboard(s) in this process. Loopback only.
 * <ol>
 * <li><b>Catch-up</b>: every school has a backlog (by default an hour of its traffic) that piled up while the city
 * was down. On AMQP the schools kept it in their outboxes and drain it at once when the city is up; on Kafka the
 * schools already handed it to Hono, so it waits in Kafka while the dashboards are down, and they catch up when they
 * start. Catch-up time is from the moment the city can take it to the last backlog row stored; ingest is the backlog
 * over that time.</li>
 * <li><b>Steady state</b>: then, for a while, each school queues five summaries every period and a CRITICAL alarm
 * every few seconds; each CloudEvent's {@code time} is the moment it was queued and the dashboard stores when it
 * wrote the row, so outbox → city database latency (p50, p99) per lane is read from the database.</li>
 * </ol>
 * Counts show what was lost or stored twice: every message queued is one row (the rows are keyed by event id).
 */
public final class CloudBenchmark {

    private CloudBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--schools", "50", "--backlog", "100", "--duration", "60",
                "--period-ms", "10000", "--alarm-every-ms", "5000", "--home", "run/cloud-bench",
                "--fleet-classpath", "simulators/school-fleet/target/runtime-classpath.txt", "--messaging", "amqp"));
        o.put("--instances", "");
        o.put("--db", "");
        o.put("--fleet-heap", "1g");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                System.err.println("unknown option " + args[i] + "; options: " + o.keySet());
                System.exit(2);
            }
            o.put(args[i], args[i + 1]);
        }
        boolean kafka = switch (o.get("--messaging")) {
            case "amqp" -> false;
            case "kafka" -> true;
            default -> throw new IllegalArgumentException("--messaging amqp or kafka");
        };
        int instances = Integer.parseInt(o.get("--instances").isEmpty() ? kafka ? "2" : "1" : o.get("--instances"));
        String dbKind = o.get("--db").isEmpty() ? kafka ? "postgres" : "sqlite" : o.get("--db");
        if (instances > 1 && !kafka) {
            throw new IllegalArgumentException("several dashboard instances share the work only on Kafka (a consumer group)");
        }
        int schools = Integer.parseInt(o.get("--schools"));
        int backlog = Integer.parseInt(o.get("--backlog"));
        Path home = Path.of(o.get("--home")).toAbsolutePath();
        Files.createDirectories(home);
        for (String fresh : List.of("city.db", "city.db-wal", "city.db-shm", "postgres", "kafka", "fleet")) {
            delete(home.resolve(fresh));
        }
        Registry.Builder r = Registry.builder().tenant("bench");
        for (int s = 1; s <= schools; s++) {
            String id = "sch-bench-%02d".formatted(s);
            r.gateway("gw-" + id, "bench-secret", List.of(id + ".*"));
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            String jdbcUrl = "jdbc:sqlite:" + home.resolve("city.db");
            if (dbKind.equals("postgres")) {
                LocalPostgres pg = LocalPostgres.in(home.resolve("postgres")); // durable: fsync on, as a bureau's
                open.add(0, pg);
                jdbcUrl = pg.jdbcUrl();
            }
            SandboxConfig.Builder sandboxConfig = SandboxConfig.builder().registry(r.north("city", "city-secret").build());
            BrokerProcess broker = null;
            if (kafka) {
                broker = BrokerProcess.start(Path.of(System.getProperty(BrokerProcess.TARGET_PROPERTY, "simulators/kafka-broker/target")),
                        home.resolve("kafka"), 8, Duration.ofSeconds(90));
                open.add(0, broker);
                sandboxConfig.kafka(broker.bootstrap());
            }
            HonoSandbox sandbox = HonoSandbox.start(sandboxConfig.build());
            open.add(0, sandbox);
            List<CityDashboard> cities = new ArrayList<>();
            CityConfig.Builder cityConfig = CityConfig.builder().honoHost("127.0.0.1").honoPort(kafka ? 5671 : sandbox.northPort())
                    .honoUser("city").honoPassword("city-secret").tenant("bench").jdbcUrl(jdbcUrl).httpPort(0)
                    .usersFile(home.resolve("city-users")).honoTls(false); // the fleet speaks plain AMQP: a load figure, not a trust test
            if (kafka) {
                cityConfig.kafka(broker.bootstrap()).kafkaGroup("bench-city");
            } else {
                cities.add(startCity(cityConfig, open)); // on AMQP the schools hold the backlog: the city is up from the start
            }
            System.out.printf("cloud benchmark: %d schools -> Hono sandbox (device port %d) -> %s -> %d city dashboard(s) on %s%n",
                    schools, sandbox.devicePort(), kafka ? "Kafka " + broker.bootstrap() : "AMQP", instances, jdbcUrl.replaceAll("\\?.*", ""));
            Path go = home.resolve("fleet").resolve("steady.go");
            String classpath = Files.readString(Path.of(o.get("--fleet-classpath"))).strip();
            Path fleetClasses = Path.of(o.get("--fleet-classpath")).getParent().resolve("classes");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + o.get("--fleet-heap"), "-cp", fleetClasses + java.io.File.pathSeparator + classpath,
                    "org.campusedge.fleet.SchoolFleet", "--schools", Integer.toString(schools), "--port",
                    Integer.toString(sandbox.devicePort()), "--tenant", "bench", "--password", "bench-secret", "--backlog",
                    Integer.toString(backlog), "--duration", o.get("--duration"), "--period-ms", o.get("--period-ms"),
                    "--alarm-every-ms", o.get("--alarm-every-ms"), "--dir", home.resolve("fleet").toString(), "--go-file", go.toString()));
            Process fleet = new ProcessBuilder(cmd).inheritIO().start();
            long total = (long) schools * backlog;
            int exit;
            long cityUpMs;
            try {
                if (kafka) {
                    // the city is down while the schools hand their backlog to Hono: it waits in Kafka
                    waitUntil("the backlog in Kafka", Duration.ofMinutes(30), () -> sandbox.stats().accepted() >= total, fleet);
                    System.out.printf("cloud benchmark: %d backlog messages wait in Kafka; starting %d dashboard(s)%n", total, instances);
                    cityUpMs = System.currentTimeMillis();
                    for (int i = 0; i < instances; i++) {
                        CityDashboard city = CityDashboard.start(cityConfig.build()); // all at once: they share the partitions
                        open.add(0, city);
                        cities.add(city);
                    }
                } else {
                    cityUpMs = System.currentTimeMillis();
                }
                String url = jdbcUrl;
                waitUntil("the city to catch up", Duration.ofMinutes(30), () -> count(url, "%/b%") >= total, fleet);
                Files.createFile(go);
                exit = fleet.waitFor();
            } finally {
                fleet.destroyForcibly();
            }
            Thread.sleep(2000);
            StringBuilder stats = new StringBuilder();
            cities.forEach(c -> stats.append("\n                        ").append(c.stats()));
            report(jdbcUrl, schools, exit, cityUpMs, kafka, instances, dbKind, stats.toString(), sandbox.stats().toJson());
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing: " + e);
                }
            }
        }
        System.exit(0);
    }

    private static CityDashboard startCity(CityConfig.Builder config, List<AutoCloseable> open) throws Exception {
        CityDashboard city = CityDashboard.start(config.build());
        open.add(0, city);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!city.connected() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return city;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(String what, Duration limit, Check check, Process fleet) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.ok()) {
            if (!fleet.isAlive()) {
                throw new IllegalStateException("the fleet stopped (exit " + fleet.exitValue() + ") before " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + limit + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static long count(String url, String like) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            return one(s, "SELECT count(*) FROM messages WHERE id LIKE '" + like + "'");
        } catch (Exception e) {
            return 0; // not created yet
        }
    }

    private static void report(String url, int schools, int fleetExit, long cityUpMs, boolean kafka, int instances, String db,
                               String cityStats, String sandboxStats) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            long total = one(s, "SELECT count(*) FROM messages");
            long backlog = one(s, "SELECT count(*) FROM messages WHERE id LIKE '%/b%'");
            long first = one(s, "SELECT min(received_at_ms) FROM messages WHERE id LIKE '%/b%'");
            long last = one(s, "SELECT max(received_at_ms) FROM messages WHERE id LIKE '%/b%'");
            // Kafka: from the dashboards' start (joining the group included); AMQP: from the first row (the city was up
            // all along, the schools' links came up and drained)
            double seconds = (last - (kafka ? cityUpMs : first)) / 1000.0;
            double rate = last > first ? backlog * 1000.0 / (last - first) : Double.NaN;
            long[] summary = latencies(s, "%/summary/p%");
            long[] alarms = latencies(s, "%/alarm/a%");
            System.out.printf("""

                    cloud benchmark result (%d schools, %s, %d dashboard instance(s), %s; fleet exit %d)
                      messages in the city database   %d (backlog %d)
                      catch-up after the city was down  %.1f s for the backlog (%s)
                      dashboard ingest, first to last backlog row  %.0f messages/s
                      outbox -> city database, steady load:
                        critical alarms  n=%d  p50 %d ms  p99 %d ms  max %d ms
                        summaries        n=%d  p50 %d ms  p99 %d ms  max %d ms
                      city:    %s
                      sandbox: %s
                    """, schools, kafka ? "Kafka" : "AMQP", instances, db, fleetExit, total, backlog, seconds,
                    kafka ? "waiting in Kafka" : "held in the schools' outboxes", rate, alarms[0], alarms[1], alarms[2],
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

    private static void delete(Path p) throws Exception {
        if (Files.exists(p)) {
            try (Stream<Path> all = Files.walk(p)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
