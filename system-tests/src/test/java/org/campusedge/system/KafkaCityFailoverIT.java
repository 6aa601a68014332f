package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.city.LocalPostgres;
import org.campusedge.kafka.BrokerProcess;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The city scaled out on Hono's Kafka messaging, every part a process of its own: a Kafka broker, the Hono sandbox
 * producing to it, two city dashboards (CityDashboardMain) in one consumer group on one PostgreSQL, and the school
 * fleet (20 schools' outboxes and Hono links) sending a backlog and a steady load. One dashboard is killed with
 * {@code kill -9} mid-stream; the other takes its partitions and finishes: every message the schools queued is in
 * the city's database, once.
 */
class KafkaCityFailoverIT {

    private static final String TENANT = "bench";
    private static final int SCHOOLS = 20;

    @TempDir
    Path dir;

    @Test
    void oneDashboardKilledMidStreamTheOtherFinishesWithNothingLostOrDoubled() throws Exception {
        Registry.Builder r = Registry.builder().tenant(TENANT);
        for (int s = 1; s <= SCHOOLS; s++) {
            r.gateway("gw-sch-bench-%02d".formatted(s), "bench-secret", List.of("sch-bench-%02d.*".formatted(s)));
        }
        List<Process> processes = new ArrayList<>();
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("kafka"), 4);
             LocalPostgres pg = LocalPostgres.temporary();
             HonoSandbox sandbox = HonoSandbox.start(SandboxConfig.builder().registry(r.build()).kafka(broker.bootstrap()).build())) {
            Process a = dashboard("a", broker.bootstrap(), pg.jdbcUrl());
            Process b = dashboard("b", broker.bootstrap(), pg.jdbcUrl());
            processes.add(a);
            processes.add(b);
            assertTrue(GatewayFixture.eventually(60, () -> Files.exists(dir.resolve("a.status")) && Files.exists(dir.resolve("b.status"))),
                    "the dashboards did not start: " + log("a") + log("b"));

            Process fleet = fleet(sandbox.devicePort());
            processes.add(fleet);
            assertTrue(GatewayFixture.eventually(120, () -> count(pg.jdbcUrl()) >= 1500), "the city stores nothing: " + log("a"));
            a.destroyForcibly(); // SIGKILL: no goodbye to the group, offsets of what it stored since its last commit not committed
            assertTrue(a.waitFor(10, TimeUnit.SECONDS));
            long atKill = count(pg.jdbcUrl());

            assertTrue(fleet.waitFor(180, TimeUnit.SECONDS), "the fleet did not finish");
            String fleetOut = Files.readString(dir.resolve("fleet.log"), StandardCharsets.UTF_8);
            assertEquals(0, fleet.exitValue(), "every school's outbox emptied into Hono (Kafka): " + fleetOut);
            Matcher m = Pattern.compile("fleet: done; queued (\\d+), accepted (\\d+)").matcher(fleetOut);
            assertTrue(m.find(), fleetOut);
            long queued = Long.parseLong(m.group(1));
            assertTrue(queued > atKill, "the kill came mid-stream: " + atKill + " of " + queued);

            assertTrue(GatewayFixture.eventually(120, () -> count(pg.jdbcUrl()) >= queued),
                    "after the kill, the other dashboard did not store the rest: " + count(pg.jdbcUrl()) + " of " + queued + log("b"));
            Thread.sleep(3000); // anything stored twice would show now
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
                assertEquals(queued, one(s, "SELECT count(*) FROM messages"), "every queued message stored once");
                assertEquals(queued, one(s, "SELECT count(DISTINCT id) FROM messages"), "no event id twice");
                // the summaries' rows follow the messages: a message handled twice after the kill added nothing twice
                assertEquals(one(s, "SELECT count(*) FROM messages WHERE type = 'org.campusedge.alarm.v1'"),
                        one(s, "SELECT count(*) FROM alarms"), "one alarm row per alarm event");
                assertEquals(SCHOOLS, one(s, "SELECT count(*) FROM schools"));
            }
            assertTrue(b.isAlive(), "the surviving dashboard still runs");
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process dashboard(String name, String bootstrap, String jdbcUrl) throws Exception {
        Path target = Path.of(System.getProperty("campus.cityDashboard"));
        String jar;
        try (var files = Files.list(target)) {
            jar = files.map(Path::toString).filter(f -> f.matches(".*/campus-edge-city-dashboard-[^/]*\\.jar")).findFirst().orElseThrow();
        }
        return new ProcessBuilder(java(), "-Xmx256m", "-cp", jar + File.pathSeparator + target.resolve("lib") + "/*",
                "org.campusedge.city.CityDashboardMain", "--kafka", bootstrap, "--kafka-group", "city", "--tenant", TENANT,
                "--db", jdbcUrl, "--http-port", "0", "--users-file", dir.resolve(name).resolve("users").toString(),
                "--status-file", dir.resolve(name + ".status").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private Process fleet(int port) throws Exception {
        Path target = Path.of(System.getProperty("campus.schoolFleet"));
        String classpath = target.resolve("classes") + File.pathSeparator
                + Files.readString(target.resolve("runtime-classpath.txt")).strip();
        return new ProcessBuilder(java(), "-Xmx384m", "-cp", classpath, "org.campusedge.fleet.SchoolFleet",
                "--schools", Integer.toString(SCHOOLS), "--port", Integer.toString(port), "--tenant", TENANT,
                "--password", "bench-secret", "--backlog", "200", "--duration", "20", "--period-ms", "2000",
                "--alarm-every-ms", "1000", "--dir", dir.resolve("fleet").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("fleet.log").toFile()).start();
    }

    private String log(String name) {
        try {
            String s = Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
            return "\n--- " + name + " ---\n" + s.substring(Math.max(0, s.length() - 3000));
        } catch (Exception e) {
            return "";
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static long count(String url) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            return one(s, "SELECT count(*) FROM messages");
        } catch (Exception e) {
            return 0; // the first dashboard has not made its tables yet
        }
    }

    private static long one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
