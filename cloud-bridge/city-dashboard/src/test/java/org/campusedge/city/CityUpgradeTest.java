package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.campusedge.sql.SchemaMigrations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A city database written by the release before versioned migrations (commit 1f78f2b: two schools'
 * energy and alarm summaries and an alarm acknowledged by a named guard with a note) opened by this
 * release: every message is still there, and the people are gone from it.
 */
class CityUpgradeTest {

    @TempDir
    Path dir;

    private Path releaseFile() throws Exception {
        Path f = dir.resolve("city.db");
        try (InputStream in = getClass().getResourceAsStream("/release-1f78f2b/city.db")) {
            Files.copy(in, f);
        }
        return f;
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theOlderReleasesDatabaseIsMigratedWithEveryMessageAndWithoutThePeople() throws Exception {
        Path f = releaseFile();
        long messages;
        long energy;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            messages = count(c, "SELECT count(*) FROM messages");
            energy = count(c, "SELECT count(*) FROM energy");
            assertEquals(2, count(c, "SELECT count(*) FROM alarms WHERE by_user = 'guard-wang' AND note LIKE 'Wang Wei%'"),
                    "the fixture holds what the older release kept: a login and a note naming a person");
        }
        assertEquals(8, messages);
        try (CityDatabase db = CityDatabase.open("jdbc:sqlite:" + f)) {
            assertEquals(messages, db.count("messages"));
            assertEquals(energy, db.count("energy"));
            assertEquals(List.of("acknowledged", "acknowledged"), db.query("SELECT state FROM alarms ORDER BY school", rs -> rs.getString(1)));
            for (String payload : db.query("SELECT payload FROM messages", rs -> rs.getString(1))) {
                assertFalse(payload.contains("guard-wang") || payload.contains("Wang Wei"), payload);
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            assertEquals(3, Schema.MIGRATIONS.version(c));
            assertTrue(SchemaMigrations.hasColumn(c, "broadcast_targets", "next_try_at_ms"), "step 3: broadcasts kept until they expire");
            assertFalse(SchemaMigrations.hasColumn(c, "alarms", "by_user"));
            assertFalse(SchemaMigrations.hasColumn(c, "alarms", "note"));
            assertTrue(SchemaMigrations.hasColumn(c, "alarms", "by_role"));
        }
    }

    @Test
    void anOlderGatewaysAlarmIsStoredWithoutItsLoginAndNote() throws Exception {
        try (CityDatabase db = CityDatabase.open("jdbc:sqlite:" + dir.resolve("new.db"))) {
            Ingest ingest = new Ingest(db, () -> 1_764_000_000_000L);
            Instant t = Instant.parse("2026-11-23T01:00:00Z");
            assertEquals(Ingest.Outcome.STORED, ingest.handle("s1.cam-gate-1", Events.CE, Events.bytes(
                    Events.olderAlarm("s1", "ev-9", "al-9", "acknowledged", t, t, "guard-li", "Li Na saw a fox")), null));
            String payload = db.message("ev-9").orElseThrow().payload();
            assertFalse(payload.contains("guard-li") || payload.contains("Li Na") || payload.contains("\"by\""), payload);
            assertTrue(payload.contains("\"alarmId\":\"al-9\""), payload);
            assertEquals(List.of("acknowledged"), db.query("SELECT state FROM alarms", rs -> rs.getString(1)));
        }
    }

    /** A database someone already changed by hand (no by_user column, by_role there) still migrates. */
    @Test
    void aDatabaseChangedByHandStillMigrates() throws Exception {
        Path f = releaseFile();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE alarms DROP COLUMN by_user");
            s.execute("ALTER TABLE alarms ADD COLUMN by_role TEXT");
        }
        try (CityDatabase db = CityDatabase.open("jdbc:sqlite:" + f)) {
            assertEquals(8, db.count("messages"));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            assertEquals(3, Schema.MIGRATIONS.version(c));
            assertFalse(SchemaMigrations.hasColumn(c, "alarms", "note"));
        }
    }
}
