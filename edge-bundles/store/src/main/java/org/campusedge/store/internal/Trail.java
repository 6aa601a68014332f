package org.campusedge.store.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * The tamper-evident trail: every alarm transition and audit record ({@code alarm.*}, {@code
 * audit.*}) is a link of a hash chain as it is stored, in the same transaction as its row. Link
 * {@code n}'s hash is SHA-256 of link {@code n-1}'s hash and the event as stored (id, times, device,
 * kind, severity, its JSON columns), so editing, removing, adding or reordering an event, or a link,
 * breaks the chain at that point, and {@link #verify} says where. Retention removes whole old
 * segments: the trail then starts at an anchor, the last removed link's hash, which the summaries
 * sent to the city witnessed while it was the head. The anchor and a chain recomputed from it are as
 * good as the file's keeper is honest: the city's witnesses are what such a rewrite fails against.
 *
 * <p>The store's single writer appends and expires; {@link #verify} reads on its own connection, in
 * one transaction.
 */
final class Trail {

    static final String GENESIS = "0".repeat(64);

    /** Where the chain stands: the last link's number and hash (0 and the anchor's or genesis hash when empty). */
    record Head(long seq, String hash) {
    }

    /** The outcome of a check: links checked, and the first broken one (0 when none) with why. */
    record Check(long links, long brokenAt, String eventId, String problem, Head head) {
        boolean intact() {
            return brokenAt == 0;
        }
    }

    static void create(Statement s) throws SQLException {
        s.executeUpdate("CREATE TABLE IF NOT EXISTS trail (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, hash TEXT NOT NULL)");
        // the link just before the first one kept (retention removed the older ones), or nothing: genesis
        s.executeUpdate("CREATE TABLE IF NOT EXISTS trail_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"
                + " hash TEXT NOT NULL)");
    }

    static boolean chained(String kind) {
        return kind.startsWith("alarm.") || kind.startsWith("audit.");
    }

    private final PreparedStatement insert;
    private volatile Head head;
    private Head pending;

    Trail(Connection c) throws SQLException {
        // OR REPLACE: a stray row at the next number (planted in the file) must never fail the commit that carries alarms
        this.insert = c.prepareStatement("INSERT OR REPLACE INTO trail (seq, event_id, hash) VALUES (?, ?, ?)");
        this.head = head(c);
        this.pending = head;
    }

    /** The chain's head in the database. */
    static Head head(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1")) {
            if (rs.next()) {
                return new Head(rs.getLong(1), rs.getString(2));
            }
        }
        return anchor(c);
    }

    private static Head anchor(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT seq, hash FROM trail_anchor WHERE id = 1")) {
            return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : new Head(0, GENESIS);
        }
    }

    /**
     * Links the alarm and audit rows of the current transaction's batch and writes the links (before
     * its commit). Only what was stored is linked: a duplicate the INSERT OR IGNORE skipped
     * ({@code inserted[i] == 0}) is in the trail already.
     */
    void linkStored(java.util.List<EventTable.Row> rows, int[] inserted) throws SQLException {
        for (int i = 0; i < rows.size(); i++) {
            if (chained(rows.get(i).event().kind()) && (i >= inserted.length || inserted[i] != 0)) {
                link(rows.get(i));
            }
        }
        if (pending.seq() != head.seq()) {
            insert.executeBatch();
        }
    }

    /** Adds the next link for an event inserted in the current transaction. */
    private void link(EventTable.Row row) throws SQLException {
        var e = row.event();
        String hash = hash(pending.hash(), e.id(), e.occurredAt().toEpochMilli(), e.receivedAt().toEpochMilli(), Place.of(e), e.kind(),
                e.severity().ordinal(), row.measurements(), row.attributes());
        pending = new Head(pending.seq() + 1, hash);
        insert.setLong(1, pending.seq());
        insert.setString(2, e.id());
        insert.setString(3, hash);
        insert.addBatch();
    }

    /** The transaction committed: its links are the chain now. */
    void committed() {
        head = pending;
    }

    /**
     * The transaction failed: its links are gone with it. The head is read again from the database
     * (once the transaction is restarted): a commit reported failed may still have persisted.
     */
    void rolledBack(Connection c) {
        try {
            insert.clearBatch();
            head = head(c);
        } catch (SQLException e) {
            // the logger is looked up here, not held: the command line (bin/campus-edge verify) runs without slf4j
            org.slf4j.LoggerFactory.getLogger(Trail.class).warn("The trail's head could not be read again: {}", e.getMessage());
        }
        pending = head;
    }

    Head current() {
        return head;
    }

    /**
     * The trail as the admin page and the city's witness see it: checked link by link on {@code reader}
     * in one snapshot (an expiry meanwhile must not look like missing links), and held against what
     * the writer last committed ({@code written}), so that newest links cut off are found too.
     */
    static org.campusedge.api.TrailStatus status(Connection reader, Head written) throws SQLException {
        Check c;
        reader.setAutoCommit(false);
        try {
            c = verify(reader);
        } finally {
            reader.rollback();
            reader.setAutoCommit(true);
        }
        if (c.intact() && c.head().seq() < written.seq()) {
            // the newest links were cut off: the chain that is left checks, but this gateway wrote more
            c = new Check(c.links(), c.head().seq() + 1, null, "links " + (c.head().seq() + 1) + "–" + written.seq()
                    + " (the newest) are missing: the trail was cut short", null);
        }
        Head head = c.intact() ? c.head() : written;
        return new org.campusedge.api.TrailStatus(c.links(), head.seq(), head.hash(), c.brokenAt(), c.eventId(), c.problem());
    }

    /**
     * Checks the whole chain from its anchor: every link's number follows the last, its event is
     * there, and the hash recomputed from the stored event and the previous hash is the stored one.
     */
    static Check verify(Connection c) throws SQLException {
        Head anchor = anchor(c);
        String prev = anchor.hash();
        long expected = anchor.seq() + 1;
        long links = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT t.seq, t.event_id, t.hash, e.id, e.occurred_at, e.received_at,"
                + " d.device_id, e.kind, e.severity, e.measurements, e.attributes, d.school_id, d.profile_id, d.building, d.floor,"
                + " d.room, d.zone FROM trail t"
                + " LEFT JOIN events e ON e.id = t.event_id LEFT JOIN devices d ON d.ref = e.device_ref ORDER BY t.seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                String eventId = rs.getString(2);
                String stored = rs.getString(3);
                if (seq != expected) {
                    return new Check(links, expected, eventId, seq > expected ? "links " + expected + "–" + (seq - 1) + " are missing"
                            : "link " + seq + " is out of order", null);
                }
                if (rs.getString(4) == null) {
                    return new Check(links, seq, eventId, "its event is not in the store (deleted)", null);
                }
                Place place = new Place(rs.getString(7), rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15),
                        rs.getString(16), rs.getString(17));
                String hash = hash(prev, rs.getString(4), rs.getLong(5), rs.getLong(6), place, rs.getString(8), rs.getInt(9),
                        rs.getString(10), rs.getString(11));
                if (!hash.equals(stored)) {
                    return new Check(links, seq, eventId, "the event or its link was changed after it was stored", null);
                }
                prev = stored;
                expected++;
                links++;
            }
        }
        return new Check(links, 0, null, null, new Head(expected - 1, prev));
    }

    /**
     * Retention of the trailed classes: the chain's oldest links whose events are older than the
     * cutoff go, with their events, in one transaction (a writer task), and the last one's hash is
     * kept as the anchor the rest is checked from. The first link whose event is newer ends it: an
     * old event linked after a newer one stays, so no hole opens in the middle. Returns the links removed.
     */
    static int expire(Connection c, String idCutoff, int limit) throws SQLException {
        long last = -1;
        String lastHash = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_id, hash FROM trail ORDER BY seq LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && rs.getString(2).compareTo(idCutoff) < 0) {
                    last = rs.getLong(1);
                    lastHash = rs.getString(3);
                }
            }
        }
        if (lastHash == null) {
            return 0;
        }
        try (PreparedStatement events = c.prepareStatement("DELETE FROM events WHERE id IN (SELECT event_id FROM trail WHERE seq <= ?)");
             PreparedStatement anchor = c.prepareStatement("INSERT INTO trail_anchor (id, seq, hash) VALUES (1, ?, ?)"
                     + " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
             PreparedStatement links = c.prepareStatement("DELETE FROM trail WHERE seq <= ?")) {
            events.setLong(1, last);
            events.executeUpdate();
            anchor.setLong(1, last);
            anchor.setString(2, lastHash);
            anchor.executeUpdate();
            links.setLong(1, last);
            return links.executeUpdate();
        }
    }

    /**
     * A link's hash: SHA-256 over the previous hash and the event as stored, each field length-prefixed
     * (so no value can shift another's boundary, and null differs from empty): id, times, the device
     * and where it was (school, profile, building, floor, room, zone), kind, severity, the JSON columns.
     */
    static String hash(String prev, String id, long occurredAt, long receivedAt, Place place, String kind, int severity,
                       String measurements, String attributes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            StringBuilder canonical = new StringBuilder();
            for (Object field : new Object[] {prev, id, occurredAt, receivedAt, place.deviceId(), place.schoolId(), place.profileId(),
                    place.building(), place.floor(), place.room(), place.zone(), kind, severity, measurements, attributes}) {
                String v = field == null ? null : field.toString();
                canonical.append(v == null ? "-" : v.length() + ":" + v).append(';');
            }
            return HexFormat.of().formatHex(md.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The device row of an event: who and where, as the devices table keeps it. */
    record Place(String deviceId, String schoolId, String profileId, String building, String floor, String room, String zone) {
        static Place of(org.campusedge.api.CampusEvent e) {
            var l = e.location();
            return new Place(e.deviceId(), e.schoolId(), e.profileId(), l.building(), l.floor(), l.room(), l.zone());
        }
    }
}
