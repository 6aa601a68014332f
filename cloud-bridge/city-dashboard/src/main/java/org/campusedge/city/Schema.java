package org.campusedge.city;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The dashboard's tables, in SQL that both SQLite and PostgreSQL accept. Times are epoch milliseconds
 * ({@code BIGINT}); booleans are {@code INTEGER} 0/1. Ids from the schools (message ids, alarm ids) are unique
 * per school only, so the school is part of their keys.
 */
final class Schema {

    static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS messages (school TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,"
                    + " device TEXT, time BIGINT, received_at_ms BIGINT NOT NULL, payload TEXT NOT NULL,"
                    + " PRIMARY KEY (school, id))",
            "CREATE INDEX IF NOT EXISTS messages_by_id ON messages (id)",
            "CREATE INDEX IF NOT EXISTS messages_by_received ON messages (received_at_ms)",
            "CREATE TABLE IF NOT EXISTS schools (id TEXT PRIMARY KEY, name TEXT, district TEXT, enrolment INTEGER,"
                    + " gateway TEXT NOT NULL, last_seen_ms BIGINT, connected INTEGER)",
            "CREATE TABLE IF NOT EXISTS energy (school TEXT NOT NULL, building TEXT NOT NULL, period_start BIGINT NOT NULL,"
                    + " period_end BIGINT NOT NULL, kwh DOUBLE PRECISION, peak_kw DOUBLE PRECISION,"
                    + " PRIMARY KEY (school, building, period_start))",
            "CREATE INDEX IF NOT EXISTS energy_by_period ON energy (period_start)",
            "CREATE TABLE IF NOT EXISTS alarm_counts (school TEXT NOT NULL, period_start BIGINT NOT NULL, rule TEXT NOT NULL,"
                    + " severity TEXT NOT NULL, raised INTEGER NOT NULL, cleared INTEGER NOT NULL, open INTEGER NOT NULL,"
                    + " PRIMARY KEY (school, period_start, rule, severity))",
            "CREATE INDEX IF NOT EXISTS alarm_counts_by_period ON alarm_counts (period_start)",
            "CREATE TABLE IF NOT EXISTS alarms (school TEXT NOT NULL, alarm_id TEXT NOT NULL, rule TEXT, severity TEXT,"
                    + " kind TEXT, device TEXT, building TEXT, state TEXT NOT NULL, message TEXT, raised_at BIGINT,"
                    + " updated_at BIGINT NOT NULL, by_user TEXT, note TEXT, drill TEXT, during_drill TEXT, trigger_id TEXT, ledger TEXT,"
                    + " PRIMARY KEY (school, alarm_id))",
            "CREATE INDEX IF NOT EXISTS alarms_by_state ON alarms (state)",
            "CREATE TABLE IF NOT EXISTS health (school TEXT NOT NULL, family TEXT NOT NULL, online INTEGER NOT NULL,"
                    + " offline INTEGER NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (school, family, at))",
            "CREATE INDEX IF NOT EXISTS health_by_school ON health (school, at)",
            "CREATE TABLE IF NOT EXISTS attendance (school TEXT NOT NULL, period_start BIGINT NOT NULL, gate TEXT NOT NULL,"
                    + " in_count INTEGER NOT NULL, out_count INTEGER NOT NULL, PRIMARY KEY (school, period_start, gate))",
            "CREATE TABLE IF NOT EXISTS lab (school TEXT NOT NULL, period_start BIGINT NOT NULL, readings BIGINT NOT NULL,"
                    + " active_kits INTEGER NOT NULL, recordings INTEGER NOT NULL, PRIMARY KEY (school, period_start))",
            "CREATE TABLE IF NOT EXISTS commands (id TEXT PRIMARY KEY, batch TEXT, school TEXT NOT NULL, command TEXT NOT NULL,"
                    + " body TEXT, sent_at_ms BIGINT NOT NULL, status TEXT NOT NULL, code INTEGER, response TEXT,"
                    + " answered_at_ms BIGINT, issued_by TEXT)",
            "CREATE INDEX IF NOT EXISTS commands_by_batch ON commands (batch)");

    private Schema() {
    }

    /** Creates whatever is missing. */
    static void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String ddl : DDL) {
                st.execute(ddl);
            }
        }
        // columns added since the first release: a database made before gets them (once; it fails when one is there)
        addColumn(c, "ALTER TABLE commands ADD COLUMN issued_by TEXT");
        addColumn(c, "ALTER TABLE alarms ADD COLUMN drill TEXT");
        addColumn(c, "ALTER TABLE alarms ADD COLUMN during_drill TEXT");
        addColumn(c, "ALTER TABLE alarms ADD COLUMN trigger_id TEXT");
        addColumn(c, "ALTER TABLE alarms ADD COLUMN ledger TEXT");
    }

    private static void addColumn(Connection c, String ddl) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute(ddl);
        } catch (SQLException alreadyThere) {
            // the column exists
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
