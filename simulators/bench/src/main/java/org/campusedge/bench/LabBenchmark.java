package org.campusedge.bench;

import org.campusedge.simulators.gateway.HeapSampler;
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
        int stepSeconds = 10;
        int records = 10;
        int sensors = 200;
        int endpoints = 64;
        int inFlight = 1024;
        int clientThreads = 2;
        String heap = "256m";
        String synchronous = "FULL";
        Path home;
        int soakSeconds;
        int soakRate = 50_000;
        int reps = 3;
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
                List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0", "registry.inventoryFile=" + inventory, "store.synchronous=" + o.synchronous,
                        "camel.maxPackRecords=1000"),
                gatewayJvmOptions(o));
             HeapSampler heap = new HeapSampler(gw.pid());
             WalSampler wal = new WalSampler(Path.of(gw.storePath() + "-wal"));
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
            long[] seq = {1_000_000};
            System.out.println();
            if (o.soakSeconds > 0) {
                soak(o, load, packs, heap, seq);
            } else {
                steps(o, load, packs, heap, seq);
            }
            long rows = countRows(gw.storePath());
            long acknowledgedReadings = (load.outcomes().acknowledged()) * o.records;
            System.out.println();
            System.out.printf(Locale.ROOT, "readings acknowledged %d, rows stored %d: %s (refused %d, timed out %d, skipped at the in-flight cap %d)%n",
                    acknowledgedReadings, rows, rows == acknowledgedReadings ? "EQUAL" : "DIFFERENT (" + (rows - acknowledgedReadings) + ")",
                    load.outcomes().refused(), load.outcomes().lost(), load.skipped());
            System.out.printf(Locale.ROOT, "gateway heap: peak used %.0f MB (limit %s), peak old generation %.0f MB%n",
                    heap.peakUsedMb(), o.heap, heap.peakOldMb());
            if (!gw.isAlive()) {
                System.out.println("THE GATEWAY DIED during the run; see " + gw.home().resolve("console.log"));
            }
            System.out.printf(Locale.ROOT, "database %.0f MB; largest write-ahead log seen %.0f MB%n",
                    Files.size(gw.storePath()) / 1e6, wal.peakMb());
        } finally {
            if (o.home == null) { // a run writes gigabytes: keep them only where asked to
                deleteTree(home);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static List<String> gatewayJvmOptions(Options o) {
        return gatewayJvmOptions(o.heap);
    }

    /** -Xmx and G1, plus whatever CAMPUS_BENCH_GATEWAY_OPTS adds (e.g. a flight recording for profiling). */
    static List<String> gatewayJvmOptions(String heap) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        String extra = System.getenv("CAMPUS_BENCH_GATEWAY_OPTS");
        if (extra == null || !extra.matches(".*-XX:\\+Use\\w+GC.*")) {
            jvm.add("-XX:+UseG1GC");
        }
        if (extra != null && !extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        return jvm;
    }

    /** One measured interval of load at one rate. */
    record Interval(double durablePerSecond, double requestsPerSecond, double p50, double p99, double p999,
                    long skipped, long timeouts) {
    }

    static Interval measure(Options o, LabLoadGenerator load, LabLoadGenerator.PackFactory packs, long[] seq,
                            int readingsPerSecond, int seconds) throws InterruptedException {
        long skipped0 = load.skipped(), timeouts0 = load.outcomes().lost();
        seq[0] += load.run((double) readingsPerSecond / o.records, seconds, seq[0], packs, s -> { });
        double elapsed = seconds;
        long acked = load.acknowledgedInWindow(); // answers that came during the drain are not this window's
        Histogram h = load.takeLatency();
        return new Interval(acked * o.records / elapsed, acked / elapsed, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                load.skipped() - skipped0, load.outcomes().lost() - timeouts0);
    }

    /** Each rate {@code reps} times; the medians are printed, the machine being too noisy for one run. */
    private static void steps(Options o, LabLoadGenerator load, LabLoadGenerator.PackFactory packs, HeapSampler heap,
                              long[] seq) throws InterruptedException {
        System.out.printf(Locale.ROOT, "medians of %d runs of %d s per rate%n", o.reps, o.stepSeconds);
        System.out.println("target rdg/s | durable rdg/s | CoAP req/s | p50 ms | p99 ms | p99.9 ms | skipped | timeouts | heap peak MB");
        for (int target : o.steps) {
            List<Interval> runs = new ArrayList<>();
            for (int r = 0; r < o.reps; r++) {
                runs.add(measure(o, load, packs, seq, target, o.stepSeconds));
            }
            System.out.printf(Locale.ROOT, "%12d | %13.0f | %10.0f | %6.2f | %6.2f | %8.2f | %7d | %8d | %12.0f%n", target,
                    median(runs, Interval::durablePerSecond), median(runs, Interval::requestsPerSecond),
                    median(runs, Interval::p50), median(runs, Interval::p99), median(runs, Interval::p999),
                    runs.stream().mapToLong(Interval::skipped).sum(), runs.stream().mapToLong(Interval::timeouts).sum(),
                    heap.peakUsedMb());
        }
    }

    /** One rate for a long time, a line a minute: does the heap stay bounded, does the latency drift? */
    private static void soak(Options o, LabLoadGenerator load, LabLoadGenerator.PackFactory packs, HeapSampler heap,
                             long[] seq) throws InterruptedException {
        System.out.printf(Locale.ROOT, "soak at %d readings/s for %d s%n", o.soakRate, o.soakSeconds);
        System.out.println("minute | durable rdg/s | p50 ms | p99 ms | skipped | timeouts | heap peak MB | old gen MB");
        for (int minute = 1; minute * 60 <= o.soakSeconds; minute++) {
            Interval i = measure(o, load, packs, seq, o.soakRate, 60);
            System.out.printf(Locale.ROOT, "%6d | %13.0f | %6.2f | %6.2f | %7d | %8d | %12.0f | %10.0f%n", minute,
                    i.durablePerSecond(), i.p50(), i.p99(), i.skipped(), i.timeouts(), heap.peakUsedMb(), heap.lastOldMb());
        }
    }

    static double median(List<Interval> runs, java.util.function.ToDoubleFunction<Interval> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    static long countRows(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM events WHERE kind = 'lab.reading'")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /**
     * An inventory of {@code n} lab sensors in one building, like the example school's but bigger; they
     * are old kits that post plain CoAP ({@code security: none}): this benchmark measures the ingest path
     * as it was measured before DTLS, and {@code bench dtls} puts the two side by side.
     */
    static List<String> writeInventory(Path file, int n) throws IOException {
        Files.writeString(file, inventoryHead() + devices("lab-bench-", n, true));
        return ids("lab-bench-", n);
    }

    static String inventoryHead() {
        return """
                school:
                  id: sch-bench-01
                  name: 基准测试学校
                  nameEn: Benchmark School
                  district: 测试区
                  enrolment: 3000
                  timezone: Asia/Shanghai
                devices:
                """;
    }

    static List<String> ids(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(String.format(Locale.ROOT, "%s%03d", prefix, i));
        }
        return ids;
    }

    /** {@code n} lab kits' inventory entries; {@code plain}: marked {@code security: none}. */
    static String devices(String prefix, int n, boolean plain) {
        StringBuilder yaml = new StringBuilder();
        for (String id : ids(prefix, n)) {
            int i = Integer.parseInt(id.substring(prefix.length()));
            yaml.append("  - id: ").append(id).append("\n    profile: lab-sensor-kit\n")
                    .append(plain ? "    security: none\n" : "").append("    location:\n      building: Science\n")
                    .append("      floor: \"").append(1 + i / 50).append("F\"\n      room: \"Lab ").append(i / 8).append("\"\n");
        }
        return yaml.toString();
    }

    static Options parse(String[] args) {
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
                case "--reps" -> { o.reps = Integer.parseInt(v); i++; }
                default -> {
                    System.err.println("""
                            usage: ./campus-edge.sh bench [--steps 25000,50000,...] [--step-seconds 10] [--reps 3] [--records 10]
                                   [--sensors 200] [--endpoints 64] [--in-flight 1024] [--client-threads 2]
                                   [--heap 256m] [--synchronous FULL|NORMAL] [--soak SECONDS --soak-rate READINGS_PER_S]
                                   [--home DIR]""");
                    System.exit(2);
                }
            }
        }
        return o;
    }
}
