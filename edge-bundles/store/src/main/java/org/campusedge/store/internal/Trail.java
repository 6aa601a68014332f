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
 * sent to the city witnessed while it was the head.
 *
 * <p>Not thread-safe: the store's single writer appends, {@link #verify} and {@link #trim} run as
 * the writer's tasks or on their own connection.
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
    private Head head;
    private Head pending;

    Trail(Connection c) throws SQLException {
        this.insert = c.prepareStatement("INSERT INTO trail (seq, event_id, hash) VALUES (?, ?, ?)");
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

    /** Adds the next link for an event being inserted in the current transaction (its device id as stored). */
    void link(EventTable.Row row, String deviceId) throws SQLException {
        var e = row.event();
        String hash = hash(pending.hash(), e.id(), e.occurredAt().toEpochMilli(), e.receivedAt().toEpochMilli(), deviceId, e.kind(),
                e.severity().ordinal(), row.measurements(), row.attributes());
        pending = new Head(pending.seq() + 1, hash);
        insert.setLong(1, pending.seq());
        insert.setString(2, e.id());
        insert.setString(3, hash);
        insert.addBatch();
    }

    /** Writes the links of the current transaction's batch (before its commit). */
    void flush() throws SQLException {
        if (pending.seq() != head.seq()) {
            insert.executeBatch();
        }
    }

    /** The transaction committed: its links are the chain now. */
    void committed() {
        head = pending;
    }

    /** The transaction failed: its links are gone with it. */
    void rolledBack() throws SQLException {
        pending = head;
        insert.clearBatch();
    }

    Head current() {
        return head;
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
                + " d.device_id, e.kind, e.severity, e.measurements, e.attributes FROM trail t"
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
                String hash = hash(prev, rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getString(8), rs.getInt(9),
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
     * After retention: removes the links whose events retention deleted, from the start of the
     * chain, and keeps the last removed one's hash as the new anchor. Returns how many links went.
     */
    static int trim(Connection c) throws SQLException {
        long firstKept;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(t.seq) FROM trail t"
                + " WHERE EXISTS (SELECT 1 FROM events e WHERE e.id = t.event_id)")) {
            firstKept = rs.next() && rs.getObject(1) != null ? rs.getLong(1) : Long.MAX_VALUE;
        }
        String anchorHash = null;
        long anchorSeq = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM trail WHERE seq < ? ORDER BY seq DESC LIMIT 1")) {
            ps.setLong(1, firstKept);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    anchorSeq = rs.getLong(1);
                    anchorHash = rs.getString(2);
                }
            }
        }
        if (anchorHash == null) {
            return 0;
        }
        try (PreparedStatement a = c.prepareStatement("INSERT INTO trail_anchor (id, seq, hash) VALUES (1, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
             PreparedStatement d = c.prepareStatement("DELETE FROM trail WHERE seq <= ?")) {
            a.setLong(1, anchorSeq);
            a.setString(2, anchorHash);
            a.executeUpdate();
            d.setLong(1, anchorSeq);
            return d.executeUpdate();
        }
    }

    static String hash(String prev, String id, long occurredAt, long receivedAt, String deviceId, String kind, int severity,
                       String measurements, String attributes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String canonical = prev + "\n" + id + "\n" + occurredAt + "\n" + receivedAt + "\n" + deviceId + "\n" + kind + "\n" + severity
                    + "\n" + (measurements == null ? "" : measurements) + "\n" + (attributes == null ? "" : attributes);
            return HexFormat.of().formatHex(md.digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
