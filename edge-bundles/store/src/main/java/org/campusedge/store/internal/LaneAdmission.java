package org.campusedge.store.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.api.CampusEvent;
import org.campusedge.store.internal.GroupCommitWriter.Lane;

/**
 * Which appends the store takes, per lane: none the disk can no longer hold ({@link SpaceBudget}),
 * none beyond the lane's waiting room. Counts what waits per lane and what was refused or failed.
 * Safe from any thread.
 */
final class LaneAdmission {

    /** Per {@link Lane}: the most events it may hold waiting. */
    private final int[] capacity;
    /** Per {@link Lane}: events waiting. */
    private final AtomicInteger[] queued = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    private final AtomicLong failed = new AtomicLong();
    private final SpaceBudget space;

    LaneAdmission(int maxQueuedSafetyEvents, int maxQueuedUrgentEvents, int maxQueuedEvents, SpaceBudget space) {
        this.capacity = new int[] {maxQueuedSafetyEvents, maxQueuedUrgentEvents, maxQueuedEvents};
        this.space = space;
    }

    /**
     * The lane of an append: safety if all its events are alarm transitions or audit records (so
     * nothing else can take their room), else urgent if any event is, else bulk.
     */
    static Lane laneOf(List<CampusEvent> events) {
        boolean allSafety = true;
        boolean anyUrgent = false;
        for (CampusEvent e : events) {
            allSafety &= e.lifeSafety();
            anyUrgent |= e.urgent();
        }
        return allSafety ? Lane.SAFETY : anyUrgent ? Lane.URGENT : Lane.BULK;
    }

    /** Takes {@code n} events into the lane's waiting room; null if taken, else why not (they count as failed). */
    String admit(Lane lane, int n) {
        String noSpace = space.refusal(lane);
        if (noSpace != null) {
            failed.addAndGet(n);
            return noSpace;
        }
        AtomicInteger waiting = queued[lane.ordinal()];
        int limit = capacity[lane.ordinal()];
        if (waiting.addAndGet(n) > limit) {
            waiting.addAndGet(-n);
            failed.addAndGet(n);
            return "the event store has " + limit + (lane == Lane.BULK ? "" : " " + lane.name().toLowerCase())
                    + " events waiting to be written; retry later";
        }
        return null;
    }

    /** {@code n} admitted events left the waiting room (written, or failed and counted by {@link #failed(int)}). */
    void left(Lane lane, int n) {
        queued[lane.ordinal()].addAndGet(-n);
    }

    /** {@code n} admitted events left the waiting room unwritten. */
    void refused(Lane lane, int n) {
        left(lane, n);
        failed(n);
    }

    /** {@code n} events were not written (a commit failed). */
    void failed(int n) {
        failed.addAndGet(n);
    }

    int queued() {
        return queued[0].get() + queued[1].get() + queued[2].get();
    }

    long failed() {
        return failed.get();
    }
}
