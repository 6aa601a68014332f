package org.campusedge.city;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;

/**
 * The dashboard's database, on Jdbi over JDBC: SQLite by default (WAL, one writer connection and one
 * reader connection), or PostgreSQL by URL. Writes go through {@link #store}, {@link #gatewaySeen} and
 * the command methods, one at a time, on the writer's handle; reads (the dashboard's views and the read
 * helpers below) on the reader's. Statements, binding, transactions and savepoints are Jdbi's; a
 * failure surfaces as the {@link SQLException} Jdbi wrapped.
 */
public final class CityDatabase implements AutoCloseable {

    /** What became of a message. */
    enum Stored { NEW, DUPLICATE }

    /** Maps the current row of a result set. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final Handle writer;
    private final Handle reader;
    /** Names the savepoints of a batch's writes. */
    private final AtomicLong savepoints = new AtomicLong();
    /** A batch's first attempt: its writes run without savepoints; the first that fails poisons it (under the writer's lock). */
    private boolean optimistic;
    private boolean poisoned;
    /** Schools whose row the running batch already marked as seen (under the writer's lock). */
    private final java.util.Set<String> seenInBatch = new java.util.HashSet<>();

    private final CommandRows commands = new CommandRows(this);

    private CityDatabase(Handle writer, Handle reader) {
        this.writer = writer;
        this.reader = reader;
    }

    /** Opens (and if need be creates) the database of a JDBC URL. */
    public static CityDatabase open(String jdbcUrl) throws SQLException {
        boolean sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
        boolean memory = sqlite && (jdbcUrl.contains(":memory:") || jdbcUrl.contains("mode=memory"));
        if (sqlite && !memory) {
            createFolder(jdbcUrl);
        }
        Connection w = DriverManager.getConnection(jdbcUrl);
        Connection r = null;
        try {
            if (sqlite) {
                try (Statement st = w.createStatement()) {
                    st.execute("PRAGMA journal_mode=WAL");
                    st.execute("PRAGMA synchronous=FULL"); // Hono is told a message is safe after the commit: survive a power cut
                    st.execute("PRAGMA busy_timeout=10000");
                }
            }
            Schema.migrate(w, jdbcUrl.startsWith("jdbc:postgresql:"));
            r = memory ? w : DriverManager.getConnection(jdbcUrl);
            if (sqlite && !memory) {
                try (Statement st = r.createStatement()) {
                    st.execute("PRAGMA busy_timeout=10000");
                }
            }
            Handle writer = Jdbi.open(w);
            return new CityDatabase(writer, memory ? writer : Jdbi.open(r));
        } catch (SQLException | RuntimeException e) {
            closeQuietly(r);
            closeQuietly(w);
            throw e;
        }
    }

    private static void createFolder(String jdbcUrl) throws SQLException {
        String file = jdbcUrl.substring("jdbc:sqlite:".length());
        if (file.startsWith("file:")) {
            file = file.substring("file:".length());
        }
        int q = file.indexOf('?');
        file = q < 0 ? file : file.substring(0, q);
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the database's folder " + parent, e);
        }
    }

    // ---- writes -------------------------------------------------------------------------------------------

    /**
     * Stores a message in one transaction: its row in {@code messages} (once per school and id), the school as
     * seen now, and its summary or alarm rows. A duplicate only refreshes the school's last-seen time.
     *
     * @throws BadMessageException when the event's data do not fit its type (nothing is stored)
     */
    Stored store(CloudEvent e, String device, long receivedAtMs) throws BadMessageException, SQLException {
        synchronized (writer) {
            return inTransaction(h -> {
                seen(h, e.school(), receivedAtMs, null);
                int inserted = h.execute("INSERT INTO messages (school, id, type, device, time, received_at_ms, payload)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (school, id) DO NOTHING",
                        e.school(), e.id(), e.type(), device, e.timeMs(), receivedAtMs,
                        CloudEvent.ALARM.equals(e.type()) ? PeopleOut.scrub(e.json()) : e.json());
                if (inserted > 0) {
                    new SummaryWriter(h, e, receivedAtMs).write();
                }
                return inserted > 0 ? Stored.NEW : Stored.DUPLICATE;
            });
        }
    }

    /** Records that a school's gateway was heard from now; {@code connected} null leaves that flag as it is. */
    void gatewaySeen(String school, Boolean connected, long nowMs) throws SQLException {
        write(h -> {
            seen(h, school, nowMs, connected);
            return null;
        });
    }

    private void seen(Handle h, String school, long nowMs, Boolean connected) {
        if (connected == null && seenInBatch.contains(school)) {
            return; // the batch marked its row at its start: one statement less for each message
        }
        Integer flag = connected == null ? null : connected ? 1 : 0;
        h.execute("INSERT INTO schools (id, gateway, last_seen_ms, connected) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms,"
                        + " connected = COALESCE(excluded.connected, schools.connected)",
                school, Commands.gatewayOf(school), nowMs, flag);
    }

    /** A write that reads no message (a school seen, a command): it cannot be a bad message. */
    <T> T write(Write<T> write) throws SQLException {
        synchronized (writer) {
            try {
                return inTransaction(write);
            } catch (BadMessageException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** One write the writer's handle runs: a message's rows, a school seen, a command. */
    interface Write<T> {
        T run(Handle h) throws BadMessageException, SQLException;
    }

    /**
     * A write as its own transaction; within a {@link #batch}, as a savepoint of the batch's
     * transaction, undone alone when it fails. Callers hold the writer's lock.
     */
    private <T> T inTransaction(Write<T> write) throws BadMessageException, SQLException {
        boolean inBatch;
        try {
            inBatch = writer.isInTransaction();
        } catch (JdbiException ex) {
            throw sql(ex); // the connection is gone
        }
        if (!inBatch) {
            try {
                return writer.inTransaction(write::run); // committed, or rolled back when it throws
            } catch (JdbiException ex) {
                throw sql(ex);
            } catch (BadMessageException | SQLException | RuntimeException ex) {
                throw ex;
            } catch (Exception other) {
                throw new IllegalStateException(other); // Write throws nothing else
            }
        }
        if (optimistic) {
            if (poisoned) {
                throw new BatchPoisoned(); // the transaction is to be rolled back: do not add to it
            }
            try {
                return write.run(writer);
            } catch (BadMessageException | SQLException | RuntimeException ex) {
                poisoned = true; // its part-done rows are in the transaction: the batch runs again, with savepoints
                throw new BatchPoisoned();
            }
        }
        String savepoint = "w" + savepoints.incrementAndGet();
        try {
            writer.savepoint(savepoint);
            T out = write.run(writer);
            writer.releaseSavepoint(savepoint);
            return out;
        } catch (BadMessageException | SQLException | RuntimeException ex) {
            try {
                writer.rollbackToSavepoint(savepoint);
            } catch (JdbiException broken) {
                // the connection is broken; the batch's commit reports it
            }
            if (ex instanceof JdbiException j) {
                throw sql(j);
            }
            throw ex;
        }
    }

    /**
     * Runs several writes as one transaction — one commit, one fsync for all of them — each write that
     * fails undone alone (a savepoint each): the group commit of the message consumers.
     */
    void batch(Runnable writes) throws SQLException {
        batch(java.util.Set.of(), writes);
    }

    /**
     * As {@link #batch(Runnable)}, first taking the row locks of these schools' {@code schools} rows in the order
     * of their ids. Two dashboard instances store one school's telemetry and its events side by side (they are on
     * different topics, so in different instances' batches) and both update its row: taken in one order, those
     * locks cannot deadlock (PostgreSQL would break a deadlock only after a second, and fail one batch).
     */
    void batch(java.util.Set<String> schools, Runnable writes) throws SQLException {
        batch(schools, System.currentTimeMillis(), writes, () -> { });
    }

    /**
     * As {@link #batch(java.util.Set, Runnable)}, faster: the writes first run without a savepoint each (two
     * statements less per write). Should one of them fail, that attempt is rolled back whole (its own part-done
     * rows with it), {@code beforeRetry} runs (to forget what the attempt counted) and the writes run again, each
     * in its savepoint as before, so the failing one is undone alone. The schools' rows are marked as seen at
     * {@code nowMs} at the start, so their writes need not each do it.
     */
    void batch(java.util.Set<String> schools, long nowMs, Runnable writes, Runnable beforeRetry) throws SQLException {
        synchronized (writer) {
            try {
                if (writer.isInTransaction()) {
                    // Jdbi would join it and commit nothing: Hono would be told of rows never committed
                    writer.rollback();
                    throw new SQLException("the writer was left in a transaction; rolled back, the batch is not run");
                }
                optimistic = true;
                poisoned = false;
                try {
                    writer.useTransaction(h -> {
                        markSeen(h, schools, nowMs);
                        writes.run();
                        if (poisoned) {
                            throw new BatchPoisoned(); // rolls the attempt back
                        }
                    });
                    return;
                } catch (BatchPoisoned again) {
                    // one write failed: run them again, each undone alone if it fails
                } finally {
                    optimistic = false;
                    seenInBatch.clear();
                }
                beforeRetry.run();
                try {
                    writer.useTransaction(h -> {
                        markSeen(h, schools, nowMs);
                        writes.run();
                    });
                } finally {
                    seenInBatch.clear();
                }
            } catch (JdbiException ex) {
                throw sql(ex);
            }
        }
    }

    /**
     * Takes the schools' rows in the order of their ids and marks them seen at {@code nowMs}. Two dashboard
     * instances store one school's telemetry and its events side by side (different topics, so different
     * instances' batches) and both update its row: taken in one order, those locks cannot deadlock (PostgreSQL
     * would break a deadlock only after a second, and fail one batch). A school without a row yet gets it from its
     * first write.
     */
    private void markSeen(Handle h, java.util.Set<String> schools, long nowMs) {
        for (String school : new java.util.TreeSet<>(schools)) {
            if (h.execute("UPDATE schools SET last_seen_ms = CASE WHEN last_seen_ms IS NULL OR last_seen_ms < ? THEN ? ELSE"
                    + " last_seen_ms END WHERE id = ?", nowMs, nowMs, school) == 1) {
                seenInBatch.add(school);
            }
        }
    }

    /** A batch's first attempt had a write fail: it is rolled back and run again with savepoints. */
    static final class BatchPoisoned extends RuntimeException {
        BatchPoisoned() {
            super("a write of the batch failed; the batch runs again, each write in its savepoint", null, false, false);
        }
    }

    /** The JDBC failure behind a Jdbi one (what callers and their logs have always been given). */
    private static SQLException sql(JdbiException ex) {
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return new SQLException(ex.getMessage(), ex);
    }

    /** The commands the city sends, single and broadcast, and each broadcast's schools' standing. */
    CommandRows commands() {
        return commands;
    }

    // ---- reads --------------------------------------------------------------------------------------------

    /** Runs a query on the reader's handle, its parameters bound in order. */
    <T> List<T> query(String sql, Row<T> row, Object... params) throws SQLException {
        synchronized (reader) {
            try (Query q = reader.createQuery(sql)) {
                for (int i = 0; i < params.length; i++) {
                    q.bind(i, params[i]);
                }
                return q.map((rs, ctx) -> row.map(rs)).list();
            } catch (JdbiException ex) {
                throw sql(ex);
            }
        }
    }

    /** The number of stored messages per CloudEvent type. */
    public Map<String, Long> countsByType() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        query("SELECT type, COUNT(*) FROM messages GROUP BY type ORDER BY type", rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /** The number of rows of one of the dashboard's tables. */
    public long count(String table) throws SQLException {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return query("SELECT COUNT(*) FROM " + table, rs -> rs.getLong(1)).get(0);
    }

    /** The stored message with this CloudEvent id (of any school; the first if several schools used it). */
    public Optional<StoredMessage> message(String id) throws SQLException {
        return query("SELECT school, id, type, device, time, received_at_ms, payload FROM messages WHERE id = ?"
                        + " ORDER BY received_at_ms",
                rs -> new StoredMessage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Columns.nullableLong(rs, 5), rs.getLong(6), rs.getString(7)), id).stream().findFirst();
    }

    /** When the message with this id was written, in epoch milliseconds. */
    public OptionalLong receivedAt(String id) throws SQLException {
        return message(id).map(m -> OptionalLong.of(m.receivedAtMs())).orElse(OptionalLong.empty());
    }

    @Override
    public void close() {
        synchronized (writer) {
            closeQuietly(writer);
        }
        if (reader != writer) {
            synchronized (reader) {
                closeQuietly(reader);
            }
        }
    }

    private static void closeQuietly(Handle h) {
        try {
            h.close(); // closes its connection
        } catch (JdbiException ignored) {
            // closing anyway
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
