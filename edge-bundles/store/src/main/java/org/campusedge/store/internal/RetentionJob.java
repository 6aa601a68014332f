package org.campusedge.store.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.api.EventIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's retention job: each class of event ({@link Retention}) deleted once older than its
 * period, a chunk per writer task so that appends are never held up for long. Alarm transitions and
 * audit records go with their trail's links, the oldest whole segment at a time ({@link Trail#expire}).
 */
final class RetentionJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    static final int CHUNK = 5_000;

    private final GroupCommitWriter writer;
    private final List<Retention> classes;
    private final AtomicLong deleted = new AtomicLong();

    RetentionJob(GroupCommitWriter writer, List<Retention> classes) {
        this.writer = writer;
        this.classes = classes;
    }

    List<Retention> classes() {
        return classes;
    }

    /** Events deleted since the store started. */
    long deleted() {
        return deleted.get();
    }

    /** Runs every class's retention; returns how many events were deleted in all. */
    long runAll() {
        long total = 0;
        for (Retention r : classes) {
            if (r.days() > 0) {
                total += run(r, r.keep());
            }
        }
        return total;
    }

    /** Deletes a class's events older than {@code keep}; returns how many. */
    long run(Retention r, Duration keep) {
        String cutoff = EventIds.lowestIdAt(System.currentTimeMillis() - keep.toMillis());
        List<String> classified = classes.stream().flatMap(c -> c.kinds().stream()).toList();
        long total = 0;
        try {
            if (r.kinds().stream().anyMatch(k -> Trail.chained(k.replace("*", "x")))) {
                // the trail's oldest segment, whole, with its events, in one transaction per chunk; the rest anchored at its hash
                long links = inChunks(c -> Trail.expire(c, cutoff, CHUNK));
                total += links;
                if (links > 0) {
                    LOG.info("Retention removed the trail's oldest {} links with their events; the rest is anchored at the last one's hash",
                            links);
                }
            }
            total += inChunks(c -> r.kinds().isEmpty() ? EventTable.deleteOthersBefore(c, classified, cutoff, CHUNK)
                    : r.name().equals(Retention.CARDS) ? EventTable.countAndDeleteCardsBefore(c, cutoff, CHUNK)
                    : EventTable.deleteBefore(c, r.kinds(), cutoff, CHUNK));
        } catch (RuntimeException e) {
            LOG.warn("Retention could not delete old {}: {}", r.name(), e.getMessage());
        }
        if (total > 0) {
            deleted.addAndGet(total);
            LOG.info("Retention deleted {} {} older than {} days", total, r.name(), keep.toDays());
        }
        return total;
    }

    /** Runs a deleting task until a chunk comes back short; the rows deleted in all. */
    private long inChunks(GroupCommitWriter.SqlTask task) {
        long total = 0;
        int n;
        do {
            n = (Integer) writer.submit(task).join();
            total += n;
        } while (n == CHUNK);
        return total;
    }
}
