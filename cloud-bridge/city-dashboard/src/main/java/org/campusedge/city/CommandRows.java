package org.campusedge.city;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The rows of the commands the city sends ({@code commands}: one per try, with its outcome) and of its broadcasts
 * ({@code broadcasts}, {@code broadcast_targets}: a broadcast kept until it expires, and per school where it stands,
 * its tries and their claims). Writes go through the database's writer (its lock and transactions), reads through
 * its reader.
 */
final class CommandRows {

    private final CityDatabase db;

    CommandRows(CityDatabase db) {
        this.db = db;
    }

    /** Adds a command as pending. */
    void sent(String id, String batch, String school, String command, String body, long sentAtMs, String issuedBy)
            throws SQLException {
        db.write(h -> h.execute("INSERT INTO commands (id, batch, school, command, body, sent_at_ms, status, issued_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, batch, school, command, body, sentAtMs, "pending", issuedBy));
    }

    /** Records a command's outcome. */
    void done(String id, String status, Integer code, String response, long answeredAtMs) throws SQLException {
        db.write(h -> h.execute("UPDATE commands SET status = ?, code = ?, response = ?, answered_at_ms = ? WHERE id = ?",
                status, code, response, answeredAtMs, id));
    }

    /** The commands of one broadcast (or single command batch), by school. */
    List<CommandRecord> ofBatch(String batch) throws SQLException {
        return db.query(COMMAND_COLUMNS + " WHERE batch = ? ORDER BY school", CommandRows::command, batch);
    }

    /** The newest commands, newest first. */
    List<CommandRecord> recent(int limit) throws SQLException {
        return db.query(COMMAND_COLUMNS + " ORDER BY sent_at_ms DESC, id LIMIT " + Math.max(1, Math.min(limit, 1000)),
                CommandRows::command);
    }

    /** One command by its id. */
    Optional<CommandRecord> byId(String id) throws SQLException {
        return db.query(COMMAND_COLUMNS + " WHERE id = ?", CommandRows::command, id).stream().findFirst();
    }

    private static final String COMMAND_COLUMNS =
            "SELECT id, batch, school, command, body, sent_at_ms, status, code, response, answered_at_ms, issued_by FROM commands";

    private static CommandRecord command(ResultSet rs) throws SQLException {
        return new CommandRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getString(7), Columns.nullableInt(rs, 8), rs.getString(9), Columns.nullableLong(rs, 10), rs.getString(11));
    }


    /** Keeps a broadcast and its schools, each pending, tried once (by the issuer) and due again at {@code nextTryAtMs}. */
    void issued(String batch, String command, String body, String issuedBy, long issuedAtMs, long expiresAtMs,
                         long nextTryAtMs, List<String> schools) throws SQLException {
        db.write(h -> {
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
    List<DueTarget> due(long nowMs, int limit) throws SQLException {
        return db.query("SELECT t.batch, t.school, t.next_try_at_ms, b.command, b.body, b.issued_by, b.expires_at_ms"
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
    boolean claim(String batch, String school, long dueAtMs, long nextTryAtMs) throws SQLException {
        return db.write(h -> h.execute("UPDATE broadcast_targets SET next_try_at_ms = ?, attempts = attempts + 1"
                + " WHERE batch = ? AND school = ? AND state = 'pending' AND next_try_at_ms = ?",
                nextTryAtMs, batch, school, dueAtMs)) == 1;
    }

    /** A school's answer to a broadcast: it is confirmed (2xx) or refused (4xx) and no longer tried. */
    void answered(String batch, String school, String state, int code, String response, long atMs) throws SQLException {
        db.write(h -> h.execute("UPDATE broadcast_targets SET state = ?, code = ?, response = ?, answered_at_ms = ?"
                + " WHERE batch = ? AND school = ? AND state = 'pending'", state, code, response, atMs, batch, school));
    }

    /** A try that got no answer: what was heard (Hono's error, a timeout) is kept while the school stays pending. */
    void unanswered(String batch, String school, Integer code, String response) throws SQLException {
        db.write(h -> h.execute("UPDATE broadcast_targets SET code = ?, response = ? WHERE batch = ? AND school = ?"
                + " AND state = 'pending'", code, response, batch, school));
    }

    /** A broadcast's expiry, if it is one. */
    Optional<Long> expiry(String batch) throws SQLException {
        return db.query("SELECT expires_at_ms FROM broadcasts WHERE batch = ?", rs -> rs.getLong(1), batch).stream().findFirst();
    }

    /** A broadcast's schools and where each stands. */
    List<BroadcastTarget> targets(String batch) throws SQLException {
        return db.query("SELECT t.school, t.state, t.attempts, t.code, t.response, t.answered_at_ms, b.expires_at_ms"
                        + " FROM broadcast_targets t JOIN broadcasts b ON b.batch = t.batch WHERE t.batch = ? ORDER BY t.school",
                rs -> new BroadcastTarget(rs.getString(1), rs.getString(2), rs.getInt(3), Columns.nullableInt(rs, 4), rs.getString(5),
                        Columns.nullableLong(rs, 6), rs.getLong(7)), batch);
    }
}
