package org.campusedge.store.files;

import java.nio.file.Path;
import org.campusedge.api.EventStore;
import org.campusedge.store.internal.SqliteEventStore;

/**
 * The gateway's event store in a SQLite file, opened outside the gateway: the published door for
 * benchmarks and tools that measure or read the store alone (the gateway's store bundle opens its
 * own as a service, with its settings).
 */
public interface EventStoreFile extends EventStore, AutoCloseable {

    /**
     * Opens (or creates and migrates) the store in {@code file}.
     *
     * @param synchronous     SQLite's synchronous mode: {@code FULL} (each commit synced) or {@code NORMAL}
     * @param maxBatchEvents  most events one group commit writes
     * @param maxQueuedEvents most events waiting for the writer before appends are refused
     */
    static EventStoreFile open(Path file, String synchronous, int maxBatchEvents, int maxQueuedEvents) throws Exception {
        return new SqliteEventStore(SqliteEventStore.config(file, synchronous, maxBatchEvents, maxQueuedEvents));
    }
}
