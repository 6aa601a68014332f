package org.campusedge.api;

/**
 * What the store has done since it started.
 *
 * @param eventsWritten  events committed
 * @param commits        group commits (transactions) made
 * @param queued         events waiting for the next commit right now
 * @param failedAppends  events whose append failed
 * @param retentionDeleted readings deleted by the retention job
 * @param walBytes       size of the write-ahead log now (it is emptied by checkpoints)
 * @param lastFailure    why the last failed commit failed, or null
 * @param commitNanos    time the successful commits took, in all (writing the rows and the commit's sync):
 *                       over {@code commits}, the mean wait of an acknowledgement for the disk
 * @param failing        the newest commit failed (a full or read-only disk): nothing is being stored now
 */
public record StoreStats(long eventsWritten, long commits, int queued, long failedAppends, long retentionDeleted,
                         long walBytes, String lastFailure, long commitNanos, boolean failing) {

    /** A store that does not time its commits nor tell whether the newest failed. */
    public StoreStats(long eventsWritten, long commits, int queued, long failedAppends, long retentionDeleted, long walBytes,
                      String lastFailure) {
        this(eventsWritten, commits, queued, failedAppends, retentionDeleted, walBytes, lastFailure, 0, false);
    }
}
