package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/campus-edge backup} while a lab kit keeps posting: a consistent copy of the store, the
 * outbox and the notification queue, taken without a single refused or delayed-to-failure pack;
 * every pack acknowledged before the backup began is in it. {@code restore} refuses while the
 * gateway runs and refuses a backup file that was altered; with the gateway stopped it brings the
 * backup back, and the gateway starts on it.
 */
class BackupIT {

    @TempDir
    Path dir;

    @Test
    void aBackupTakenDuringIngestionHoldsWhatWasAcknowledgedAndRestoresIntoAWorkingGateway() throws Exception {
        Path home = dir.resolve("gw");
        Path backup = dir.resolve("backup");
        GatewayProcess gw = GatewayFixture.start(home);
        AtomicBoolean posting = new AtomicBoolean(true);
        AtomicLong acknowledged = new AtomicLong();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread kit = new Thread(() -> {
            for (long t = 1_763_900_000_000L; posting.get(); t += 1000) {
                try {
                    var r = GatewayFixture.post(gw, "lab-phys-1-s1", "[{\"bt\":" + t / 1000 + ",\"n\":\"temperature\",\"v\":21.5}]");
                    if (r != null && r.getCode() == ResponseCode.CHANGED) {
                        acknowledged.incrementAndGet();
                    } else {
                        failures.add(r == null ? "no answer" : r.getCode().toString());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }, "kit");
        try {
            kit.start();
            assertTrue(GatewayFixture.eventually(20, () -> acknowledged.get() >= 50), "the kit's packs are not acknowledged");
            long before = acknowledged.get();
            String said = run("backup", "--home", home.toString(), backup.toString());
            long after = acknowledged.get();
            System.out.print(said);
            System.out.printf("packs acknowledged: %d before the backup, %d while it ran%n", before, after - before);
            assertTrue(said.contains("backup: done"), said);
            Properties manifest = new Properties();
            try (var r = Files.newBufferedReader(backup.resolve("backup.properties"), StandardCharsets.UTF_8)) {
                manifest.load(r);
            }
            long inBackup = Long.parseLong(GatewayFixture.rows(backup.resolve("events.db"),
                    "SELECT count(*) FROM events WHERE kind = 'lab.reading'").get(0));
            assertTrue(inBackup >= before, "acknowledged before the backup began: " + before + ", in the backup: " + inBackup);
            assertEquals(List.of("ok"), GatewayFixture.rows(backup.resolve("events.db"), "PRAGMA integrity_check"));
            assertTrue(Files.exists(backup.resolve("outbox.db")) || !Files.exists(home.resolve("data/outbox.db")), "the outbox is missing");
            assertTrue(GatewayFixture.eventually(10, () -> acknowledged.get() > after), "ingestion stopped after the backup");
            posting.set(false);
            kit.join(10_000);
            assertEquals(List.of(), failures, "packs refused or lost during the backup");
            // the databases and the manifest, and nothing else: no secret travels with a backup
            try (var files = Files.list(backup)) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(List.of("backup.properties", "events.db", "notifications.db", "outbox.db").containsAll(names), names.toString());
            }

            assertTrue(runFailing("restore", "--home", home.toString(), backup.toString()).contains("the gateway is running"));
        } finally {
            posting.set(false);
            gw.close();
        }
        long afterBackup = GatewayFixture.count(home.resolve("data/campus-edge.db"), "kind = 'lab.reading'");
        // an altered backup file is refused whole
        Path altered = dir.resolve("altered");
        copyFolder(backup, altered);
        byte[] bytes = Files.readAllBytes(altered.resolve("events.db"));
        bytes[bytes.length - 100] ^= 1;
        Files.write(altered.resolve("events.db"), bytes);
        Thread.sleep(15_500); // the watchdog's alive file goes stale
        assertTrue(runFailing("restore", "--home", home.toString(), altered.toString()).contains("SHA-256 differs"));

        String restored = run("restore", "--home", home.toString(), backup.toString());
        assertTrue(restored.contains("restore: done"), restored);
        long inBackup = Long.parseLong(GatewayFixture.rows(backup.resolve("events.db"),
                "SELECT count(*) FROM events WHERE kind = 'lab.reading'").get(0));
        assertTrue(afterBackup > inBackup, "the kit posted nothing after the backup: the restore would prove nothing");
        try (GatewayProcess again = GatewayFixture.start(home)) {
            assertEquals(inBackup, GatewayFixture.count(again.storePath(), "kind = 'lab.reading'"), "the restored store");
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(again, "lab-phys-1-s1",
                    "[{\"bt\":1763990000,\"n\":\"temperature\",\"v\":22.0}]").getCode(), "the restored gateway does not take readings");
        }
    }

    private static void copyFolder(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    private static String run(String... args) throws Exception {
        return GatewayFixture.campusEdge(0, args);
    }

    private static String runFailing(String... args) throws Exception {
        return GatewayFixture.campusEdge(1, args);
    }
}
