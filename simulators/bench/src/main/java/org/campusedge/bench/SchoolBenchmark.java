package org.campusedge.bench;

import org.campusedge.simulators.gateway.HeapSampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.campusedge.simulators.AckLatency;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;

/**
 * The mixed-school benchmark: a simulated school scaled by a factor (all five families at once,
 * on one school clock) against one gateway with {@code -Xmx256m}. Prints, per repetition and as
 * medians: events stored per second by family and overall, the devices' acknowledgement latency
 * (post / swipe to the durable answer; p50, p99), peak heap, and whether every acknowledged event
 * is in the store. {@code ./campus-edge.sh bench school [--scale 10] [--seconds 60] [--reps 3] [--backup]}.
 *
 * <p>With {@code --backup}, after the measured minute and with the school still running, each
 * repetition takes a backup ({@link BackupUnderLoad}) and prints the ingest rate during it beside
 * the rate just before, then restores it into a new home and starts a gateway there that must show
 * every alarm active in the backup.
 */
public final class SchoolBenchmark {

    private static final String[] FAMILIES = {"camera", "lab", "energy", "card", "broadcast"};

    private SchoolBenchmark() {
    }

    /** One repetition's figures. */
    record Run(Map<String, Double> perSecond, double total, double p50, double p99, double heapMb, boolean lossless,
               String check, BackupUnderLoad.Result backup) {
    }

    public static void main(String[] args) throws Exception {
        int scale = 10;
        int seconds = 60;
        int reps = 3;
        double speed = 60;
        String heap = "256m";
        boolean backup = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scale" -> scale = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--speed" -> speed = Double.parseDouble(args[++i]);
                case "--heap" -> heap = args[++i];
                case "--backup" -> backup = true;
                default -> {
                    System.err.println("usage: bench school [--scale K] [--seconds S] [--reps N] [--speed X] [--heap 256m] [--backup]");
                    System.exit(2);
                }
            }
        }
        SchoolSize size = SchoolSize.standard().times(scale);
        System.out.printf(Locale.ROOT, "Mixed-school benchmark: school x%d = %s (%d devices); gateway -Xmx%s; school clock %.0fx;"
                + " %d s measured after 15 s warm-up, %d repetitions%n%n", scale, size, size.devices(), heap, speed, seconds, reps);
        System.out.println("rep | camera/s | lab/s | energy/s | card/s | broadcast/s | all/s | ack p50 ms | ack p99 ms | heap peak MB | acknowledged = stored");
        List<Run> runs = new ArrayList<>();
        for (int r = 1; r <= reps; r++) {
            Run run = once(size, seconds, speed, heap, backup);
            runs.add(run);
            print(Integer.toString(r), run);
        }
        print("median", new Run(medianByFamily(runs), median(runs, Run::total), median(runs, Run::p50), median(runs, Run::p99),
                median(runs, Run::heapMb), runs.stream().allMatch(Run::lossless), "", null));
        System.out.println();
        runs.forEach(r -> System.out.println("  " + r.check()));
        if (backup) {
            System.out.println();
            runs.forEach(r -> System.out.println("  " + r.backup().line()));
            System.out.printf(Locale.ROOT, "  median: stored/s %.0f before a backup, %.0f during it (ratio %.2f); every restore showed its alarms: %s%n",
                    median(runs, r -> r.backup().ratePlain()), median(runs, r -> r.backup().rateDuring()),
                    median(runs, r -> r.backup().rateDuring() / r.backup().ratePlain()),
                    runs.stream().allMatch(r -> r.backup().sameAlarms()) ? "yes" : "NO");
        }
    }

    private static void print(String label, Run r) {
        System.out.printf(Locale.ROOT, "%s | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f | %.1f | %.1f | %.0f | %s%n", label,
                r.perSecond().get("camera"), r.perSecond().get("lab"), r.perSecond().get("energy"), r.perSecond().get("card"),
                r.perSecond().get("broadcast"), r.total(), r.p50(), r.p99(), r.heapMb(), r.lossless() ? "yes" : "NO");
    }

    /** The school with the energy server and the observed kits set up for the gateway at {@code gatewayHome}. */
    static SimulatedSchool provisioned(SimulatedSchool school, Path gatewayHome) throws Exception {
        try {
            school.provision(gatewayHome);
            return school;
        } catch (Exception e) {
            school.close();
            throw e;
        }
    }

    private static Run once(SchoolSize size, int seconds, double speed, String heap, boolean backup) throws Exception {
        Path home = Files.createTempDirectory("campus-school-bench");
        try (SimulatedSchool school = provisioned(SimulatedSchool.prepare(home.resolve("school"), "sch-bench", size,
                SimulatedSchool.morningClock(speed)), home.resolve("gateway"));
             GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                     List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0",
                             "registry.inventoryFile=" + school.inventoryFile()), LabBenchmark.gatewayJvmOptions(heap));
             HeapSampler heapSampler = new HeapSampler(gw.pid())) {
            AckLatency latency = new AckLatency();
            school.attach(gw, 1000);
            school.labs().measure(latency);
            school.cards().measure(latency);
            school.cameras().measure(latency);
            Thread.sleep(15_000); // warm-up: JIT, connections, the OPC UA subscriptions
            latency.interval();
            Map<String, Long> before = byFamily(gw.storePath());
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            Map<String, Long> after = byFamily(gw.storePath());
            double elapsed = (System.nanoTime() - t0) / 1e9;
            Histogram h = latency.interval();
            BackupUnderLoad.Result taken = backup ? BackupUnderLoad.take(gw, home) : null;

            school.labs().stop();
            school.cards().close();
            school.cameras().close();
            Thread.sleep(3000); // answers in flight arrive
            Map<String, Long> end = byFamily(gw.storePath());
            long labAcked = school.labs().outcomes().acknowledged() * 7;
            long cardAcked = school.cards().acknowledged();
            long cameraAcked = school.cameras().alertsAccepted();
            long labStored = pushedLabRows(gw.storePath(), school.inventory().observedLabSensors());
            boolean lossless = labStored >= labAcked && end.getOrDefault("card", 0L) >= cardAcked
                    && end.getOrDefault("camera", 0L) >= cameraAcked && gw.isAlive();
            String check = String.format(Locale.ROOT, "lab readings acknowledged %d / stored %d; swipes ACKed %d / stored %d;"
                    + " camera alerts answered 200 %d / stored %d; lab packs refused %d, unanswered %d%s", labAcked, labStored,
                    cardAcked, end.getOrDefault("card", 0L), cameraAcked, end.getOrDefault("camera", 0L),
                    school.labs().outcomes().refused(), school.labs().outcomes().lost(), gw.isAlive() ? "" : "; THE GATEWAY DIED");
            Map<String, Double> rates = new TreeMap<>();
            double total = 0;
            for (String f : FAMILIES) {
                double rate = (after.getOrDefault(f, 0L) - before.getOrDefault(f, 0L)) / elapsed;
                rates.put(f, rate);
                total += rate;
            }
            BackupUnderLoad.Result restored = taken == null ? null : BackupUnderLoad.restoreAndCompare(taken, home, school.inventoryFile());
            return new Run(rates, total, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    heapSampler.peakUsedMb(), lossless, check, restored);
        } finally {
            LabBenchmark.deleteTree(home);
        }
    }

    /** Stored events by family (the kind's first part), device presence events left out. */
    static Map<String, Long> byFamily(Path db) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT substr(kind, 1, instr(kind, '.') - 1), count(*) FROM events"
                     + " WHERE kind NOT GLOB 'device.*' GROUP BY 1")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static long pushedLabRows(Path db, List<String> observed) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM event_log WHERE kind = 'lab.reading' AND device_id NOT IN ('"
                     + String.join("','", observed) + "')")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Map<String, Double> medianByFamily(List<Run> runs) {
        Map<String, Double> out = new TreeMap<>();
        for (String f : FAMILIES) {
            out.put(f, median(runs, r -> r.perSecond().get(f)));
        }
        return out;
    }
}
