package org.campusedge.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.campusedge.simulators.attack.Siege;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.gateway.HeapSampler;
import org.campusedge.simulators.net.Loopback;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;

/**
 * The siege benchmark: a simulated school ×K runs against the gateway (-Xmx256m, its defaults) while
 * every attack of {@link Siege} hammers every port at once, at increasing strength. Per step it
 * prints: perimeter intrusion post → PA play and → the console's live feed (p50, p99), the probes
 * that failed, what the school's devices had acknowledged meanwhile, the gateway's peak heap, the
 * connections it refused, the longest time a watching camera got no answer, and whether the
 * gateway is still the process it was. At the end, every acknowledged reading and swipe is looked
 * for in the store. {@code ./campus-edge.sh bench siege [--scale 10] [--steps 1,2,3,4] [--seconds 60]}.
 */
public final class SiegeBenchmark {

    private static final int PROBE_CAMERAS = 10;
    /** The PA simulator plays each announcement for 0.5 s (and refuses one of equal priority meanwhile). */
    private static final long PA_PLAY_MS = 500;
    private static final long PROBE_EVERY_MS = 1_500;

    private SiegeBenchmark() {
    }

    /** One step's figures. */
    record Step(int step, Histogram pa, Histogram console, int probes, int failed, long labAcked, long labRefused, long swipesAcked,
                double heapMb, double liveMb, long connectionsRefused, long longestSilenceMs, boolean samePid) {
    }

    public static void main(String[] args) throws Exception {
        int scale = 10;
        List<Integer> steps = List.of(1, 2, 3, 4);
        int seconds = 60;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scale" -> scale = Integer.parseInt(args[++i]);
                case "--steps" -> steps = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench siege [--scale K] [--steps 1,2,3,4] [--seconds S]");
                    System.exit(2);
                }
            }
        }
        Path home = Files.createTempDirectory("campus-siege-bench");
        try {
            SchoolSize size = SchoolSize.standard().times(scale);
            // the probes announce on a controller of their own, pa-2
            size = new SchoolSize(size.cameras(), size.labs(), size.sensorsPerLab(), size.meters(), size.readers(),
                    Math.max(2, size.controllers()));
            run(home, size, scale, steps, seconds);
        } finally {
            LabBenchmark.deleteTree(home);
        }
    }

    private static void run(Path home, SchoolSize size, int scale, List<Integer> steps, int seconds) throws Exception {
        try (SimulatedSchool school = SimulatedSchool.prepare(home.resolve("school"), "sch-siege-bench", size,
                SimulatedSchool.morningClock(60), PA_PLAY_MS)) {
            StringBuilder extra = new StringBuilder();
            for (int i = 1; i <= PROBE_CAMERAS; i++) {
                extra.append("  - id: cam-probe-").append(i).append("\n    profile: camera-isapi\n    location:\n")
                        .append("      building: 围墙 Perimeter\n      zone: probe\n    properties:\n      place: probe\n");
            }
            extra.append("  - id: cam-watch\n    profile: camera-isapi\n    location:\n      building: 门卫室 Gatehouse\n      zone: gate\n")
                    .append("    properties:\n      place: probe\n");
            Files.writeString(school.inventoryFile(), extra, StandardOpenOption.APPEND);
            // the probes' own rule, announcing on a controller of their own (pa-2): the school's perimeter cameras raise
            // the example rules' night alarm on pa-main, and a zone busy with one announcement refuses another
            Path rules = Files.createDirectories(home.resolve("rules"));
            Files.copy(GatewayProcess.defaultDistribution().resolve("device-profiles/rules/example-school.yaml"),
                    rules.resolve("example-school.yaml"));
            Files.writeString(rules.resolve("siege-probes.yaml"), """
                    rules:
                      - id: probe-intrusion
                        description: 基准测试探针 The siege benchmark's probe intrusion
                        kind: window
                        match: {kinds: [camera.intrusion], zones: [probe]}
                        count: 1
                        windowSeconds: 60
                        per: device
                        severity: CRITICAL
                        clears: manual
                        actions:
                          - broadcast:
                              controller: pa-2
                              zones: [playground, dormitory]
                              text: "probe intrusion"
                              priority: 95
                    """);
            school.provision(home.resolve("gateway"));
            try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                    List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0",
                            "registry.inventoryFile=" + school.inventoryFile(), "rules.rulesDir=" + rules),
                    LabBenchmark.gatewayJvmOptions("256m"))) {
                school.attach(gw, 1000);
                // the kit that will run away: in the inventory, unknown to the school's simulators
                Files.writeString(school.inventoryFile(), "  - id: lab-runaway-1\n    profile: lab-sensor-kit\n    security: none\n    location:\n"
                        + "      building: 科学楼\n      room: lab-runaway\n", StandardOpenOption.APPEND);
                long pid = gw.pid();
                System.out.printf(Locale.ROOT, "Siege benchmark: school x%d (%d devices) against the gateway (-Xmx256m, defaults);"
                        + " %d s per step, a perimeter intrusion every %.1f s%n", scale, size.devices() + PROBE_CAMERAS + 2, seconds,
                        PROBE_EVERY_MS / 1000.0);
                AlarmFeed console = AlarmFeed.login(gw);
                Thread.sleep(15_000); // the school under way before the first attack
                System.out.printf(Locale.ROOT, "live heap with the school running, before any attack: %.0f MB%n",
                        HeapSampler.liveAfterFullGcMb(pid));
                BroadcastController pa = school.controllers().get(1); // pa-2, the probes' own
                Siege.Target target = new Siege.Target(gw.coapPort(), gw.httpPort(), gw.cardPort(), gw.consolePort(),
                        school.inventory().labSensors().stream().map(id -> "/campus/lab/" + id).toList(),
                        school.inventory().cameras().stream().map(c -> "/campus/camera/" + c.cameraId()).toList(),
                        school.inventory().cardReaders().get(0).readerId(), "lab-runaway-1");
                List<Step> results = new ArrayList<>();
                for (int k : steps) {
                    Siege.Strength strength = Siege.Strength.step(k);
                    System.out.println("\n" + strength.describe());
                    results.add(step(gw, pid, school, pa, console, target, strength, seconds));
                    print(results.get(results.size() - 1));
                    Thread.sleep(10_000); // the gateway catches its breath between steps
                }
                System.out.println("\n| step | alarm → PA p50 / p99 ms | alarm → console p50 / p99 ms | probes failed | lab packs acked"
                        + " / refused | swipes acked | heap peak / live MB | connections refused | longest silence ms | same process |");
                System.out.println("|---|---|---|---|---|---|---|---|---|---|");
                for (Step s : results) {
                    System.out.printf(Locale.ROOT, "| %d | %.0f / %.0f | %.0f / %.0f | %d of %d | %d / %d | %d | %.0f / %.0f | %d | %d | %s |%n",
                            s.step(), ms(s.pa(), 50), ms(s.pa(), 99), ms(s.console(), 50), ms(s.console(), 99), s.failed(), s.probes(),
                            s.labAcked(), s.labRefused(), s.swipesAcked(), s.heapMb(), s.liveMb(), s.connectionsRefused(), s.longestSilenceMs(),
                            s.samePid() ? "yes" : "NO");
                }
                lossCheck(gw, school);
            }
        }
    }

    private static Step step(GatewayProcess gw, long pid, SimulatedSchool school, BroadcastController pa, AlarmFeed console,
                             Siege.Target target, Siege.Strength strength, int seconds) throws Exception {
        long labAcked0 = school.labs().outcomes().acknowledged();
        long labRefused0 = school.labs().outcomes().refused();
        long swipes0 = school.cards().acknowledged();
        long refused0 = connectionsRefused(gw);
        Histogram toPa = new Histogram(3);
        Histogram toConsole = new Histogram(3);
        Histogram toPost = new Histogram(3);
        java.util.Map<String, Integer> failures = new java.util.TreeMap<>();
        int probes = 0;
        int failed = 0;
        URI devices = URI.create("http://127.0.0.1:" + gw.httpPort());
        Watcher watcher = new Watcher(new Camera("cam-watch", devices, false, Loopback.device(Loopback.CAMERAS, 9_000))
                .withSecret(gw.deviceKeys().secret("cam-watch")));
        // one camera object per probe camera: it keeps the gateway's Digest nonce, as a real camera does
        java.util.Map<String, Camera> probeCameras = new java.util.HashMap<>();
        try (HeapSampler heap = new HeapSampler(pid); NicedSiege siege = NicedSiege.start(target, strength)) {
            watcher.start();
            Thread.sleep(5_000); // the attacks under way
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                probes++;
                String camera = "cam-probe-" + (1 + probes % PROBE_CAMERAS);
                String key = "probe-intrusion:" + camera;
                CompletableFuture<Long> onConsole = console.expect(key);
                int played = pa.played().size();
                long t0 = System.nanoTime();
                long wall0 = System.currentTimeMillis();
                int slot = probes % PROBE_CAMERAS;
                int status = probeCameras.computeIfAbsent(camera, c -> new Camera(c, devices, false,
                                Loopback.device(Loopback.CAMERAS, 9_000 + slot)).withSecret(gw.deviceKeys().secret(c)))
                        .post(new AlertDocuments.Alert("linedetection", true, 1, 1, OffsetDateTime.now(ZoneOffset.ofHours(8)), probes,
                                "10.30.9.1", null, "probe"));
                long posted = System.nanoTime();
                boolean ok = status == 200;
                if (ok) {
                    toPost.recordValue(Math.max(1, (posted - t0) / 1000));
                } else {
                    failures.merge("camera post answered " + status, 1, Integer::sum);
                }
                try {
                    long at = onConsole.get(5, TimeUnit.SECONDS);
                    toConsole.recordValue(Math.max(1, (at - t0) / 1000));
                } catch (java.util.concurrent.TimeoutException e) {
                    ok = false;
                    failures.merge("not on the console within 5 s", 1, Integer::sum);
                }
                // the play of this alarm's announcement (the PA's schedule may play bells too)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                BroadcastController.Played mine = null;
                while (mine == null && System.nanoTime() < deadline) {
                    List<BroadcastController.Played> log = pa.played();
                    for (int i = played; i < log.size() && mine == null; i++) {
                        if (log.get(i).what().contains("intrusion")) {
                            mine = log.get(i);
                        }
                    }
                    if (mine == null) {
                        Thread.sleep(5);
                    }
                }
                if (mine != null) {
                    toPa.recordValue(Math.max(1, (mine.at().toEpochMilli() - wall0) * 1000));
                } else {
                    ok = false;
                    failures.merge("no play on the PA within 5 s", 1, Integer::sum);
                }
                failed += ok ? 0 : 1;
                console.clear(key);
                long rest = PROBE_EVERY_MS - (System.nanoTime() - t0) / 1_000_000;
                if (rest > 0) {
                    Thread.sleep(rest);
                }
            }
            watcher.stop();
            double live = HeapSampler.liveAfterFullGcMb(pid); // after the probes: its pause must not count in their times
            System.out.printf(Locale.ROOT, "  the probe camera's post answered 200 in p50 %.0f ms, p99 %.0f ms; failures: %s%n",
                    ms(toPost, 50), ms(toPost, 99), failures.isEmpty() ? "none" : failures);
            return new Step(strength.step(), toPa, toConsole, probes, failed, school.labs().outcomes().acknowledged() - labAcked0,
                    school.labs().outcomes().refused() - labRefused0, school.cards().acknowledged() - swipes0, heap.peakUsedMb(), live,
                    connectionsRefused(gw) - refused0, watcher.longestSilenceMs(), gw.isAlive() && gw.pid() == pid);
        }
    }

    private static void print(Step s) {
        System.out.printf(Locale.ROOT, "  alarm -> PA play p50 %.0f ms, p99 %.0f ms; alarm -> console live feed p50 %.0f ms, p99 %.0f ms;"
                        + " %d of %d probes failed%n  school meanwhile: %d lab packs acknowledged, %d refused; %d swipes acknowledged;"
                        + " heap peak %.0f MB in use, %.0f MB live under attack; %d connections refused; longest silence %d ms; same process: %s%n",
                ms(s.pa(), 50), ms(s.pa(), 99), ms(s.console(), 50), ms(s.console(), 99), s.failed(), s.probes(), s.labAcked(),
                s.labRefused(), s.swipesAcked(), s.heapMb(), s.liveMb(), s.connectionsRefused(), s.longestSilenceMs(), s.samePid());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Connections the gateway's servers refused so far (the TOTAL lines of run/sources.tsv). */
    private static long connectionsRefused(GatewayProcess gw) throws Exception {
        Path file = gw.home().resolve("run/sources.tsv");
        if (!Files.exists(file)) {
            return 0;
        }
        long sum = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            if (f.length > 6 && f[1].equals("TOTAL")) {
                sum += Long.parseLong(f[6]);
            }
        }
        return sum;
    }

    /** After the last step: the devices stop, and every reading and swipe they were told was stored is looked for. */
    private static void lossCheck(GatewayProcess gw, SimulatedSchool school) throws Exception {
        school.labs().stop();
        school.cards().close();
        Thread.sleep(3_000); // answers in flight
        String observed = String.join("','", school.inventory().observedLabSensors());
        long labRows = count(gw, "kind = 'lab.reading' AND device_id NOT IN ('" + observed + "','lab-runaway-1')");
        long labAcked = school.labs().outcomes().acknowledged();
        long swipes = count(gw, "kind GLOB 'card.*'");
        long swipesAcked = school.cards().acknowledged();
        System.out.printf(Locale.ROOT, "%nacknowledged vs stored: lab packs %d acknowledged = %d readings, %d stored%s; swipes %d ACKed,"
                + " %d stored%s%n", labAcked, labAcked * 7, labRows, labRows >= labAcked * 7 ? "" : " — READINGS LOST", swipesAcked, swipes,
                swipes >= swipesAcked ? "" : " — SWIPES LOST");
    }

    private static long count(GatewayProcess gw, String where) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + gw.storePath());
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM event_log WHERE " + where)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * The attacks in a process of their own at the lowest CPU priority ({@code nice -n 19}), standing
     * in for machines elsewhere on the LAN: on this 2-core box the attackers would otherwise take the
     * CPU the gateway needs, which on a school network they cannot.
     */
    private static final class NicedSiege implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader out;

        private NicedSiege(Process process, java.io.BufferedReader out) {
            this.process = process;
            this.out = out;
        }

        static NicedSiege start(Siege.Target t, Siege.Strength s) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder("nice", "-n", "19", java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    Siege.class.getName(), Integer.toString(s.step()), Integer.toString(t.coapPort()), Integer.toString(t.httpPort()),
                    Integer.toString(t.cardPort()), Integer.toString(t.consolePort()), String.join(",", t.labPaths()),
                    String.join(",", t.cameraPaths()), t.cardReader(), t.runawayKit())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String first = out.readLine();
            if (!"siege running".equals(first)) {
                p.destroyForcibly();
                throw new IllegalStateException("the siege process did not start: " + first);
            }
            return new NicedSiege(p, out);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close(); // its cue to stop; it prints what each attack sent and was answered
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("  " + line.trim());
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** A camera that posts a heartbeat twice a second and notes the longest time without a 200. */
    private static final class Watcher {
        private final Camera camera;
        private final AtomicLong longest = new AtomicLong();
        private volatile boolean running;
        private Thread thread;

        Watcher(Camera camera) {
            this.camera = camera;
        }

        void start() {
            running = true;
            thread = new Thread(() -> {
                long lastOk = System.nanoTime();
                int n = 0;
                while (running) {
                    int status = camera.post(new AlertDocuments.Alert("heartBeat", false, 1, 0, OffsetDateTime.now(ZoneOffset.ofHours(8)),
                            ++n, "10.30.9.2", null, "heartbeat"));
                    long now = System.nanoTime();
                    if (status == 200) {
                        lastOk = now;
                    }
                    longest.accumulateAndGet((now - lastOk) / 1_000_000, Math::max);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "siege-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(15_000);
        }

        long longestSilenceMs() {
            return longest.get();
        }
    }
}
