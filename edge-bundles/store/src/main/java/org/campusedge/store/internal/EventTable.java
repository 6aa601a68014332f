package org.campusedge.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;
import org.campusedge.api.json.EventCodec;
import org.campusedge.sql.SchemaMigrations;

/**
 * The {@code events} table, its {@code devices} dimension and the {@code event_log} view that joins
 * them back into whole events (the one to use from the sqlite3 shell).
 *
 * <p>Why the split: what an event says about its device (school, profile, building, floor, room,
 * zone) is the same for every reading of that device, and repeated on each row it was two thirds of
 * the bytes. At 100,000 readings a second the store is bound by how much it writes to the WAL and
 * checkpoints, so an event row keeps a small {@code device_ref} into {@code devices}, which gets a
 * new row only when a device's details change (an inventory edit), so history keeps the location
 * an event had when it happened. Measurements are SenML JSON without the time when it equals the
 * event's {@code occurred_at}; times are epoch milliseconds.
 */
final class EventTable {

    static final String INSERT = "INSERT OR IGNORE INTO events(id, occurred_at, received_at, device_ref, kind,"
            + " severity, measurements, attributes) VALUES (?,?,?,?,?,?,?,?)";

    /** The condition of the partial device index; repeated literally in queries that may use it. */
    static final String NOT_READING = "e.kind NOT GLOB '*.reading'";

    private static final String SELECT = "SELECT e.id, e.occurred_at, e.received_at, d.school_id, d.device_id,"
            + " d.profile_id, e.kind, e.severity, d.building, d.floor, d.room, d.zone, e.measurements, e.attributes"
            + " FROM events e JOIN devices d ON d.ref = e.device_ref";

    private EventTable() {
    }

    /** The expression (and, below, the condition) of the card index; repeated literally in the queries that use it. */
    static final String CARD = "json_extract(attributes, '$.card')";
    static final String CARD_KINDS = "kind GLOB 'card.*'";

    /**
     * The store's schema, step by step (kept in {@code PRAGMA user_version}): a new file gets them all,
     * an older one the steps after its version, each in its own transaction; a file from a newer
     * gateway is refused.
     */
    static final SchemaMigrations MIGRATIONS = new SchemaMigrations("the event store", SchemaMigrations.Kept.USER_VERSION, List.of(
            new SchemaMigrations.Step(1, "nothing: schema 1 was a pre-release layout, refused by step 2", c -> { }),
            new SchemaMigrations.Step(2, "events and their devices dimension", EventTable::createEvents),
            new SchemaMigrations.Step(3, "the tamper-evident trail", c -> {
                try (Statement s = c.createStatement()) {
                    Trail.create(s);
                }
            }),
            // a data-protection officer's subject-access export and erasure find one card's events
            // without reading every event; partial, so only card events pay for it
            new SchemaMigrations.Step(4, "an index of card events by pseudonym", SchemaMigrations.statements(
                    "CREATE INDEX IF NOT EXISTS events_by_card ON events(" + CARD + ") WHERE " + CARD_KINDS)),
            // what is kept of card events once retention deletes them: counts, never a card
            new SchemaMigrations.Step(5, "hourly card counts per reader", SchemaMigrations.statements(
                    "CREATE TABLE IF NOT EXISTS card_counts (hour INTEGER NOT NULL, device_ref INTEGER NOT NULL REFERENCES devices(ref),"
                            + " kind TEXT NOT NULL, direction TEXT NOT NULL, n INTEGER NOT NULL,"
                            + " PRIMARY KEY (hour, device_ref, kind, direction)) WITHOUT ROWID",
                    "CREATE VIEW IF NOT EXISTS card_counts_log AS SELECT strftime('%Y-%m-%d %H:00', k.hour * 3600, 'unixepoch') AS hour_utc,"
                            + " d.device_id, d.building, d.zone, k.kind, k.direction, k.n FROM card_counts k JOIN devices d ON d.ref = k.device_ref"))));

    /** Brings the file to the latest schema; refuses a file from a newer gateway. */
    static SchemaMigrations.Result migrate(Connection c) throws SQLException {
        return MIGRATIONS.migrate(c);
    }

    private static void createEvents(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pragma_table_info('events') WHERE name IN ('device_id', 'school_id')")) {
                if (rs.next()) {
                    throw new SQLException("the event store was written by a pre-release build (schema 1) whose layout"
                            + " is not migrated; move the file away and the gateway starts a new one");
                }
            }
            s.executeUpdate("CREATE TABLE IF NOT EXISTS devices ("
                    + " ref INTEGER PRIMARY KEY,"
                    + " device_id TEXT NOT NULL, school_id TEXT NOT NULL, profile_id TEXT,"
                    + " building TEXT, floor TEXT, room TEXT, zone TEXT)");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS devices_by_id ON devices(device_id)");
            // id is a ULID: time-ordered, so rows append at the right of the primary key
            s.executeUpdate("CREATE TABLE IF NOT EXISTS events ("
                    + " id TEXT PRIMARY KEY NOT NULL,"
                    + " occurred_at INTEGER NOT NULL,"
                    + " received_at INTEGER NOT NULL,"
                    + " device_ref INTEGER NOT NULL REFERENCES devices(ref),"
                    + " kind TEXT NOT NULL,"
                    + " severity INTEGER NOT NULL,"
                    + " measurements TEXT,"
                    + " attributes TEXT"
                    + ") WITHOUT ROWID");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS events_by_time ON events(occurred_at)");
            s.executeUpdate("CREATE INDEX IF NOT EXISTS events_by_kind ON events(kind, occurred_at)");
            // Readings are left out of the device index on purpose: a hundred sensors reporting at once
            // insert at a hundred places of a (device, time) index, so every group commit dirtied a
            // page per sensor and the store made readings durable at a third of the rate. A device's
            // readings are found through the time or kind index instead.
            s.executeUpdate("CREATE INDEX IF NOT EXISTS events_by_device ON events(device_ref, occurred_at)"
                    + " WHERE kind NOT GLOB '*.reading'");
            s.executeUpdate("CREATE VIEW IF NOT EXISTS event_log AS SELECT e.id, strftime('%Y-%m-%d %H:%M:%f',"
                    + " e.occurred_at / 1000.0, 'unixepoch') AS occurred_utc, e.occurred_at, e.received_at, d.school_id, d.device_id,"
                    + " d.profile_id, e.kind, e.severity, d.building, d.floor, d.room, d.zone, e.measurements,"
                    + " e.attributes FROM events e JOIN devices d ON d.ref = e.device_ref");
        }
    }

    /**
     * An event ready for the INSERT: its JSON columns are encoded when it is made, on the producer's
     * thread, so that the single writer thread only binds and steps.
     */
    record Row(CampusEvent event, String measurements, String attributes) {
        static Row of(CampusEvent e) {
            return new Row(e, e.measurements().isEmpty() ? null : EventCodec.measurementsToJson(e.measurements(), e.occurredAt()),
                    e.attributes().isEmpty() ? null : EventCodec.attributesToJson(e.attributes()));
        }
    }

    /** Binds one row to the {@link #INSERT} statement and adds it to the batch. */
    static void bind(PreparedStatement ps, Row row, long deviceRef) throws SQLException {
        CampusEvent e = row.event();
        ps.setString(1, e.id());
        ps.setLong(2, e.occurredAt().toEpochMilli());
        ps.setLong(3, e.receivedAt().toEpochMilli());
        ps.setLong(4, deviceRef);
        ps.setString(5, e.kind());
        ps.setInt(6, e.severity().ordinal());
        setNullable(ps, 7, row.measurements());
        setNullable(ps, 8, row.attributes());
        ps.addBatch();
    }

    static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    /** A card's events under any of the pseudonyms, oldest first (through the card index). */
    static List<CampusEvent> cardEvents(Connection c, java.util.Collection<String> pseudonyms) throws SQLException {
        List<String> list = List.copyOf(pseudonyms);
        if (list.isEmpty()) {
            return List.of();
        }
        String sql = SELECT + " WHERE e." + CARD_KINDS + " AND json_extract(e.attributes, '$.card') IN ("
                + String.join(",", java.util.Collections.nCopies(list.size(), "?")) + ") ORDER BY e.occurred_at, e.id";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < list.size(); i++) {
                ps.setString(i + 1, list.get(i));
            }
            List<CampusEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    /**
     * Deletes a card's events under any of the pseudonyms; how many. With {@code secure_delete} on for
     * this statement, SQLite overwrites the deleted rows' bytes instead of leaving them in free pages.
     */
    static int eraseCardEvents(Connection c, List<String> pseudonyms) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA secure_delete = ON");
            try {
                return deleteCardEvents(c, pseudonyms);
            } finally {
                s.execute("PRAGMA secure_delete = OFF");
            }
        }
    }

    private static int deleteCardEvents(Connection c, List<String> pseudonyms) throws SQLException {
        String sql = "DELETE FROM events WHERE " + CARD_KINDS + " AND " + CARD + " IN ("
                + String.join(",", java.util.Collections.nCopies(pseudonyms.size(), "?")) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < pseudonyms.size(); i++) {
                ps.setString(i + 1, pseudonyms.get(i));
            }
            return ps.executeUpdate();
        }
    }

    static List<CampusEvent> query(Connection c, EventQuery q) throws SQLException {
        List<Object> args = new ArrayList<>();
        String sql = SELECT + where(q, args) + (q.newestFirst() ? " ORDER BY e.occurred_at DESC, e.id DESC" : " ORDER BY e.occurred_at, e.id")
                + (q.limit() > 0 ? " LIMIT " + q.limit() : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindArgs(ps, args);
            List<CampusEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    static long count(Connection c, EventQuery q) throws SQLException {
        List<Object> args = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM events e JOIN devices d ON d.ref = e.device_ref"
                + where(q, args))) {
            bindArgs(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Deletes up to {@code limit} readings (kinds ending in {@code .reading}) received before the
     * cutoff. Ids are time-ordered by the gateway clock, so the primary key finds them without
     * trusting device clocks.
     */
    /**
     * Deletes up to {@code limit} events of the kinds (GLOB patterns) from before the cutoff. A
     * pattern with a fixed prefix ({@code card.*}) walks the kind index; one without ({@code *.reading})
     * walks the ids, oldest first, which is where such rows are.
     */
    static int deleteBefore(Connection c, List<String> kinds, String idCutoff, int limit) throws SQLException {
        int total = 0;
        for (String kind : kinds) {
            boolean prefixed = !kind.startsWith("*");
            // an event in the trail goes only with its link (Trail.expire): never a hole in the chain
            String untrailed = Trail.chained(kind.replace("*", "x")) ? " AND id NOT IN (SELECT event_id FROM trail)" : "";
            try (PreparedStatement ps = c.prepareStatement(prefixed
                    ? "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE kind GLOB ? AND id < ?" + untrailed + " LIMIT ?)"
                    : "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id < ? AND kind GLOB ?" + untrailed + " LIMIT ?)")) {
                int i = 1;
                if (prefixed) {
                    ps.setString(i++, kind);
                    ps.setString(i++, idCutoff);
                } else {
                    ps.setString(i++, idCutoff);
                    ps.setString(i++, kind);
                }
                ps.setInt(i, limit - total);
                total += ps.executeUpdate();
            }
            if (total >= limit) {
                break;
            }
        }
        return total;
    }

    /**
     * Deletes up to {@code limit} card events from before the cutoff, first adding them to the hourly
     * counts per reader, kind and direction ({@code card_counts}), in the caller's transaction: the
     * swipes go, the attendance figures stay. Returns how many were deleted.
     */
    static int countAndDeleteCardsBefore(Connection c, String idCutoff, int limit) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE IF NOT EXISTS expiring_cards (id TEXT PRIMARY KEY) WITHOUT ROWID");
            s.execute("DELETE FROM expiring_cards");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO expiring_cards SELECT id FROM events WHERE " + CARD_KINDS
                + " AND id < ? LIMIT ?")) {
            ps.setString(1, idCutoff);
            ps.setInt(2, limit);
            ps.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
            // WHERE true: an INSERT ... SELECT with an upsert needs a WHERE for SQLite to parse ON CONFLICT as the upsert's
            s.executeUpdate("INSERT INTO card_counts (hour, device_ref, kind, direction, n) SELECT occurred_at / 3600000, device_ref, kind,"
                    + " ifnull(json_extract(attributes, '$.direction'), ''), count(*) FROM events WHERE true AND id IN (SELECT id FROM expiring_cards)"
                    + " GROUP BY 1, 2, 3, 4 ON CONFLICT (hour, device_ref, kind, direction) DO UPDATE SET n = n + excluded.n");
            return s.executeUpdate("DELETE FROM events WHERE id IN (SELECT id FROM expiring_cards)");
        }
    }

    /** Deletes up to {@code limit} events from before the cutoff whose kind matches none of {@code classified}. */
    static int deleteOthersBefore(Connection c, List<String> classified, String idCutoff, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id < ?");
        for (int i = 0; i < classified.size(); i++) {
            sql.append(" AND kind NOT GLOB ?");
        }
        sql.append(" LIMIT ?)");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, idCutoff);
            for (String k : classified) {
                ps.setString(i++, k);
            }
            ps.setInt(i, limit);
            return ps.executeUpdate();
        }
    }

    private static String where(EventQuery q, List<Object> args) {
        StringBuilder w = new StringBuilder();
        boolean newestCursor = q.afterId() != null && q.newestFirst();
        if (q.from() != null && q.afterId() != null && !newestCursor) {
            // a row-value comparison: SQLite walks the (kind, occurred_at) or time index from the cursor on
            and(w).append("e.occurred_at >= ? AND (e.occurred_at, e.id) > (?, ?)");
            args.add(q.from().toEpochMilli());
            args.add(q.from().toEpochMilli());
            args.add(q.afterId());
        } else if (q.from() != null) {
            and(w).append("e.occurred_at >= ?");
            args.add(q.from().toEpochMilli());
        }
        if (newestCursor) {
            // a timeline's next page: back from the cursor, the same index walked the other way
            and(w).append("e.occurred_at <= ? AND (e.occurred_at, e.id) < (?, ?)");
            args.add(q.to().toEpochMilli());
            args.add(q.to().toEpochMilli());
            args.add(q.afterId());
        } else if (q.to() != null) {
            and(w).append("e.occurred_at < ?");
            args.add(q.to().toEpochMilli());
        }
        if (q.deviceId() != null) {
            and(w).append("d.device_id = ?");
            args.add(q.deviceId());
        }
        if (q.building() != null) {
            and(w).append("d.building = ?");
            args.add(q.building());
        }
        if (q.kind() != null) {
            and(w).append(q.kind().contains("*") ? "e.kind GLOB ?" : "e.kind = ?");
            args.add(q.kind());
            if (q.deviceId() != null && !q.kind().endsWith(".reading")) {
                and(w).append(NOT_READING); // lets SQLite use the partial device index
            }
        }
        return w.length() == 0 ? "" : " WHERE " + w;
    }

    private static StringBuilder and(StringBuilder w) {
        return w.length() == 0 ? w : w.append(" AND ");
    }

    private static void bindArgs(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    private static CampusEvent read(ResultSet rs) throws SQLException {
        Instant occurred = Instant.ofEpochMilli(rs.getLong(2));
        String measurements = rs.getString(13);
        String attributes = rs.getString(14);
        List<Measurement> ms = measurements == null ? null : EventCodec.measurementsFromJson(measurements, occurred);
        return CampusEvent.builder()
                .id(rs.getString(1))
                .occurredAt(occurred)
                .receivedAt(Instant.ofEpochMilli(rs.getLong(3)))
                .schoolId(rs.getString(4))
                .deviceId(rs.getString(5))
                .profileId(rs.getString(6))
                .kind(rs.getString(7))
                .severity(Severity.values()[rs.getInt(8)])
                .location(new Location(rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12)))
                .measurements(ms)
                .attributes(attributes == null ? null : EventCodec.attributesFromJson(attributes))
                .build();
    }
}
