package org.campusedge.store.files;

import java.nio.file.Path;
import org.campusedge.api.Outbox;
import org.campusedge.store.internal.SqliteOutbox;

/**
 * The gateway's cloud outbox in a SQLite file of its own, opened outside the gateway: the published
 * door for simulators and benchmarks that run schools' cloud links (the gateway's store bundle opens
 * its own as a service).
 */
public interface OutboxFile extends Outbox, AutoCloseable {

    /** Opens (or creates) the outbox in {@code file}, shedding the oldest telemetry over {@code budgetBytes}. */
    static OutboxFile open(Path file, long budgetBytes) throws Exception {
        return new SqliteOutbox(file, budgetBytes);
    }
}
