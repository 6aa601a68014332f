package org.campusedge.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.gateway.HeapSampler;
import org.campusedge.simulators.lab.LabLoadGenerator;
import org.campusedge.simulators.lab.LabSensor;

/**
 * Lab ingest over DTLS beside plain CoAP, in the same run against the same gateway
 * ({@code ./campus-edge.sh bench dtls}): the inventory holds 200 kits that prove who they are over
 * coaps (each its own DTLS session with its own key) and 200 old kits marked {@code security: none}
 * that post plain CoAP; both sets send the load of {@code ./campus-edge.sh bench} (confirmable packs of
 * 10 readings, 1,024 in flight), here one endpoint per kit for both so that only the DTLS differs.
 * For each offered rate the two alternate, {@code reps} times each, and the medians are printed with
 * their ratio. Then, unless {@code --no-half}: steps of 25,000 more until DTLS saturates (stores under
 * 97 % of what is offered), and a last step at half the highest DTLS rate stored, where the issue's
 * latency target is defined.
 */
public final class DtlsBenchmark {

    /** Steps of 25,000 more added after the list while nothing saturated, at most this many. */
    private static final int MORE_STEPS = 4;

    private DtlsBenchmark() {
    }

    /**
     * One offered rate: plain and DTLS alternate {@code reps} times, the medians are printed.
     *
     * @return the DTLS median durable readings/s
     */
    private static double step(LabBenchmark.Options o, LabLoadGenerator plain, LabLoadGenerator dtls, LabLoadGenerator.PackFactory packs,
                               long[] seq, int target, HeapSampler heap) throws InterruptedException {
        List<LabBenchmark.Interval> p = new ArrayList<>();
        List<LabBenchmark.Interval> d = new ArrayList<>();
        for (int r = 0; r < o.reps; r++) {
            p.add(LabBenchmark.measure(o, plain, packs, seq, target, o.stepSeconds));
            d.add(LabBenchmark.measure(o, dtls, packs, seq, target, o.stepSeconds));
        }
        double pd = LabBenchmark.median(p, LabBenchmark.Interval::durablePerSecond);
        double dd = LabBenchmark.median(d, LabBenchmark.Interval::durablePerSecond);
        System.out.printf(Locale.ROOT, "%12d | %19.0f | %18.0f | %10.2f | %8.2f / %7.2f | %7.2f / %7.2f | %10d / %d | %12.0f%n",
                target, pd, dd, dd / pd, LabBenchmark.median(p, LabBenchmark.Interval::p50),
                LabBenchmark.median(p, LabBenchmark.Interval::p99), LabBenchmark.median(d, LabBenchmark.Interval::p50),
                LabBenchmark.median(d, LabBenchmark.Interval::p99), p.stream().mapToLong(LabBenchmark.Interval::timeouts).sum(),
                d.stream().mapToLong(LabBenchmark.Interval::timeouts).sum(), heap.peakUsedMb());
        return dd;
    }

    public static void main(String[] args) throws Exception {
        LabBenchmark.Options o = new LabBenchmark.Options();
        o.steps = List.of(25_000, 50_000, 75_000, 100_000, 125_000);
        o.sensors = 200;
        boolean halfStep = true;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--no-half")) {
                halfStep = false;
                i--;
                continue;
            }
            if (i + 1 >= args.length) {
                System.err.println("missing a value after " + args[i]);
                System.exit(2);
            }
            switch (args[i]) {
                case "--steps" -> o.steps = java.util.Arrays.stream(args[i + 1].split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--step-seconds" -> o.stepSeconds = Integer.parseInt(args[i + 1]);
                case "--reps" -> o.reps = Integer.parseInt(args[i + 1]);
                case "--sensors" -> o.sensors = Integer.parseInt(args[i + 1]);
                case "--in-flight" -> o.inFlight = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("usage: ./campus-edge.sh bench dtls [--steps 25000,50000,...] [--step-seconds 10] [--reps 3]"
                            + " [--sensors 200] [--in-flight 1024] [--no-half]");
                    System.exit(2);
                }
            }
        }
        Path home = Files.createTempDirectory("campus-bench-dtls");
        Path inventory = home.resolve("bench-school.yaml");
        Files.writeString(inventory, LabBenchmark.inventoryHead() + LabBenchmark.devices("lab-plain-", o.sensors, true)
                + LabBenchmark.devices("lab-dtls-", o.sensors, false));
        List<String> plainKits = LabBenchmark.ids("lab-plain-", o.sensors);
        List<String> dtlsKits = LabBenchmark.ids("lab-dtls-", o.sensors);
        System.out.printf(Locale.ROOT, "DTLS benchmark: gateway -Xmx%s, %d kits over coaps (DTLS 1.2, PSK, AES-128-CCM-8) and %d over"
                + " plain CoAP, packs of %d readings, %d in flight, one endpoint per kit; home %s%n", o.heap, o.sensors, o.sensors,
                o.records, o.inFlight, home);
        try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0", "registry.inventoryFile=" + inventory,
                        "store.synchronous=" + o.synchronous, "camel.maxPackRecords=1000"),
                LabBenchmark.gatewayJvmOptions(o));
             HeapSampler heap = new HeapSampler(gw.pid());
             LabLoadGenerator plain = new LabLoadGenerator(URI.create("coap://127.0.0.1:" + gw.coapPort()), plainKits, o.sensors,
                     o.inFlight, o.clientThreads);
             LabLoadGenerator dtls = new LabLoadGenerator(URI.create("coaps://127.0.0.1:" + gw.coapsPort()), dtlsKits, o.sensors,
                     o.inFlight, o.clientThreads, gw.deviceKeys())) {
            List<LabSensor> kits = new ArrayList<>();
            for (int i = 0; i < o.sensors; i++) {
                kits.add(new LabSensor("kit-" + i, i % 4 == 0, i, System.currentTimeMillis()));
            }
            LabLoadGenerator.PackFactory packs = (seq, device) -> kits.get((int) (seq % kits.size())).pack(o.records, System.currentTimeMillis());
            // warm-up: JIT, SQLite, and every DTLS handshake (a kit keeps its session; the handshakes are not what is measured)
            plain.run(2_000, 5, 0, packs, s -> { });
            dtls.run(2_000, 8, 0, packs, s -> { });
            plain.takeLatency();
            dtls.takeLatency();
            long[] seq = {1_000_000};
            System.out.printf(Locale.ROOT, "%nmedians of %d runs of %d s per rate and transport, alternating%n", o.reps, o.stepSeconds);
            System.out.println("target rdg/s | plain durable rdg/s | DTLS durable rdg/s | DTLS/plain | plain p50 / p99 ms | DTLS p50 / p99 ms"
                    + " | timeouts plain / DTLS | heap peak MB");
            // saturated: the gateway stored under 97 % of what was offered; the steps go on past the list until it is
            double saturation = 0;
            boolean saturated = false;
            List<Integer> steps = new ArrayList<>(o.steps);
            for (int i = 0; i < steps.size(); i++) {
                int target = steps.get(i);
                double durable = step(o, plain, dtls, packs, seq, target, heap);
                saturation = Math.max(saturation, durable);
                saturated |= durable < 0.97 * target;
                if (halfStep && !saturated && i == steps.size() - 1 && steps.size() < o.steps.size() + MORE_STEPS) {
                    steps.add(target + 25_000);
                }
            }
            if (halfStep && saturated) {
                // the target, measured where it is defined: half the rate DTLS saturated at in this very run
                int half = (int) Math.round(saturation / 2 / 1000) * 1000;
                System.out.printf(Locale.ROOT, "%nhalf the DTLS saturation rate of this run (%.0f rdg/s): %d rdg/s offered%n", saturation, half);
                step(o, plain, dtls, packs, seq, half, heap);
            } else if (halfStep) {
                System.out.printf(Locale.ROOT, "%nno step up to %d rdg/s saturated (stored under 97 %% of offered): no half-saturation step%n",
                        steps.get(steps.size() - 1));
            }
            long rows = LabBenchmark.countRows(gw.storePath());
            long acked = (plain.outcomes().acknowledged() + dtls.outcomes().acknowledged()) * o.records;
            System.out.printf(Locale.ROOT, "%nreadings acknowledged %d, rows stored %d: %s; refused plain %d, DTLS %d%n", acked, rows,
                    rows == acked ? "EQUAL" : "DIFFERENT (" + (rows - acked) + ")", plain.outcomes().refused(), dtls.outcomes().refused());
            if (!gw.isAlive()) {
                System.out.println("THE GATEWAY DIED during the run; see " + gw.home().resolve("console.log"));
            }
        } finally {
            LabBenchmark.deleteTree(home);
        }
    }
}
