package org.campusedge.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the store writer's connection in a usable transaction after a failed commit or task. */
final class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    private Transactions() {
    }

    /**
     * Puts the connection back into a fresh transaction. After disk-full or an I/O error SQLite has
     * already rolled back by itself, so the driver's rollback (which would also begin the next
     * transaction) fails with "no transaction is active"; then BEGIN is issued directly, keeping the
     * driver's own idea (not auto-commit, a transaction open) true. The device cache is re-read
     * because the rows it added in the failed transaction are gone.
     */
    static void restart(Connection connection, PreparedStatement insert, DeviceRefs devices) {
        try {
            if (insert != null) {
                insert.clearBatch();
            }
        } catch (SQLException e) {
            LOG.debug("clearBatch failed", e);
        }
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed ({}); beginning a new transaction", e.getMessage());
            try (Statement begin = connection.createStatement()) {
                begin.execute("BEGIN");
            } catch (SQLException again) {
                LOG.warn("The event store connection could not begin a new transaction: {}", again.getMessage());
            }
        }
        try {
            devices.reload(connection);
        } catch (SQLException e) {
            LOG.warn("The device table could not be re-read: {}", e.getMessage());
        }
    }
}
