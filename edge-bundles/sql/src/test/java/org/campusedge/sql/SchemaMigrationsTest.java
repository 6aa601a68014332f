package org.campusedge.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner on real SQLite files, both ways of keeping the version. */
class SchemaMigrationsTest {

    @TempDir
    Path dir;

    private Connection open() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.db"));
    }

    private static List<SchemaMigrations.Step> steps(int n) {
        List<SchemaMigrations.Step> out = new ArrayList<>();
        out.add(new SchemaMigrations.Step(1, "rows", SchemaMigrations.statements("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, v TEXT)")));
        if (n >= 2) {
            out.add(new SchemaMigrations.Step(2, "a column", SchemaMigrations.statements("ALTER TABLE rows ADD COLUMN w TEXT")));
        }
        if (n >= 3) {
            out.add(new SchemaMigrations.Step(3, "an index", SchemaMigrations.statements("CREATE INDEX rows_by_w ON rows(w)")));
        }
        return out;
    }

    private static boolean tableExists(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = '" + name + "'")) {
            return rs.next();
        }
    }

    @Test
    void aNewDatabaseGetsEveryStepAndASecondRunNone() throws Exception {
        for (SchemaMigrations.Kept kept : SchemaMigrations.Kept.values()) {
            java.nio.file.Files.deleteIfExists(dir.resolve("m.db"));
            try (Connection c = open()) {
                SchemaMigrations m = new SchemaMigrations("test db", kept, steps(3));
                SchemaMigrations.Result r = m.migrate(c);
                assertEquals(0, r.from());
                assertEquals(3, r.to());
                assertEquals(3, r.applied().size());
                assertEquals(3, m.version(c));
                assertFalse(m.migrate(c).changed(), kept.name());
                assertTrue(SchemaMigrations.hasColumn(c, "rows", "w"));
                assertTrue(c.getAutoCommit(), "the connection is left in the mode it was found in");
            }
        }
    }

    @Test
    void anOlderDatabaseGetsOnlyTheNewStepsAndKeepsItsRows() throws Exception {
        try (Connection c = open()) {
            new SchemaMigrations("test db", SchemaMigrations.Kept.USER_VERSION, steps(1)).migrate(c);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO rows (v) VALUES ('kept')");
            }
        }
        try (Connection c = open()) {
            SchemaMigrations.Result r = new SchemaMigrations("test db", SchemaMigrations.Kept.USER_VERSION, steps(3)).migrate(c);
            assertEquals(1, r.from());
            assertEquals(List.of(2, 3), r.applied().stream().map(SchemaMigrations.Step::version).toList());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM rows")) {
                assertTrue(rs.next());
                assertEquals("kept", rs.getString(1));
            }
        }
    }

    /** A step that does part of its work and then fails leaves nothing of it, and the version where it was. */
    @Test
    void aFailedStepLeavesTheDatabaseAtTheLastWholeStep() throws Exception {
        for (SchemaMigrations.Kept kept : SchemaMigrations.Kept.values()) {
            java.nio.file.Files.deleteIfExists(dir.resolve("m.db"));
            try (Connection c = open()) {
                new SchemaMigrations("test db", kept, steps(1)).migrate(c);
            }
            List<SchemaMigrations.Step> broken = new ArrayList<>(steps(2));
            broken.add(new SchemaMigrations.Step(3, "half done", c -> {
                SchemaMigrations.statements("CREATE TABLE half (x)", "INSERT INTO rows (v) VALUES ('from the broken step')").apply(c);
                throw new SQLException("disk full (simulated)");
            }));
            SchemaMigrations m = new SchemaMigrations("test db", kept, broken);
            try (Connection c = open()) {
                SQLException e = assertThrows(SQLException.class, () -> m.migrate(c));
                assertTrue(e.getMessage().contains("to schema 3 (half done) failed, so it is left as it was, at schema 2"), e.getMessage());
                assertEquals(2, m.version(c), kept.name());
                assertFalse(tableExists(c, "half"));
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM rows")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "the broken step's row is gone with it");
                }
                assertTrue(SchemaMigrations.hasColumn(c, "rows", "w"), "step 2 was whole and stays");
            }
        }
    }

    @Test
    void aDatabaseFromANewerReleaseIsRefused() throws Exception {
        try (Connection c = open()) {
            new SchemaMigrations("test db", SchemaMigrations.Kept.USER_VERSION, steps(3)).migrate(c);
        }
        try (Connection c = open()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> new SchemaMigrations("the event store", SchemaMigrations.Kept.USER_VERSION, steps(2)).migrate(c));
            assertTrue(e.getMessage().startsWith("the event store was written by a newer release (schema 3; this release knows up to 2)"),
                    e.getMessage());
        }
    }

    @Test
    void stepsMustBeNumberedInOrder() {
        List<SchemaMigrations.Step> gap = List.of(steps(1).get(0), new SchemaMigrations.Step(3, "x", c -> { }));
        assertThrows(IllegalArgumentException.class, () -> new SchemaMigrations("x", SchemaMigrations.Kept.TABLE, gap));
    }
}
