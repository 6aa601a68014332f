package org.campusedge.city;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.campusedge.sql.SchemaMigrations;

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

    /**
     * The dashboard's schema, step by step, in a {@code schema_version} table (PostgreSQL has no
     * user_version). Step 1 adopts a database made before versioning: it creates what is missing and
     * adds the columns the first releases lacked.
     */
    static final SchemaMigrations MIGRATIONS = new SchemaMigrations("the city database", SchemaMigrations.Kept.TABLE, List.of(
            new SchemaMigrations.Step(1, "the dashboard's tables", Schema::tables),
            new SchemaMigrations.Step(2, "roles, not people: an alarm says which role acknowledged it, never who nor their note",
                    Schema::rolesNotPeople),
            new SchemaMigrations.Step(3, "broadcasts kept until they expire: retried for each school until it answers",
                    Schema::broadcasts)));

    private Schema() {
    }

    /** The lock several dashboard instances take on one PostgreSQL database, so only one of them migrates it at a time. */
    static final long MIGRATION_LOCK = 0x63697479L; // "city"

    /**
     * Brings the schema up to date. On PostgreSQL, under a session advisory lock: dashboard instances that start
     * together on a fresh database would otherwise create the same tables at once, and all but one fail.
     */
    static void migrate(Connection c, boolean postgres) throws SQLException {
        if (!postgres) {
            create(c); // SQLite: one writer at a time; the file's lock serialises the migration
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                create(c);
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    /** Brings the database to the latest schema; refuses one from a newer dashboard. */
    static SchemaMigrations.Result create(Connection c) throws SQLException {
        return MIGRATIONS.migrate(c);
    }

    private static void tables(Connection c) throws SQLException {
        SchemaMigrations.statements(DDL.toArray(String[]::new)).apply(c);
        // columns added before versioning: a database made by the first releases gets them
        for (String[] column : new String[][] {{"commands", "issued_by"}, {"alarms", "drill"}, {"alarms", "during_drill"},
                {"alarms", "trigger_id"}, {"alarms", "ledger"}}) {
            if (!SchemaMigrations.hasColumn(c, column[0], column[1])) {
                SchemaMigrations.statements("ALTER TABLE " + column[0] + " ADD COLUMN " + column[1] + " TEXT").apply(c);
            }
        }
    }

    /**
     * Schools sent the login of whoever acknowledged an alarm and their free-text note; the city
     * needs neither (PIPL: what leaves the school names roles, not people). The columns go, a role
     * column comes, and the copies kept in the messages table lose the two fields too.
     */
    private static void rolesNotPeople(Connection c) throws SQLException {
        // each only where it applies: a database some hand already changed still migrates
        if (!SchemaMigrations.hasColumn(c, "alarms", "by_role")) {
            SchemaMigrations.statements("ALTER TABLE alarms ADD COLUMN by_role TEXT").apply(c);
        }
        for (String column : new String[] {"by_user", "note"}) {
            if (SchemaMigrations.hasColumn(c, "alarms", column)) {
                SchemaMigrations.statements("ALTER TABLE alarms DROP COLUMN " + column).apply(c);
            }
        }
        List<String[]> scrubbed = new java.util.ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT school, id, payload FROM messages WHERE type = ?")) {
            ps.setString(1, CloudEvent.ALARM);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String payload = rs.getString(3);
                    String clean = PeopleOut.scrub(payload);
                    if (!clean.equals(payload)) {
                        scrubbed.add(new String[] {clean, rs.getString(1), rs.getString(2)});
                    }
                }
            }
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("UPDATE messages SET payload = ? WHERE school = ? AND id = ?")) {
            for (String[] row : scrubbed) {
                ps.setString(1, row[0]);
                ps.setString(2, row[1]);
                ps.setString(3, row[2]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * A broadcast and, per school, where it stands: {@code pending} until the school's gateway confirms it
     * ({@code confirmed}, a 2xx answer) or refuses it ({@code refused}, a 4xx answer); a pending school is tried
     * again at {@code next_try_at_ms} until the broadcast expires. {@code attempts} counts the sends.
     */
    private static void broadcasts(Connection c) throws SQLException {
        SchemaMigrations.statements(
                "CREATE TABLE IF NOT EXISTS broadcasts (batch TEXT PRIMARY KEY, command TEXT NOT NULL, body TEXT NOT NULL,"
                        + " issued_by TEXT, issued_at_ms BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS broadcast_targets (batch TEXT NOT NULL, school TEXT NOT NULL, state TEXT NOT NULL,"
                        + " attempts INTEGER NOT NULL, next_try_at_ms BIGINT NOT NULL, code INTEGER, response TEXT,"
                        + " answered_at_ms BIGINT, PRIMARY KEY (batch, school))",
                "CREATE INDEX IF NOT EXISTS broadcast_targets_due ON broadcast_targets (state, next_try_at_ms)").apply(c);
    }
}
