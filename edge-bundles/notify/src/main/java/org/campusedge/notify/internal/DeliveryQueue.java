package org.campusedge.notify.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.sql.SchemaMigrations;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The notifications waiting to go out and what became of each, durable in SQLite (its own file, so
 * that a full event store does not stop a guard's phone from ringing, and the other way round). A
 * delivery is one message of one alarm transition at one escalation level to one channel; its key
 * is made of those, so the same transition seen twice (a restart, a repeat on the bus) is queued once.
 */
final class DeliveryQueue implements AutoCloseable {

    /** One queued or finished delivery. */
    record Delivery(String key, String alarm, String transition, String kind, int level, String channel, Instant due, int attempts,
                    String state, String text, String json, Instant madeAt, Instant eventAt, String lastError, Instant sentAt) {
    }

    static final String PENDING = "pending";
    static final String SENT = "sent";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";

    private final Connection c;

    DeliveryQueue(Path file) throws SQLException, IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.setBusyTimeout(10_000);
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl("jdbc:sqlite:" + file);
        this.c = ds.getConnection();
        MIGRATIONS.migrate(c);
    }

    /** The queue's schema (kept in {@code PRAGMA user_version}); step 1 adopts a file made before versioning. */
    static final SchemaMigrations MIGRATIONS = new SchemaMigrations("the notification queue", SchemaMigrations.Kept.USER_VERSION,
            List.of(new SchemaMigrations.Step(1, "deliveries", SchemaMigrations.statements(
                    "CREATE TABLE IF NOT EXISTS deliveries (key TEXT PRIMARY KEY, alarm TEXT NOT NULL, transition TEXT NOT NULL,"
                            + " kind TEXT NOT NULL,"
                            + " level INTEGER NOT NULL, channel TEXT NOT NULL, due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
                            + " state TEXT NOT NULL, text TEXT NOT NULL, json TEXT NOT NULL, made_at INTEGER NOT NULL, event_at INTEGER NOT NULL,"
                            + " last_error TEXT, sent_at INTEGER)",
                    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, due)",
                    "CREATE INDEX IF NOT EXISTS deliveries_alarm ON deliveries(alarm, state)",
                    "CREATE INDEX IF NOT EXISTS deliveries_transition ON deliveries(transition)"))));

    /** Whether the delivery is still waiting (not sent, failed or cancelled meanwhile). */
    synchronized boolean isPending(String key) {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM deliveries WHERE key = ? AND state = 'pending'")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the notification queue cannot be read: " + e.getMessage(), e);
        }
    }

    /** The deliveries of one transition (a raise: its levels and channels). */
    synchronized List<Delivery> ofTransition(String transition) {
        return select("WHERE transition = ? ORDER BY level, channel", null, transition);
    }

    /** Deletes finished deliveries made before {@code before}; returns how many. */
    synchronized int prune(Instant before) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM deliveries WHERE made_at < ? AND state != 'pending'")) {
            ps.setLong(1, before.toEpochMilli());
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the notification queue cannot be written: " + e.getMessage(), e);
        }
    }

    /** Queues a delivery unless one with that key exists; true when queued. */
    synchronized boolean add(String alarm, String transition, String kind, int level, String channel, Instant due, String text,
                             String json, Instant now, Instant eventAt) {
        return insert(alarm, transition, kind, level, channel, due, text, json, now, eventAt, PENDING, null);
    }

    /**
     * Records, once, a delivery that cannot be made (nobody on duty, a channel that does not exist):
     * failed from the start, with why; true the first time (a replay after a restart finds it there).
     */
    synchronized boolean addUndeliverable(String alarm, String transition, int level, String channel, Instant now, Instant eventAt,
                                          String why) {
        return insert(alarm, transition, "raised", level, channel, now, "", "", now, eventAt, FAILED, why);
    }

    private boolean insert(String alarm, String transition, String kind, int level, String channel, Instant due, String text,
                           String json, Instant now, Instant eventAt, String state, String error) {
        try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO deliveries (key, alarm, transition, level, channel, due,"
                + " state, text, json, made_at, event_at, kind, last_error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, transition + "/" + level + "/" + channel);
            ps.setString(2, alarm);
            ps.setString(3, transition);
            ps.setInt(4, level);
            ps.setString(5, channel);
            ps.setLong(6, due.toEpochMilli());
            ps.setString(7, state);
            ps.setString(8, text);
            ps.setString(9, json);
            ps.setLong(10, now.toEpochMilli());
            ps.setLong(11, eventAt.toEpochMilli());
            ps.setString(12, kind);
            ps.setString(13, error);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the notification queue cannot be written: " + e.getMessage(), e);
        }
    }

    /** Pending deliveries due by {@code now}, oldest due first. */
    synchronized List<Delivery> due(Instant now, int max) {
        return select("WHERE state = 'pending' AND due <= ? ORDER BY due LIMIT " + max, now.toEpochMilli(), null);
    }

    /** Every delivery of an alarm (all its transitions), in the order they were made. */
    synchronized List<Delivery> ofAlarm(String alarm) {
        return select("WHERE alarm = ? ORDER BY made_at, level, channel", null, alarm);
    }

    /** The escalations of an alarm not sent yet are cancelled (it was acknowledged or cleared); returns how many. */
    synchronized int cancelEscalations(String alarm) {
        return update("UPDATE deliveries SET state = 'cancelled' WHERE alarm = ? AND state = 'pending' AND level > 0", alarm);
    }

    synchronized void sent(String key, Instant at, int attempts) {
        exec("UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = ?, last_error = NULL WHERE key = ?", at.toEpochMilli(),
                attempts, key);
    }

    synchronized void retry(String key, Instant due, int attempts, String error) {
        exec("UPDATE deliveries SET due = ?, attempts = ?, last_error = ? WHERE key = ?", due.toEpochMilli(), attempts, error, key);
    }

    synchronized void failed(String key, int attempts, String error) {
        exec("UPDATE deliveries SET state = 'failed', attempts = ?, last_error = ? WHERE key = ? AND state = 'pending'", attempts, error,
                key);
    }

    private void exec(String sql, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the notification queue cannot be written: " + e.getMessage(), e);
        }
    }

    private int update(String sql, String arg) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the notification queue cannot be written: " + e.getMessage(), e);
        }
    }

    private List<Delivery> select(String where, Long time, String alarm) {
        try (PreparedStatement ps = c.prepareStatement("SELECT key, alarm, transition, level, channel, due, attempts, state, text, json,"
                + " made_at, event_at, last_error, sent_at, kind FROM deliveries " + where)) {
            ps.setObject(1, time != null ? time : alarm);
            List<Delivery> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long sent = rs.getLong(14);
                    Instant sentAt = rs.wasNull() ? null : Instant.ofEpochMilli(sent);
                    out.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(15), rs.getInt(4), rs.getString(5),
                            Instant.ofEpochMilli(rs.getLong(6)), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            Instant.ofEpochMilli(rs.getLong(11)), Instant.ofEpochMilli(rs.getLong(12)), rs.getString(13),
                            sentAt));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("the notification queue cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        c.close();
    }
}
