package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.TrailStatus;
import org.campusedge.sql.SchemaMigrations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by the release before this one (commit 1f78f2b, schema 3: 510 events of every
 * class, 60 of them alarms and audit records linked in the trail; its event ids beside it) opened by
 * this release: migrated to schema 5 with every event found and the trail intact. And the same file
 * with the migration interrupted, by a failing step and by the process being killed in the middle
 * of it: the file is left at schema 3, whole, and the next start migrates it.
 */
class StoreUpgradeTest {

    @TempDir
    Path dir;

    private Path release(String name) throws Exception {
        Path f = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/release-1f78f2b/" + name)) {
            Files.copy(in, f);
        }
        return f;
    }

    private List<String> releaseIds() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/release-1f78f2b/campus-edge.ids")) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    private static int userVersion(Path f) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    private static Set<String> ids(Path f) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM events")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long count(Path f, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.getLong(1);
        }
    }

    private static boolean hasIndex(Path f, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = '" + name + "'")) {
            return rs.next();
        }
    }

    private static SqliteEventStore open(Path f) throws Exception {
        // retention off: the release's events are from 2026-11-30 and must all be there whenever this runs
        return new SqliteEventStore(SqliteEventStoreTest.config(f, 1000, 100_000));
    }

    /** Opens the store with this release, checks every event and the trail, closes it. */
    private void upgradedWhole(Path f) throws Exception {
        SqliteEventStore store = open(f);
        try {
            TrailStatus trail = store.verifyTrail().orElseThrow();
            assertTrue(trail.intact(), trail.toString());
            assertEquals(60, trail.links());
        } finally {
            store.close();
        }
        assertEquals(5, userVersion(f));
        assertEquals(new HashSet<>(releaseIds()), ids(f), "every event the older release wrote");
        assertTrue(hasIndex(f, "events_by_card"));
        assertTrue(count(f, "SELECT count(*) FROM sqlite_master WHERE name = 'card_counts'") == 1, "schema 5: the card counts");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN SELECT id FROM events WHERE " + EventTable.CARD_KINDS + " AND "
                        + EventTable.CARD + " = '" + String.format("%032x", 3) + "'")) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString(4));
            }
            assertTrue(plan.toString().contains("events_by_card"), "a card's events are found by the index: " + plan);
        }
    }

    @Test
    void theOlderReleasesStoreIsMigratedWithEveryEventAndAnIntactTrail() throws Exception {
        Path f = release("campus-edge.db");
        assertEquals(3, userVersion(f));
        upgradedWhole(f);
        SqliteEventStore again = open(f); // a second start migrates nothing
        again.close();
        assertEquals(5, userVersion(f));
    }

    @Test
    void aMigrationThatFailsHalfwayLeavesTheOlderFileWhole() throws Exception {
        Path f = release("campus-edge.db");
        long before = Files.size(f);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            SQLException e = assertThrows(SQLException.class, () -> interrupted(step -> {
                throw new SQLException("no space left on device (simulated)");
            }).migrate(c));
            assertTrue(e.getMessage().contains("left as it was, at schema 3"), e.getMessage());
        }
        assertEquals(3, userVersion(f));
        assertFalse(hasIndex(f, "events_by_card"), "nothing of the failed step stays");
        assertEquals(new HashSet<>(releaseIds()), ids(f));
        assertEquals(before, Files.size(f));
        upgradedWhole(f);
    }

    /** The process is killed (halt, no shutdown of anything) after schema 4's work is done but before it commits. */
    @Test
    void aMigrationKilledHalfwayLeavesTheOlderFileWhole() throws Exception {
        Path f = release("campus-edge.db");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), KilledMidMigration.class.getName(), f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(KilledMidMigration.KILLED, p.exitValue(), out);
        assertTrue(out.contains("index built, dying before the commit"), out);
        assertEquals(3, userVersion(f));
        assertFalse(hasIndex(f, "events_by_card"));
        assertEquals(new HashSet<>(releaseIds()), ids(f));
        upgradedWhole(f);
    }

    /** The store's own steps, with schema 4 doing its work and then {@code after}. */
    static SchemaMigrations interrupted(SchemaMigrations.Work after) {
        List<SchemaMigrations.Step> steps = new ArrayList<>();
        for (SchemaMigrations.Step s : EventTable.MIGRATIONS.steps()) {
            steps.add(s.version() < 4 ? s : new SchemaMigrations.Step(s.version(), s.what(), c -> {
                s.work().apply(c);
                after.apply(c);
            }));
        }
        return new SchemaMigrations("the event store", SchemaMigrations.Kept.USER_VERSION, steps);
    }

    /** Run in a child JVM: migrates the file and halts the process inside schema 4's transaction. */
    public static final class KilledMidMigration {
        static final int KILLED = 9;

        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                interrupted(tx -> {
                    System.out.println("index built, dying before the commit");
                    System.out.flush();
                    Runtime.getRuntime().halt(KILLED);
                }).migrate(c);
            }
        }
    }

    @Test
    void theOlderReleasesOutboxIsAdoptedWithItsMessages() throws Exception {
        Path f = release("outbox.db");
        assertEquals(0, userVersion(f), "the outbox had no version before");
        try (SqliteOutbox outbox = new SqliteOutbox(f, 1 << 24)) {
            assertEquals(5, outbox.stats().critical() + outbox.stats().telemetry());
        }
        assertEquals(1, userVersion(f));
    }
}
