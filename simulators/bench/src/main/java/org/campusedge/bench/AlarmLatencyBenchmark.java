package org.campusedge.bench;

import java.net.URI;
import java.net.http.HttpClient;
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
import org.HdrHistogram.Histogram;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;

/**
 * Alarm latency under load: with a simulated school ×K running against the gateway (-Xmx256m), a
 * probe camera at the perimeter posts a line crossing at night every half second; the time from the
 * post to the {@code alarm.raised} arriving on a console session's live feed (the same Server-Sent
 * Events stream the security page listens to, read here by an HTTP client) is recorded; the alarm
 * is then cleared through the console's API so the next probe raises a new one. Also the time from
 * the post to the first notification of it delivered to the guard's WeCom group (the simulated
 * school's local robot, SimulatedSchool#robots). Prints p50, p99, max and how many probes timed out. {@code ./campus-edge.sh bench alarms [--scale 10] [--probes 200]}.
 */
public final class AlarmLatencyBenchmark {

    private static final int PROBE_CAMERAS = 10;

    private AlarmLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int scale = 10;
        int probes = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scale" -> scale = Integer.parseInt(args[++i]);
                case "--probes" -> probes = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench alarms [--scale K] [--probes N]");
                    System.exit(2);
                }
            }
        }
        SchoolSize size = SchoolSize.standard().times(scale);
        Path home = Files.createTempDirectory("campus-alarm-bench");
        try {
            run(home, size, scale, probes);
        } finally {
            LabBenchmark.deleteTree(home);
        }
    }

    private static void run(Path home, SchoolSize size, int scale, int probes) throws Exception {
        try (SimulatedSchool school = SimulatedSchool.prepare(home.resolve("school"), "sch-alarm-bench", size,
                SimulatedSchool.morningClock(60))) {
            // probe cameras at the perimeter: the simulators send them heartbeats and motion only, the probes the intrusions
            StringBuilder extra = new StringBuilder();
            for (int i = 1; i <= PROBE_CAMERAS; i++) {
                extra.append("  - id: cam-probe-").append(i).append("\n    profile: camera-isapi\n    location:\n")
                        .append("      building: 围墙 Perimeter\n      zone: perimeter\n    properties:\n      place: probe\n");
            }
            Files.writeString(school.inventoryFile(), extra, StandardOpenOption.APPEND);
            Path night = home.resolve("no-school.yaml");
            // night all day, and a guard always on duty (the simulated school's first notification level is "duty: guard")
            Files.writeString(night, "schoolHours: {}\ndutyRosters:\n  guard:\n    - {days: [monday, tuesday, wednesday, thursday,"
                    + " friday, saturday, sunday], time: \"00:00-00:00\", on: guard, channels: [guard-wecom]}\n");
            school.provision(home.resolve("gateway"));
            try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                    List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0",
                            "registry.inventoryFile=" + school.inventoryFile(), "rules.calendarFile=" + night),
                    LabBenchmark.gatewayJvmOptions("256m"))) {
                school.attach(gw, 1000);
                System.out.printf(Locale.ROOT, "Alarm latency: school x%d (%d devices) running; %d probes, one every 500 ms%n",
                        scale, size.devices() + PROBE_CAMERAS, probes);
                AlarmFeed console = AlarmFeed.login(gw);
                Thread.sleep(15_000); // warm-up under the school's load
                Histogram h = new Histogram(3);
                Histogram told = new Histogram(3);
                Histogram mail = new Histogram(3);
                int timeouts = 0;
                int untold = 0;
                int unmailed = 0;
                HttpClient http = HttpClient.newHttpClient();
                URI devices = URI.create("http://127.0.0.1:" + gw.httpPort());
                // one camera object per probe camera: it keeps the gateway's Digest nonce, as a real camera does
                java.util.Map<String, Camera> probeCameras = new java.util.HashMap<>();
                for (int p = 0; p < probes; p++) {
                    String camera = "cam-probe-" + (1 + p % PROBE_CAMERAS);
                    String key = "perimeter-intrusion-night:" + camera;
                    CompletableFuture<Long> arrived = console.expect(key);
                    long t0 = System.nanoTime();
                    int status = probeCameras.computeIfAbsent(camera, c -> new Camera(c, devices, false)
                            .withSecret(gw.deviceKeys().secret(c))).post(new AlertDocuments.Alert("linedetection", true, 1, 1,
                            OffsetDateTime.now(ZoneOffset.ofHours(8)), p + 1, "10.30.9.1", null, "probe"));
                    try {
                        long at = arrived.get(5, TimeUnit.SECONDS);
                        if (status == 200) {
                            h.recordValue((at - t0) / 1000);
                        }
                    } catch (java.util.concurrent.TimeoutException e) {
                        timeouts++;
                    }
                    // "night:cam-probe-1" also matches cam-probe-10: the key is followed by the message's end
                    long notified = school.robots().await("wecom", key + "\"", t0, 5_000);
                    if (notified < 0) {
                        untold++;
                    } else if (status == 200) {
                        told.recordValue((notified - t0) / 1000);
                    }
                    // the security office's mailbox, through the school's SMTP server (GreenMail): the mail ends with the key
                    long mailed = school.mail().awaitEndingWith(" · " + key, t0, 5_000);
                    if (mailed < 0) {
                        unmailed++;
                    } else if (status == 200) {
                        mail.recordValue((mailed - t0) / 1000);
                    }
                    console.clear(key);
                    Thread.sleep(500);
                }
                System.out.printf(Locale.ROOT, "camera post -> alarm on the console's live feed: p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                        + " %d probes, %d timed out (5 s)%n", h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                        h.getMaxValue() / 1000.0, h.getTotalCount(), timeouts);
                System.out.printf(Locale.ROOT, "camera post -> first notification at the guard's WeCom group: p50 %.1f ms, p99 %.1f ms,"
                        + " max %.1f ms; %d probes, %d not told within 5 s%n", told.getValueAtPercentile(50) / 1000.0,
                        told.getValueAtPercentile(99) / 1000.0, told.getMaxValue() / 1000.0, told.getTotalCount(), untold);
                System.out.printf(Locale.ROOT, "camera post -> e-mail in the security office's mailbox (SMTP, GreenMail): p50 %.1f ms,"
                        + " p99 %.1f ms, max %.1f ms; %d probes, %d not mailed within 5 s%n", mail.getValueAtPercentile(50) / 1000.0,
                        mail.getValueAtPercentile(99) / 1000.0, mail.getMaxValue() / 1000.0, mail.getTotalCount(), unmailed);
            }
        }
    }
}
