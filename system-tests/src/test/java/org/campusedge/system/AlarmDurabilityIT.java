package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabLoadGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alarm path when readings take everything: sixteen lab kits over coaps keep the store's queue
 * full and fill its disk (a 16 MiB cap, 8 MiB of it kept for alarms) until their readings are
 * refused with 5.03; meanwhile a perimeter camera's intrusion is taken, its CRITICAL alarm is
 * stored, and a guard's acknowledgement is answered 200 only once it is in the SQLite file — and
 * the file never outgrows its cap.
 */
class AlarmDurabilityIT {

    private static final long T0 = 1_764_000_000L;
    private static final int CAP_MB = 16;

    @TempDir
    Path dir;

    private Path inventory() throws Exception {
        StringBuilder y = new StringBuilder("""
                school:
                  id: sch-full-it
                  name: 满盘测试学校
                  district: 江城区
                  enrolment: 900
                devices:
                  - id: cam-fence-north-1
                    profile: camera-isapi
                    location:
                      building: 北围墙
                      zone: perimeter
                """);
        for (int i = 0; i < 16; i++) {
            y.append("  - id: lab-full-").append(i).append("\n    profile: lab-sensor-kit\n    location:\n      building: 科学楼\n      room: lab-1\n");
        }
        Path file = dir.resolve("school.yaml");
        Files.writeString(file, y.toString());
        return file;
    }

    @Test
    void alarmTransitionsLandWhileReadingsFillTheQueueAndTheDisk() throws Exception {
        List<String> settings = new ArrayList<>(GatewayFixture.nightRules(dir, "rules"));
        settings.addAll(List.of("registry.inventoryFile=" + inventory(), "store.maxQueuedEvents=2000",
                "store.maxDatabaseMegabytes=" + CAP_MB, "store.reservedMegabytes=8", "camel.maxEventsPerDevicePerSecond=1000000"));
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings.toArray(String[]::new))) {
            List<String> kits = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                kits.add("lab-full-" + i);
            }
            LabLoadGenerator load = new LabLoadGenerator(URI.create("coaps://127.0.0.1:" + gw.coapsPort()), kits, 16, 256, 2,
                    gw.deviceKeys());
            CompletableFuture<Long> labRun = CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(3_000, 90, 0, (seq, device) -> GatewayFixture.pack(T0, seq, device), seq -> { });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                // the disk fills: readings are refused once less than the reserve is left, and go on being refused
                assertTrue(GatewayFixture.eventually(60, () -> usedBytes(gw.storePath()) > (CAP_MB - 8 - 1) * 1024L * 1024L
                        && load.outcomes().refused("5.03") > 1_000), "the readings did not fill the disk: " + usedBytes(gw.storePath())
                        + " bytes used, " + load.outcomes());
                long readingsAtFull = GatewayFixture.count(gw.storePath(), "kind = 'lab.reading'");
                Thread.sleep(2_000);
                long readingsLater = GatewayFixture.count(gw.storePath(), "kind = 'lab.reading'");
                assertTrue(readingsLater - readingsAtFull < 20_000, "readings went on filling the reserve: " + readingsAtFull + " -> "
                        + readingsLater);

                // an intrusion now: taken, and its CRITICAL alarm stored
                GatewayFixture.intrusion(gw, "cam-fence-north-1");
                String key = "perimeter-intrusion-night:cam-fence-north-1";
                assertTrue(GatewayFixture.eventually(20, () -> GatewayFixture.count(gw.storePath(), "kind = 'alarm.raised'") == 1),
                        "the alarm was not stored: " + GatewayFixture.problems(gw, 20));

                // the guard acknowledges: the answer comes once the acknowledgement is in the file
                ConsoleClient guard = ConsoleClient.admin(gw);
                assertEquals(200, guard.post("/api/alarms/acknowledge", "key=perimeter-intrusion-night%3Acam-fence-north-1&note=guard+sent"));
                assertEquals(List.of("alarm.raised|", "alarm.acknowledged|admin"), GatewayFixture.rows(gw.storePath(),
                        "SELECT kind || '|' || coalesce(json_extract(attributes, '$.by'), '') FROM event_log WHERE kind GLOB 'alarm.*'"
                                + " ORDER BY occurred_at, id"), "the acknowledgement was answered before it was stored");
                assertTrue(guard.get("/api/alarms").contains("\"acknowledgedBy\":\"admin\""), guard.get("/api/alarms"));
                assertTrue(load.outcomes().refused("5.03") > 1_000, "the readings stopped being refused: " + load.outcomes());
            } finally {
                load.stop();
                labRun.join();
                load.close();
            }
            assertTrue(Files.size(gw.storePath()) <= CAP_MB * 1024L * 1024L, "the file outgrew its cap: " + Files.size(gw.storePath()));
            System.out.printf("disk filled to %.1f MiB of %d; readings refused: %s%n", usedBytes(gw.storePath()) / 1048576.0, CAP_MB,
                    load.outcomes());
        }
    }

    /** Bytes the database's pages hold (the file less its free pages), read as the gateway writes. */
    private static long usedBytes(Path db) throws Exception {
        List<String> r = GatewayFixture.rows(db, "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM"
                + " pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())");
        String[] parts = r.get(0).split("\\|");
        return Long.parseLong(parts[0].trim()) * Long.parseLong(parts[1].trim());
    }
}
