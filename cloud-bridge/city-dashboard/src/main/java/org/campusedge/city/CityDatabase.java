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
            migrate(w, jdbcUrl.startsWith("jdbc:postgresql:"));
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

    /** The lock several dashboard instances take on one PostgreSQL database, so only one of them migrates it at a time. */
    static final long MIGRATION_LOCK = 0x63697479L; // "city"

    /**
     * Brings the schema up to date. On PostgreSQL, under a session advisory lock: dashboard instances that start
     * together on a fresh database would otherwise create the same tables at once, and all but one fail.
     */
    private static void migrate(Connection c, boolean postgres) throws SQLException {
        if (!postgres) {
            Schema.create(c); // SQLite: one writer at a time; the file's lock serialises the migration
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                Schema.create(c);
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
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

    /** Adds a command as pending. */
    void commandSent(String id, String batch, String school, String command, String body, long sentAtMs, String issuedBy)
            throws SQLException {
        write(h -> h.execute("INSERT INTO commands (id, batch, school, command, body, sent_at_ms, status, issued_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, batch, school, command, body, sentAtMs, "pending", issuedBy));
    }

    /** Records a command's outcome. */
    void commandDone(String id, String status, Integer code, String response, long answeredAtMs) throws SQLException {
        write(h -> h.execute("UPDATE commands SET status = ?, code = ?, response = ?, answered_at_ms = ? WHERE id = ?",
                status, code, response, answeredAtMs, id));
    }

    /** Keeps a broadcast and its schools, each pending, tried once (by the issuer) and due again at {@code nextTryAtMs}. */
    void broadcastIssued(String batch, String command, String body, String issuedBy, long issuedAtMs, long expiresAtMs,
                         long nextTryAtMs, List<String> schools) throws SQLException {
        write(h -> {
            h.execute("INSERT INTO broadcasts (batch, command, body, issued_by, issued_at_ms, expires_at_ms)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", batch, command, body, issuedBy, issuedAtMs, expiresAtMs);
            for (String school : schools) {
                h.execute("INSERT INTO broadcast_targets (batch, school, state, attempts, next_try_at_ms)"
                        + " VALUES (?, ?, 'pending', 1, ?)", batch, school, nextTryAtMs);
            }
            return null;
        });
    }

    /** A school of a broadcast whose next try is due. */
    record DueTarget(String batch, String school, long dueAtMs, String command, String body, String issuedBy,
                     long expiresAtMs) {
    }

    /** Pending schools of unexpired broadcasts whose next try is due, oldest first. */
    List<DueTarget> dueBroadcastTargets(long nowMs, int limit) throws SQLException {
        return query("SELECT t.batch, t.school, t.next_try_at_ms, b.command, b.body, b.issued_by, b.expires_at_ms"
                        + " FROM broadcast_targets t JOIN broadcasts b ON b.batch = t.batch"
                        + " WHERE t.state = 'pending' AND t.next_try_at_ms <= ? AND b.expires_at_ms > ?"
                        + " ORDER BY t.next_try_at_ms LIMIT " + Math.max(1, limit),
                rs -> new DueTarget(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getLong(7)), nowMs, nowMs);
    }

    /**
     * Claims a due try: moves its next try to {@code nextTryAtMs} and counts the attempt, only if nobody (another
     * dashboard instance) claimed it since it was read as due at {@code dueAtMs}.
     *
     * @return true when this caller is the one to send it
     */
    boolean claimBroadcastTry(String batch, String school, long dueAtMs, long nextTryAtMs) throws SQLException {
        return write(h -> h.execute("UPDATE broadcast_targets SET next_try_at_ms = ?, attempts = attempts + 1"
                + " WHERE batch = ? AND school = ? AND state = 'pending' AND next_try_at_ms = ?",
                nextTryAtMs, batch, school, dueAtMs)) == 1;
    }

    /** A school's answer to a broadcast: it is confirmed (2xx) or refused (4xx) and no longer tried. */
    void broadcastAnswered(String batch, String school, String state, int code, String response, long atMs) throws SQLException {
        write(h -> h.execute("UPDATE broadcast_targets SET state = ?, code = ?, response = ?, answered_at_ms = ?"
                + " WHERE batch = ? AND school = ? AND state = 'pending'", state, code, response, atMs, batch, school));
    }

    /** A try that got no answer: what was heard (Hono's error, a timeout) is kept while the school stays pending. */
    void broadcastUnanswered(String batch, String school, Integer code, String response) throws SQLException {
        write(h -> h.execute("UPDATE broadcast_targets SET code = ?, response = ? WHERE batch = ? AND school = ?"
                + " AND state = 'pending'", code, response, batch, school));
    }

    /** A broadcast's expiry, if it is one. */
    Optional<Long> broadcastExpiry(String batch) throws SQLException {
        return query("SELECT expires_at_ms FROM broadcasts WHERE batch = ?", rs -> rs.getLong(1), batch).stream().findFirst();
    }

    /** A broadcast's schools and where each stands. */
    List<BroadcastTarget> broadcastTargets(String batch) throws SQLException {
        return query("SELECT t.school, t.state, t.attempts, t.code, t.response, t.answered_at_ms, b.expires_at_ms"
                        + " FROM broadcast_targets t JOIN broadcasts b ON b.batch = t.batch WHERE t.batch = ? ORDER BY t.school",
                rs -> new BroadcastTarget(rs.getString(1), rs.getString(2), rs.getInt(3), nullableInt(rs, 4), rs.getString(5),
                        nullableLong(rs, 6), rs.getLong(7)), batch);
    }

    /** A write that reads no message (a school seen, a command): it cannot be a bad message. */
    private <T> T write(Write<T> write) throws SQLException {
        synchronized (writer) {
            try {
                return inTransaction(write);
            } catch (BadMessageException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** One write the writer's handle runs: a message's rows, a school seen, a command. */
    private interface Write<T> {
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
                        nullableLong(rs, 5), rs.getLong(6), rs.getString(7)), id).stream().findFirst();
    }

    /** When the message with this id was written, in epoch milliseconds. */
    public OptionalLong receivedAt(String id) throws SQLException {
        return message(id).map(m -> OptionalLong.of(m.receivedAtMs())).orElse(OptionalLong.empty());
    }

    /** The commands of one broadcast (or single command batch), by school. */
    public List<CommandRecord> commands(String batch) throws SQLException {
        return query(COMMAND_COLUMNS + " WHERE batch = ? ORDER BY school", CityDatabase::command, batch);
    }

    /** The newest commands, newest first. */
    public List<CommandRecord> recentCommands(int limit) throws SQLException {
        return query(COMMAND_COLUMNS + " ORDER BY sent_at_ms DESC, id LIMIT " + Math.max(1, Math.min(limit, 1000)),
                CityDatabase::command);
    }

    /** One command by its id. */
    public Optional<CommandRecord> command(String id) throws SQLException {
        return query(COMMAND_COLUMNS + " WHERE id = ?", CityDatabase::command, id).stream().findFirst();
    }

    private static final String COMMAND_COLUMNS =
            "SELECT id, batch, school, command, body, sent_at_ms, status, code, response, answered_at_ms, issued_by FROM commands";

    private static CommandRecord command(ResultSet rs) throws SQLException {
        return new CommandRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getString(7), nullableInt(rs, 8), rs.getString(9), nullableLong(rs, 10), rs.getString(11));
    }

    static Long nullableLong(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    static Integer nullableInt(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    static Double nullableDouble(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
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
