package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.card.CardReader;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabLoadGenerator;
import org.campusedge.simulators.net.HttpWire;
import org.campusedge.simulators.net.Loopback;
import org.campusedge.net.DigestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Busy" on every transport, shown with real traffic that fills the store's queue (kept small
 * here, 40 readings, so that ordinary devices fill it): lab kits get CoAP 5.03, cameras HTTP 503
 * with Retry-After, card readers NAK BUSY — and every message that was acknowledged is stored,
 * every refused one is sent again by its device and stored once, and an intrusion posted while
 * readings fill the queue is taken at once (it has a lane of its own).
 */
class BackpressureIT {

    private static final long T0 = 1_764_000_000L;
    private static final int CAMERAS = 24;
    private static final int READERS = 8;

    @TempDir
    Path dir;

    private Path inventory() throws Exception {
        StringBuilder y = new StringBuilder("""
                school:
                  id: sch-busy-it
                  name: 背压测试学校
                  district: 江城区
                  enrolment: 900
                devices:
                """);
        for (int i = 0; i < 16; i++) {
            y.append("  - id: lab-busy-").append(i).append("\n    profile: lab-sensor-kit\n    location:\n      building: 科学楼\n      room: lab-1\n");
        }
        for (int i = 0; i < CAMERAS; i++) {
            y.append("  - id: cam-busy-").append(i).append("\n    profile: camera-isapi\n    location:\n      building: 教学楼\n      zone: ")
                    .append(i == 0 ? "perimeter" : "corridor").append('\n');
        }
        for (int i = 0; i < READERS; i++) {
            y.append("  - id: card-busy-").append(i).append("\n    profile: card-reader\n    location:\n      building: 东门\n      zone: gate\n");
        }
        Path file = dir.resolve("school.yaml");
        Files.writeString(file, y.toString());
        return file;
    }


    @Test
    void aFullQueueIsAnsweredBusyOnEveryTransportAndNothingIsLost() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "registry.inventoryFile=" + inventory(), "health.checkIntervalSeconds=1",
                "store.maxQueuedEvents=40", "store.synchronous=FULL", "camel.maxEventsPerDevicePerSecond=1000000")) {
            // (the per-device rate limit is lifted: here only the store says busy)
            // lab kits: confirmable packs of ten readings, 256 in flight, for the whole test: they keep the queue full
            Set<Long> acked = new ConcurrentSkipListSet<>();
            List<String> kits = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                kits.add("lab-busy-" + i);
            }
            // each kit over coaps with its key, as in a school
            LabLoadGenerator load = new LabLoadGenerator(URI.create("coaps://127.0.0.1:" + gw.coapsPort()), kits, 16, 256, 2,
                    gw.deviceKeys());
            java.util.concurrent.CompletableFuture<Long> labRun = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(2_000, 12, 0, (seq, device) -> GatewayFixture.pack(T0, seq, device), acked::add);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(GatewayFixture.eventually(10, () -> load.outcomes().refused("5.03") > 0), "the lab load filled nothing: "
                    + load.outcomes());

            // cameras, while the readings fill the queue: motion alerts (bulk) from 23 cameras, each from its own address;
            // an intrusion (urgent) in the middle
            URI base = URI.create("http://127.0.0.1:" + gw.httpPort());
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Set<String> retryAfter = ConcurrentHashMap.newKeySet();
            Set<String> stored200 = ConcurrentHashMap.newKeySet();
            ExecutorService cams = Executors.newFixedThreadPool(CAMERAS);
            List<Future<?>> posts = new ArrayList<>();
            for (int c = 1; c < CAMERAS; c++) {
                int camera = c;
                DigestClient login = new DigestClient("cam-busy-" + camera, gw.deviceKeys().secret("cam-busy-" + camera));
                posts.add(cams.submit(() -> {
                    for (int n = 1; n <= 40; n++) {
                        AlertDocuments.Alert motion = new AlertDocuments.Alert("VMD", true, 1, null,
                                OffsetDateTime.now(ZoneOffset.ofHours(8)), n, "10.20.8." + camera, null, "motion " + n);
                        try {
                            HttpWire.Answer a = HttpWire.post(Loopback.device(Loopback.CAMERAS, camera),
                                    base.resolve("/campus/camera/cam-busy-" + camera), "application/xml",
                                    AlertDocuments.xml(motion).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10), login);
                            statuses.computeIfAbsent(a.status(), k -> new AtomicInteger()).incrementAndGet();
                            if (a.status() == 503) {
                                retryAfter.add(String.valueOf(a.headers().get("retry-after")));
                                assertTrue(a.body().contains("event store"), a.body());
                            } else if (a.status() == 200) {
                                stored200.add(camera + "|" + n);
                            }
                        } catch (java.io.IOException e) {
                            statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(300);
            HttpWire.Answer intrusion = HttpWire.post(Loopback.device(Loopback.CAMERAS, 0), base.resolve("/campus/camera/cam-busy-0"),
                    "application/xml", AlertDocuments.xml(new AlertDocuments.Alert("linedetection", true, 1, 1,
                            OffsetDateTime.now(ZoneOffset.ofHours(8)), 1, "10.20.8.1", null, "Line crossing")).getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(10), new DigestClient("cam-busy-0", gw.deviceKeys().secret("cam-busy-0")));
            for (Future<?> f : posts) {
                f.get(120, TimeUnit.SECONDS);
            }
            cams.shutdown();
            System.out.println("cameras: " + statuses + ", Retry-After " + retryAfter + "; the intrusion: " + intrusion.status());
            assertEquals(200, intrusion.status(), "the intrusion was refused while readings filled the queue: " + intrusion.body());
            assertTrue(statuses.getOrDefault(503, new AtomicInteger()).get() > 0, "no camera post was answered 503: " + statuses);
            assertEquals(Set.of("1"), retryAfter);
            long motionRows = GatewayFixture.count(gw.storePath(), "kind = 'camera.motion'");
            assertEquals(stored200.size(), motionRows, "alerts answered 200 and motion rows stored differ");

            // card readers, still beside the readings: bursts of swipes; BUSY ones are sent again by the reader, every
            // swipe ends stored once
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", gw.cardPort());
            List<CardReader> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                CardReader reader = new CardReader("card-busy-" + r, at, Loopback.device(Loopback.CARD_READERS, r))
                        .withSecret(gw.deviceKeys().secret("card-busy-" + r));
                reader.connect();
                readers.add(reader);
            }
            long t = 1_764_000_000_000L;
            for (int burst = 0; burst < 5; burst++) {
                for (CardReader reader : readers) {
                    for (int i = 0; i < 40; i++) {
                        reader.swipe(String.format("3101%06d", burst * 1000 + i), 'I', true, t + burst * 100_000L + i);
                    }
                }
            }
            long sent = readers.stream().mapToLong(CardReader::sent).sum();
            assertTrue(GatewayFixture.eventually(90, () -> {
                for (CardReader reader : readers) {
                    reader.keepAlive(Long.MAX_VALUE); // sends again what was answered BUSY a second ago
                }
                return readers.stream().mapToLong(CardReader::acknowledged).sum() == sent;
            }), "not every swipe was ACKed in the end: " + readers.stream().mapToLong(CardReader::acknowledged).sum() + " of " + sent);
            long busy = readers.stream().mapToLong(r -> r.naks("BUSY")).sum();
            System.out.println("card: " + sent + " swipes, " + busy + " answered BUSY and sent again, all ACKed");
            assertTrue(busy > 0, "no swipe was answered BUSY");
            // some of them because the store was full (deferred, in the device report), not only the readers' frame rate
            assertTrue(GatewayFixture.eventually(20, () -> GatewayFixture.deviceReport(gw).entrySet().stream()
                    .filter(e -> e.getKey().startsWith("card-busy-")).mapToLong(e -> Long.parseLong(e.getValue().get("deferred"))).sum() > 0),
                    "no swipe was deferred by the full store: " + GatewayFixture.deviceReport(gw));
            assertEquals(sent, GatewayFixture.count(gw.storePath(), "kind GLOB 'card.*'"), "swipes stored");
            readers.forEach(CardReader::close);

            load.stop();
            labRun.get(60, TimeUnit.SECONDS);
            Thread.sleep(1000); // answers in flight
            long labRefused = load.outcomes().refused("5.03");
            String labOutcomes = load.outcomes().toString();
            load.close();
            System.out.println("lab: " + labOutcomes);
            assertTrue(labRefused > 0, "no pack was answered 5.03: " + labOutcomes);
            GatewayFixture.assertEveryAcknowledgedPackStored(gw.storePath(), T0, acked);
        }
    }
}
