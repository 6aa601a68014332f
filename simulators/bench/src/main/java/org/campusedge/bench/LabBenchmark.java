package org.campusedge.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabLoadGenerator;
import org.campusedge.simulators.lab.LabSensor;

/**
 * The lab-sensor benchmark: the built gateway runs as its own process with {@code -Xmx256m}; this
 * process plays many lab sensors posting confirmable SenML packs at stepped rates and prints, per
 * step, readings made durable per second, CoAP requests per second, acknowledgement latency
 * percentiles and the gateway's heap; at the end, whether the rows stored equal the readings
 * acknowledged. Load goes to 127.0.0.1 only.
 */
public final class LabBenchmark {

    private LabBenchmark() {
    }

    /** Command-line options with their defaults. */
    static final class Options {
        List<Integer> steps = List.of(25_000, 50_000, 75_000, 100_000, 125_000);
        int stepSeconds = 20;
        int records = 10;
        int sensors = 200;
        int endpoints = 16;
        int inFlight = 1024;
        int clientThreads = 2;
        String heap = "256m";
        String synchronous = "FULL";
        Path home;
        int soakSeconds;
        int soakRate = 50_000;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        Path home = o.home != null ? o.home : Files.createTempDirectory("campus-bench");
        Path inventory = home.resolve("bench-school.yaml");
        Files.createDirectories(home);
        List<String> sensors = writeInventory(inventory, o.sensors);
        System.out.printf(Locale.ROOT, "Lab benchmark: gateway -Xmx%s, store synchronous=%s, %d sensors, packs of %d readings,"
                + " %d client endpoints, %d in flight; home %s%n", o.heap, o.synchronous, o.sensors, o.records, o.endpoints,
                o.inFlight, home);
        try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                List.of("camel.coapPort=0", "registry.inventoryFile=" + inventory, "store.synchronous=" + o.synchronous,
                        "camel.maxPackRecords=1000"),
                gatewayJvmOptions(o));
             HeapSampler heap = new HeapSampler(gw.pid());
             LabLoadGenerator load = new LabLoadGenerator(URI.create("coap://127.0.0.1:" + gw.coapPort()), sensors,
                     o.endpoints, o.inFlight, o.clientThreads)) {
            List<LabSensor> kits = new ArrayList<>();
            for (int i = 0; i < sensors.size(); i++) {
                kits.add(new LabSensor(sensors.get(i), i % 4 == 0, i, System.currentTimeMillis()));
            }
            LabLoadGenerator.PackFactory packs = (seq, device) ->
                    kits.get((int) (seq % kits.size())).pack(o.records, System.currentTimeMillis());

            // warm-up: JIT, SQLite page cache, Californium's pools
            load.run(2_000, 5, 0, packs, seq -> { });
            load.takeLatency();
            long seq = 1_000_000;
            long ackedPacks = 0;
            System.out.println();
            System.out.println("target rdg/s | durable rdg/s | CoAP req/s | p50 ms | p99 ms | p99.9 ms | skipped | timeouts | heap peak MB | old gen MB");
            List<Integer> plan = new ArrayList<>(o.steps);
            if (o.soakSeconds > 0) {
                plan = List.of(o.soakRate);
            }
            for (int target : plan) {
                long before = load.acknowledged();
                long skippedBefore = load.skipped();
                long timeoutsBefore = load.timedOut();
                int seconds = o.soakSeconds > 0 ? o.soakSeconds : o.stepSeconds;
                long start = System.nanoTime();
                long due = load.run((double) target / o.records, seconds, seq, packs, s -> { });
                double elapsed = Math.min((System.nanoTime() - start) / 1e9, seconds);
                seq += due;
                long acked = load.acknowledged() - before;
                ackedPacks += acked;
                Histogram h = load.takeLatency();
                System.out.printf(Locale.ROOT, "%12d | %13.0f | %10.0f | %6.2f | %6.2f | %8.2f | %7d | %8d | %12.0f | %10.0f%n",
                        target, acked * o.records / elapsed, acked / elapsed,
                        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                        h.getValueAtPercentile(99.9) / 1000.0, load.skipped() - skippedBefore,
                        load.timedOut() - timeoutsBefore, heap.peakUsedMb(), heap.lastOldMb());
            }
            long rows = countRows(gw.storePath());
            long warmupRows = countWarmup(gw.storePath());
            long acknowledgedReadings = (load.acknowledged()) * o.records;
            System.out.println();
            System.out.printf(Locale.ROOT, "readings acknowledged %d, rows stored %d: %s (refused %d, timed out %d, skipped at the in-flight cap %d)%n",
                    acknowledgedReadings, rows, rows == acknowledgedReadings ? "EQUAL" : "DIFFERENT (" + (rows - acknowledgedReadings) + ")",
                    load.refused(), load.timedOut(), load.skipped());
            System.out.printf(Locale.ROOT, "gateway heap: peak used %.0f MB (limit %s), peak old generation %.0f MB%n",
                    heap.peakUsedMb(), o.heap, heap.peakOldMb());
            if (warmupRows < 0) {
                System.out.println("(could not read the store)");
            }
            if (!gw.isAlive()) {
                System.out.println("THE GATEWAY DIED during the run; see " + gw.home().resolve("console.log"));
            }
        }
    }

    /** -Xmx and G1, plus whatever CAMPUS_BENCH_GATEWAY_OPTS adds (e.g. a flight recording for profiling). */
    private static List<String> gatewayJvmOptions(Options o) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + o.heap, "-XX:+UseG1GC"));
        String extra = System.getenv("CAMPUS_BENCH_GATEWAY_OPTS");
        if (extra != null && !extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        return jvm;
    }

    private static long countRows(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static long countWarmup(Path db) {
        return 0;
    }

    /** An inventory of {@code n} lab sensors in one building, like the example school's but bigger. */
    static List<String> writeInventory(Path file, int n) throws IOException {
        StringBuilder yaml = new StringBuilder("""
                school:
                  id: sch-bench-01
                  name: 基准测试学校
                  nameEn: Benchmark School
                  district: 测试区
                  enrolment: 3000
                  timezone: Asia/Shanghai
                devices:
                """);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format(Locale.ROOT, "lab-bench-%03d", i);
            ids.add(id);
            yaml.append("  - id: ").append(id).append("\n    profile: lab-sensor-kit\n    location:\n      building: Science\n")
                    .append("      floor: \"").append(1 + i / 50).append("F\"\n      room: \"Lab ").append(i / 8).append("\"\n");
        }
        Files.writeString(file, yaml);
        return ids;
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--steps" -> { o.steps = new ArrayList<>(); for (String s : v.split(",")) o.steps.add(Integer.parseInt(s.trim())); i++; }
                case "--step-seconds" -> { o.stepSeconds = Integer.parseInt(v); i++; }
                case "--records" -> { o.records = Integer.parseInt(v); i++; }
                case "--sensors" -> { o.sensors = Integer.parseInt(v); i++; }
                case "--endpoints" -> { o.endpoints = Integer.parseInt(v); i++; }
                case "--in-flight" -> { o.inFlight = Integer.parseInt(v); i++; }
                case "--client-threads" -> { o.clientThreads = Integer.parseInt(v); i++; }
                case "--heap" -> { o.heap = v; i++; }
                case "--synchronous" -> { o.synchronous = v; i++; }
                case "--home" -> { o.home = Path.of(v).toAbsolutePath(); i++; }
                case "--soak" -> { o.soakSeconds = Integer.parseInt(v); i++; }
                case "--soak-rate" -> { o.soakRate = Integer.parseInt(v); i++; }
                default -> {
                    System.err.println("""
                            usage: ./campus-edge.sh bench [--steps 25000,50000,...] [--step-seconds 20] [--records 10]
                                   [--sensors 200] [--endpoints 16] [--in-flight 1024] [--client-threads 2]
                                   [--heap 256m] [--synchronous FULL|NORMAL] [--soak SECONDS --soak-rate READINGS_PER_S]
                                   [--home DIR]""");
                    System.exit(2);
                }
            }
        }
        return o;
    }
}
