package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's own backups: each one whole, taken while the store is open and written to, the newest kept. */
class ScheduledBackupsTest {

    @TempDir
    Path home;

    @Test
    void eachBackupIsWholeAndOnlyTheNewestAreKept() throws Exception {
        SqliteEventStore store = new SqliteEventStore(SqliteEventStoreTest.config(home.resolve("data/campus-edge.db"), 1000, 100_000));
        try {
            ScheduledBackups backups = new ScheduledBackups(home, 0, 2); // no timer: taken by hand here
            // what a backup killed halfway left: the copy, no manifest
            Path unfinished = Files.createDirectories(home.resolve("backups/scheduled-20260101-000000-000"));
            Files.write(unfinished.resolve("events.db.partial"), new byte[4096]);
            Path manual = Files.createDirectories(home.resolve("backups/before-upgrade-a-to-b-20260101T000000Z"));
            for (int i = 0; i < 3; i++) {
                store.append(List.of(SqliteEventStoreTest.reading("lab-1", i, Instant.now()))).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertNotNull(backups.takeOne(), "backup " + i);
            }
            List<Path> kept = backups.scheduled();
            assertEquals(2, kept.size(), kept.toString());
            assertTrue(kept.get(1).getFileName().toString().compareTo(kept.get(0).getFileName().toString()) > 0);
            for (Path b : kept) {
                assertTrue(Files.exists(b.resolve("events.db")) && Files.exists(b.resolve("backup.properties")), b.toString());
            }
            assertTrue(Files.readString(kept.get(1).resolve("backup.properties")).contains("events.rows=3"),
                    "the newest holds all three readings");
            assertFalse(Files.exists(unfinished), "an unfinished backup is cleared away");
            assertTrue(Files.exists(manual), "what is not a scheduled backup is never pruned");
        } finally {
            store.close();
        }
    }
}
