package org.campusedge.sql;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Versioned schema migrations for one database: an ordered list of steps, version 1, 2, 3, ...; a
 * database at version {@code n} gets the steps after {@code n}, each in a transaction of its own
 * that also records the new version, so a step that fails, or a process killed in the middle of
 * one, leaves the database exactly as it was before that step. A database written by a newer
 * release (a version this list does not reach) is refused, never opened.
 *
 * <p>Where the version is kept: SQLite files the gateway owns keep it in {@code PRAGMA user_version}
 * (their releases before migrations already did); the city's database, SQLite or PostgreSQL, in a
 * {@code schema_version} table. A database made before versioning (version 0, tables present) is
 * adopted by step 1, which therefore creates only what is missing.
 *
 * <p>Why not Flyway (served): inside OSGi it finds migrations by scanning the class path of the
 * bundle that calls it, which needs extra wiring per bundle; four databases with a handful of steps
 * each are served by these hundred lines and their tests.
 */
public final class SchemaMigrations {

    /** The work of one step, on a connection in a transaction; throw to undo it. */
    @FunctionalInterface
    public interface Work {
        void apply(Connection c) throws SQLException;
    }

    /** One step: the version it brings the database to, what it does (for the log), its work. */
    public record Step(int version, String what, Work work) {
    }

    /** Where a database keeps its version. */
    public enum Kept {
        /** SQLite's {@code PRAGMA user_version} (transactional, in the file's header). */
        USER_VERSION,
        /** A {@code schema_version} table: one row per step applied (any SQL database). */
        TABLE
    }

    /** What {@link #migrate} did: the version found, the version left, the steps applied. */
    public record Result(int from, int to, List<Step> applied) {
        public boolean changed() {
            return !applied.isEmpty();
        }
    }

    private final String database;
    private final Kept kept;
    private final List<Step> steps;

    /**
     * @param database what the database is, for messages ("the event store")
     * @param steps    versions 1..n in order, none missing
     */
    public SchemaMigrations(String database, Kept kept, List<Step> steps) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).version() != i + 1) {
                throw new IllegalArgumentException(database + ": step " + (i + 1) + " is numbered " + steps.get(i).version());
            }
        }
        this.database = database;
        this.kept = kept;
        this.steps = List.copyOf(steps);
    }

    /** The steps, in order. */
    public List<Step> steps() {
        return steps;
    }

    /** The version this release writes. */
    public int latest() {
        return steps.size();
    }

    /**
     * Brings the database to {@link #latest()}. Leaves the connection in auto-commit mode as it found
     * it. Throws, with the database unchanged since the last whole step, when a step fails; refuses a
     * database of a newer version.
     */
    public Result migrate(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try {
            c.setAutoCommit(true);
            if (kept == Kept.TABLE) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, what TEXT NOT NULL,"
                            + " applied_at_ms BIGINT NOT NULL)");
                }
            }
            int from = version(c);
            if (from > latest()) {
                throw new SQLException(database + " was written by a newer release (schema " + from + "; this release knows up to "
                        + latest() + "). Run the newer release again, or restore the backup taken before the upgrade"
                        + " (bin/campus-edge rollback does both).");
            }
            List<Step> applied = new ArrayList<>();
            for (Step step : steps.subList(from, steps.size())) {
                c.setAutoCommit(false);
                try {
                    step.work().apply(c);
                    record(c, step);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    int at = from + applied.size();
                    throw new SQLException("migrating " + database + " to schema " + step.version() + " (" + step.what()
                            + ") failed, so it is left as it was, at schema " + at + ": " + e.getMessage(), e);
                } finally {
                    c.setAutoCommit(true);
                }
                applied.add(step);
            }
            return new Result(from, latest(), List.copyOf(applied));
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The database's version now: 0 for a new or never-versioned database. */
    public int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (kept == Kept.USER_VERSION) {
                try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private void record(Connection c, Step step) throws SQLException {
        if (kept == Kept.USER_VERSION) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("PRAGMA user_version = " + step.version());
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, what, applied_at_ms) VALUES (?, ?, ?)")) {
            ps.setInt(1, step.version());
            ps.setString(2, step.what());
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    /** Whether {@code table} has {@code column} (for a step that adds a column an older file may already have). */
    public static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String schema; // PostgreSQL: the connection's own schema, not a same-named table elsewhere
        try {
            schema = c.getSchema();
        } catch (SQLException | AbstractMethodError e) {
            schema = null;
        }
        for (String t : new String[] {table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT)}) {
            try (ResultSet rs = md.getColumns(null, schema, t, null)) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME").equalsIgnoreCase(column)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Runs each statement in order (a step made only of DDL). */
    public static Work statements(String... sql) {
        return c -> {
            try (Statement s = c.createStatement()) {
                for (String one : sql) {
                    s.execute(one);
                }
            }
        };
    }
}
