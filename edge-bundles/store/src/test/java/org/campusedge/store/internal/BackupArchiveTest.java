package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup as one zip file: taken from one home, restored into another; an archive with anything else in it refused. */
class BackupArchiveTest {

    @TempDir
    Path dir;

    @Test
    void aBackupPackedIntoAZipRestoresIntoAnotherHome() throws Exception {
        Path school = dir.resolve("school");
        SqliteEventStore store = new SqliteEventStore(SqliteEventStoreTest.config(school.resolve("data/campus-edge.db"), 1000, 100_000));
        try {
            store.append(List.of(SqliteEventStoreTest.reading("lab-1", 1, Instant.now()), SqliteEventStoreTest.reading("lab-1", 2, Instant.now())))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Path zip = dir.resolve("off-the-box/campus-edge-2026-12-03.zip");
            Files.createDirectories(zip.getParent());
            assertEquals(0, StoreCommand.backupToArchive(school, zip));
            assertEquals(1, StoreCommand.backupToArchive(school, zip), "never over an existing file");
            try (var files = Files.list(zip.getParent())) {
                assertEquals(List.of(zip), files.toList(), "only the archive is left beside it");
            }
            Path replacement = dir.resolve("new-box");
            assertEquals(0, StoreCommand.restoreFromArchive(replacement, zip));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + replacement.resolve("data/campus-edge.db"));
                    Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
                assertEquals(2, rs.getLong(1));
            }
        } finally {
            store.close();
        }
    }

    /** A crafted archive that would write outside the folder it is unpacked into (zip slip) is refused whole. */
    @Test
    void anArchiveWithOtherEntriesIsRefused() throws Exception {
        Path zip = dir.resolve("crafted.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("backup.properties"));
            z.write("takenAt=2026-12-03T00:00:00Z\n".getBytes());
            z.closeEntry();
            z.putNextEntry(new ZipEntry("../../conf/device-secrets"));
            z.write("cam-1 stolen\n".getBytes());
            z.closeEntry();
        }
        Path home = Files.createDirectories(dir.resolve("home/conf"));
        assertEquals(1, StoreCommand.restoreFromArchive(dir.resolve("home"), zip));
        assertFalse(Files.exists(home.resolve("device-secrets")));
        assertFalse(Files.exists(dir.resolve("conf/device-secrets")));
        assertTrue(Files.exists(zip), "the archive itself is left as it was");
    }
}
