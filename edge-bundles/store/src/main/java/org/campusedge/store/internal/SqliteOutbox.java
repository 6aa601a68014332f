package org.campusedge.store.internal;

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
import org.campusedge.api.CampusHome;
import org.campusedge.api.Outbox;
import org.campusedge.sql.SchemaMigrations;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbox} in its own SQLite file (WAL, synchronous=FULL): what waits for the cloud is
 * a few messages a minute, so each enqueue commits on its own, and the file is apart from the
 * event store's so that its checkpoints never meet the readings' write load. The budget counts the
 * payload bytes; when an enqueue goes over it, the oldest telemetry is deleted until it fits.
 */
@Component(service = Outbox.class, configurationPid = SqliteOutbox.PID)
@Designate(ocd = SqliteOutbox.Config.class)
public final class SqliteOutbox implements org.campusedge.store.files.OutboxFile {

    public static final String PID = "org.campusedge.outbox";

    private static final Logger LOG = LoggerFactory.getLogger(SqliteOutbox.class);

    /** Where the outbox is and how much it may hold. */
    @ObjectClassDefinition(name = "Campus Edge cloud outbox", description = "Store-and-forward for Hono")
    public @interface Config {
        @AttributeDefinition(description = "The outbox's SQLite file")
        String path() default "data/outbox.db";

        @AttributeDefinition(description = "Most payload bytes kept; beyond it the oldest telemetry is shed")
        long budgetBytes() default 256L * 1024 * 1024;
    }

    private final Connection connection;
    private final long budgetBytes;
    private long bytes;
    private long shed;

    @Activate
    public SqliteOutbox(Config config) throws Exception {
        this(CampusHome.resolve(config.path()), config.budgetBytes());
    }

    public SqliteOutbox(Path file, long budgetBytes) throws Exception {
        this.budgetBytes = budgetBytes;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // the driver's own data source, not DriverManager: in OSGi DriverManager only knows the driver once some
        // other code has loaded its class, so the outbox failed whenever it happened to open before the event store
        org.sqlite.SQLiteDataSource ds = new org.sqlite.SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        connection = ds.getConnection();
        try {
            open();
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        LOG.info("Outbox open at {}: {} bytes waiting (budget {})", file, bytes, budgetBytes);
    }

    /** The outbox's schema (kept in {@code PRAGMA user_version}); step 1 adopts a file made before versioning. */
    static final SchemaMigrations MIGRATIONS = new SchemaMigrations("the outbox", SchemaMigrations.Kept.USER_VERSION, List.of(
            new SchemaMigrations.Step(1, "queue, its meta and parked messages", SchemaMigrations.statements(
                    "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, lane INTEGER NOT NULL,"
                            + " event_id TEXT NOT NULL, address TEXT NOT NULL, content_type TEXT NOT NULL, payload BLOB NOT NULL,"
                            + " queued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, UNIQUE (lane, event_id))",
                    "CREATE INDEX IF NOT EXISTS outbox_by_lane ON outbox(lane, seq)",
                    "CREATE TABLE IF NOT EXISTS outbox_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS outbox_parked (seq INTEGER PRIMARY KEY, lane INTEGER NOT NULL, event_id TEXT NOT NULL,"
                            + " address TEXT NOT NULL, content_type TEXT NOT NULL, payload BLOB NOT NULL, queued_at INTEGER NOT NULL,"
                            + " attempts INTEGER NOT NULL, parked_at INTEGER NOT NULL, reason TEXT NOT NULL)"))));

    private void open() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            SchemaMigrations.Result r = MIGRATIONS.migrate(connection);
            if (r.changed()) {
                LOG.info("Outbox schema {} -> {}", r.from(), r.to());
            }
            try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(length(payload)), 0) FROM outbox")) {
                bytes = rs.next() ? rs.getLong(1) : 0;
            }
            try (ResultSet rs = s.executeQuery("SELECT value FROM outbox_meta WHERE name = 'shed'")) {
                shed = rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public synchronized void enqueue(Lane lane, String eventId, String address, String contentType, byte[] payload) {
        long before = bytes;
        long shedBefore = shed;
        try {
            // the message and what the budget sheds for it in one transaction: one fsync, all or nothing
            connection.setAutoCommit(false);
            insert(lane, eventId, address, contentType, payload);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            bytes = before;
            shed = shedBefore;
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; the next call reports it
            }
            throw new IllegalStateException("the outbox could not store " + eventId + ": " + e.getMessage(), e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // as above
            }
        }
    }

    private void insert(Lane lane, String eventId, String address, String contentType, byte[] payload) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT OR IGNORE INTO outbox"
                + " (lane, event_id, address, content_type, payload, queued_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setInt(1, lane.ordinal());
            ps.setString(2, eventId);
            ps.setString(3, address);
            ps.setString(4, contentType);
            ps.setBytes(5, payload);
            ps.setLong(6, System.currentTimeMillis());
            if (ps.executeUpdate() == 1) {
                bytes += payload.length;
            }
            if (bytes > budgetBytes) {
                shedTelemetry();
            }
        }
    }

    /** Deletes the oldest telemetry until the outbox fits its budget; critical messages stay even over it. */
    private void shedTelemetry() throws SQLException {
        long dropped = 0;
        try (PreparedStatement oldest = connection.prepareStatement("SELECT seq, length(payload) FROM outbox WHERE lane = ?"
                + " ORDER BY seq LIMIT 256");
             PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE seq = ?")) {
            oldest.setInt(1, Lane.TELEMETRY.ordinal());
            while (bytes > budgetBytes) {
                List<long[]> batch = new ArrayList<>();
                try (ResultSet rs = oldest.executeQuery()) {
                    while (rs.next()) {
                        batch.add(new long[] {rs.getLong(1), rs.getLong(2)});
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
                for (long[] row : batch) {
                    if (bytes <= budgetBytes) {
                        break;
                    }
                    delete.setLong(1, row[0]);
                    delete.executeUpdate();
                    bytes -= row[1];
                    dropped++;
                }
            }
        }
        if (dropped > 0) {
            shed += dropped;
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO outbox_meta (name, value) VALUES ('shed', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")) {
                ps.setLong(1, shed);
                ps.executeUpdate();
            }
            LOG.warn("Outbox over its budget of {} bytes: shed the {} oldest telemetry message(s), {} in all", budgetBytes, dropped, shed);
        }
        if (bytes > budgetBytes) {
            LOG.warn("Outbox holds {} bytes of critical messages, over its budget of {}: they are kept", bytes, budgetBytes);
        }
    }

    @Override
    public synchronized List<Message> peek(Lane lane, int max) {
        List<Message> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT seq, event_id, address, content_type, payload, queued_at,"
                + " attempts FROM outbox WHERE lane = ? ORDER BY seq LIMIT ?")) {
            ps.setInt(1, lane.ordinal());
            ps.setInt(2, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Message(rs.getLong(1), lane, rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                            Instant.ofEpochMilli(rs.getLong(6)), rs.getInt(7)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the outbox could not be read: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public synchronized void delivered(long seq) {
        try (PreparedStatement size = connection.prepareStatement("SELECT length(payload) FROM outbox WHERE seq = ?");
             PreparedStatement ps = connection.prepareStatement("DELETE FROM outbox WHERE seq = ?")) {
            size.setLong(1, seq);
            long n;
            try (ResultSet rs = size.executeQuery()) {
                n = rs.next() ? rs.getLong(1) : 0;
            }
            ps.setLong(1, seq);
            if (ps.executeUpdate() == 1) {
                bytes -= n;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the outbox could not drop " + seq + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void failed(long seq) {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?")) {
            ps.setLong(1, seq);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the outbox could not count a failure of " + seq + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void park(long seq, String reason) {
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement size = connection.prepareStatement("SELECT length(payload) FROM outbox WHERE seq = ?");
                 PreparedStatement copy = connection.prepareStatement("INSERT OR REPLACE INTO outbox_parked (seq, lane, event_id, address,"
                         + " content_type, payload, queued_at, attempts, parked_at, reason) SELECT seq, lane, event_id, address, content_type,"
                         + " payload, queued_at, attempts, ?, ? FROM outbox WHERE seq = ?");
                 PreparedStatement drop = connection.prepareStatement("DELETE FROM outbox WHERE seq = ?")) {
                size.setLong(1, seq);
                long n;
                try (ResultSet rs = size.executeQuery()) {
                    n = rs.next() ? rs.getLong(1) : 0;
                }
                copy.setLong(1, System.currentTimeMillis());
                copy.setString(2, reason == null ? "" : reason);
                copy.setLong(3, seq);
                copy.executeUpdate();
                drop.setLong(1, seq);
                boolean dropped = drop.executeUpdate() == 1;
                connection.commit();
                if (dropped) {
                    bytes -= n;
                    LOG.warn("Outbox: message {} parked (the cloud refuses it for good): {}", seq, reason);
                }
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the outbox could not park " + seq + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Stats stats() {
        long[] depth = new long[2];
        Instant[] oldest = new Instant[2];
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT lane, count(*), min(queued_at) FROM outbox GROUP BY lane")) {
            while (rs.next()) {
                depth[rs.getInt(1)] = rs.getLong(2);
                oldest[rs.getInt(1)] = Instant.ofEpochMilli(rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the outbox could not be counted: " + e.getMessage(), e);
        }
        long parked;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM outbox_parked")) {
            parked = rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException("the outbox could not be counted: " + e.getMessage(), e);
        }
        return new Stats(depth[Lane.CRITICAL.ordinal()], depth[Lane.TELEMETRY.ordinal()], bytes, budgetBytes, shed,
                oldest[Lane.CRITICAL.ordinal()], oldest[Lane.TELEMETRY.ordinal()], parked);
    }

    @Deactivate
    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
