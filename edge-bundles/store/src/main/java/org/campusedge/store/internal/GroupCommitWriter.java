package org.campusedge.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.api.BackpressureException;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Watchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer: one thread that takes every append queued since its last commit, writes
 * them in one transaction, commits, and only then completes their futures. Under load many appends
 * share one commit (and one fsync); when idle an append is committed alone, at once.
 *
 * <p>Three lanes, each with a capacity of its own: appends holding an alarm transition or an audit
 * record ({@link CampusEvent#lifeSafety()}) go into the safety lane, other {@link CampusEvent#urgent()
 * urgent} events (an intrusion, a PA record) into the urgent lane, the rest (readings) into bulk.
 * The writer empties the safety lane, then the urgent lane, into every commit, so a flood of
 * readings cannot make an alarm wait for more than the commit in progress, and a flood of
 * intrusions cannot fill the lane an alarm's acknowledgement needs. An append that would overflow
 * its lane fails at once with {@link BackpressureException} so a connector can tell its device to
 * retry instead of the gateway running out of memory. The disk is budgeted the same way
 * ({@link SpaceBudget}): near full, bulk and then urgent appends are refused, so the space left
 * goes to alarms. After a failed commit (disk
 * full, I/O error) the connection is put back into a fresh transaction and the device cache
 * re-read, so the next batch starts clean.
 *
 * <p>The thread is watched: it beats the {@link Watchdog} on every round, and if it ever ends
 * other than by {@link #close()}, the watchdog stops the gateway (acknowledgements follow commits,
 * so the restart loses nothing acknowledged).
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Work for the writer thread: an append, or a maintenance task run between commits. */
    private sealed interface Job permits Append, Task, Wake {
    }

    /** The lanes, in the order the writer takes them. */
    enum Lane { SAFETY, URGENT, BULK }

    /** Put in the main queue after an urgent append, so a writer waiting on it wakes at once. */
    private record Wake() implements Job {
    }

    private static final Wake WAKE = new Wake();
    /** Bulk events that may share a commit with urgent ones: enough to keep the disk busy, few enough to keep the commit short. */
    static final int URGENT_BATCH_BULK = 1_000;

    private record Append(EventTable.Row[] rows, CompletableFuture<Void> done, Lane lane) implements Job {
        boolean urgent() {
            return lane != Lane.BULK;
        }
    }

    private record Task(SqlTask task, CompletableFuture<Object> done) implements Job {
    }

    /** Something to run on the writer's connection, inside the writer's thread. */
    @FunctionalInterface
    interface SqlTask {
        Object run(Connection c) throws SQLException;
    }

    private final Connection connection;
    private final int maxBatchEvents;
    /** Bulk appends and maintenance tasks, in order. */
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    /** Appends of alarm transitions and audit records: taken before anything else. */
    private final Queue<Append> safety = new ConcurrentLinkedQueue<>();
    /** Appends of other urgent events: taken after {@link #safety}, before anything in {@link #queue}. */
    private final Queue<Append> urgent = new ConcurrentLinkedQueue<>();
    /** What each lane may take, what waits, what failed. */
    private final LaneAdmission admission;
    private final SpaceBudget space;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong commitNanos = new AtomicLong();
    /** The newest commit failed (set and cleared by the writer thread). */
    private volatile boolean newestFailed;
    private final PreparedStatement insert;
    /** The tamper-evident trail of alarm transitions and audit records, linked in each commit that carries them. */
    private final Trail trail;
    private final DeviceRefs devices;
    private final Watchdog watchdog;
    private final Watchdog.Heartbeat heartbeat;
    private final Thread thread;
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-acks");
        t.setDaemon(true);
        return t;
    });
    /** Guarded by {@code this} together with the queue: nothing is queued once it is false. */
    private boolean running = true;
    private volatile String lastFailure;

    GroupCommitWriter(Connection connection, int maxBatchEvents, int maxQueuedEvents, int maxQueuedUrgentEvents,
                      int maxQueuedSafetyEvents, SpaceBudget space, Watchdog watchdog) throws SQLException {
        this.connection = connection;
        this.maxBatchEvents = maxBatchEvents;
        this.admission = new LaneAdmission(maxQueuedSafetyEvents, maxQueuedUrgentEvents, maxQueuedEvents, space);
        this.space = space;
        this.watchdog = watchdog;
        connection.setAutoCommit(false);
        // prepared here, on the activating thread: a file the statements do not fit fails the
        // store's activation, with the reason, instead of a writer thread that dies unseen
        this.insert = connection.prepareStatement(EventTable.INSERT);
        this.devices = new DeviceRefs(connection);
        this.trail = new Trail(connection);
        space.check(connection);
        // stalled: appends are waiting and no round has finished for a minute (a disk that hangs)
        this.heartbeat = watchdog.watch("store writer", Duration.ofSeconds(60),
                () -> !queue.isEmpty() || !urgent.isEmpty() || !safety.isEmpty());
        this.thread = new Thread(this::loop, "store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Void> append(List<CampusEvent> events) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (events.isEmpty()) {
            done.complete(null);
            return done;
        }
        int n = events.size();
        Lane lane = LaneAdmission.laneOf(events);
        String refusal = admission.admit(lane, n);
        if (refusal != null) {
            done.completeExceptionally(new BackpressureException(refusal));
            return done;
        }
        EventTable.Row[] rows = new EventTable.Row[n];
        for (int i = 0; i < n; i++) {
            rows[i] = EventTable.Row.of(events.get(i));
        }
        if (!enqueue(new Append(rows, done, lane))) {
            admission.refused(lane, n);
            done.completeExceptionally(closed());
        }
        return done;
    }

    /** Runs a task on the writer thread between two commits, in its own transaction. */
    CompletableFuture<Object> submit(SqlTask task) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        if (!enqueue(new Task(task, done))) {
            done.completeExceptionally(closed());
        }
        return done;
    }

    private synchronized boolean enqueue(Job job) {
        if (!running) {
            return false;
        }
        if (job instanceof Append a && a.urgent()) {
            (a.lane() == Lane.SAFETY ? safety : urgent).add(a);
            queue.add(WAKE);
            return true;
        }
        return queue.add(job);
    }

    private synchronized boolean running() {
        return running;
    }

    /** What the writer has done: the store adds what the retention job deleted and the write-ahead log's size. */
    org.campusedge.api.StoreStats stats(long retentionDeleted, long walBytes) {
        return new org.campusedge.api.StoreStats(written.get(), commits.get(), admission.queued(), admission.failed(), retentionDeleted,
                walBytes, lastFailure, commitNanos.get(), newestFailed);
    }

    /** Bytes the store may still write (the smaller of its cap and the file system's free space). */
    long freeBytes() {
        return space.freeBytes();
    }

    private void loop() {
        List<Append> batch = new ArrayList<>();
        Throwable death = null;
        try (insert) {
            while (running() || !queue.isEmpty() || !urgent.isEmpty() || !safety.isEmpty()) {
                heartbeat.beat();
                Job first = safety.poll();
                if (first == null) {
                    first = urgent.poll();
                }
                if (first == null) {
                    first = queue.poll(200, TimeUnit.MILLISECONDS);
                }
                if (first == null || first instanceof Wake) {
                    continue;
                }
                if (first instanceof Task t) {
                    runTask(t, devices);
                    continue;
                }
                batch.add((Append) first);
                int events = ((Append) first).rows().length;
                // the safety and urgent lanes first, then whatever bulk is waiting, up to the batch limit, without waiting for more
                Append a;
                while (events < maxBatchEvents && ((a = safety.poll()) != null || (a = urgent.poll()) != null)) {
                    batch.add(a);
                    events += a.rows().length;
                }
                // a commit that carries an alarm stays short: the bulk beside it is capped, the rest waits for the next one
                boolean carriesAlarm = batch.stream().anyMatch(Append::urgent);
                int limit = carriesAlarm ? Math.min(maxBatchEvents, events + URGENT_BATCH_BULK) : maxBatchEvents;
                Job next;
                while (events < limit && ((next = queue.peek()) instanceof Append || next instanceof Wake)) {
                    queue.poll();
                    if (next instanceof Append b) {
                        batch.add(b);
                        events += b.rows().length;
                    }
                }
                commit(insert, devices, batch, events);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            death = e;
        } catch (SQLException | RuntimeException | Error e) {
            LOG.error("The event store writer stopped: {}", e.getMessage(), e);
            death = e;
        } finally {
            boolean closing;
            synchronized (this) {
                closing = !running;
                running = false;
            }
            failRemaining(batch);
            heartbeat.close();
            if (!closing) {
                watchdog.fatal("the event store writer", death != null ? death : new IllegalStateException("its thread ended"));
            }
        }
    }

    private void commit(PreparedStatement insert, DeviceRefs devices, List<Append> batch, int events) {
        refuseWhatTheDiskCannotTake(batch);
        events = batch.stream().mapToInt(a -> a.rows().length).sum();
        if (batch.isEmpty()) {
            return;
        }
        List<Append> done = List.copyOf(batch);
        Exception failure = null;
        long started = System.nanoTime();
        try {
            List<EventTable.Row> rows = batch.stream().flatMap(a -> java.util.Arrays.stream(a.rows())).toList();
            for (EventTable.Row r : rows) {
                EventTable.bind(insert, r, devices.refOf(r.event()));
            }
            trail.linkStored(rows, insert.executeBatch());
            connection.commit();
            trail.committed();
            written.addAndGet(events);
            commits.incrementAndGet();
            commitNanos.addAndGet(System.nanoTime() - started);
            newestFailed = false;
        } catch (SQLException | RuntimeException e) {
            failure = e;
            admission.failed(events);
            lastFailure = e.getMessage();
            newestFailed = true;
            LOG.warn("A group commit of {} events failed: {}", events, e.getMessage());
            Transactions.restart(connection, insert, devices);
            trail.rolledBack(connection);
        }
        for (Append a : batch) {
            admission.left(a.lane(), a.rows().length);
        }
        // what waits for the commit (bus fan-out, device answers) runs on the completer thread, so
        // the writer can start the next transaction at once
        Exception outcome = failure;
        Runnable complete = () -> done.forEach(a -> {
            if (outcome == null) {
                a.done().complete(null);
            } else {
                a.done().completeExceptionally(outcome);
            }
        });
        answer(complete);
    }

    /** The trail's head as last committed (read on the writer's thread, or for a glance). */
    Trail.Head trailHead() {
        return trail.current();
    }

    /** Runs what waits for a commit on the completer thread, or here if the store is closing (rather than drop an answer). */
    private void answer(Runnable r) {
        try {
            completer.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            r.run();
        }
    }

    /**
     * Measures the space left and fails, unwritten, the appends of lanes the disk no longer takes
     * (they were queued before it filled up); the rest of the batch is written.
     */
    private void refuseWhatTheDiskCannotTake(List<Append> batch) {
        try {
            space.check(connection);
        } catch (SQLException e) {
            LOG.debug("could not measure the space left: {}", e.getMessage());
            return;
        }
        for (java.util.Iterator<Append> it = batch.iterator(); it.hasNext(); ) {
            Append a = it.next();
            String noSpace = space.refusal(a.lane());
            if (noSpace != null) {
                it.remove();
                admission.refused(a.lane(), a.rows().length);
                BackpressureException refused = new BackpressureException(noSpace);
                answer(() -> a.done().completeExceptionally(refused));
            }
        }
    }

    private void runTask(Task t, DeviceRefs devices) {
        try {
            Object result = t.task().run(connection);
            connection.commit();
            t.done().complete(result);
        } catch (SQLException | RuntimeException e) {
            Transactions.restart(connection, null, devices);
            t.done().completeExceptionally(e);
        }
    }

    private void failRemaining(List<Append> inHand) {
        IllegalStateException closed = closed();
        for (Append a : inHand) {
            admission.left(a.lane(), a.rows().length);
            a.done().completeExceptionally(closed);
        }
        Job j;
        while ((j = safety.poll()) != null || (j = urgent.poll()) != null || (j = queue.poll()) != null) {
            if (j instanceof Append a) {
                admission.refused(a.lane(), a.rows().length);
                a.done().completeExceptionally(closed);
            } else if (j instanceof Task t) {
                t.done().completeExceptionally(closed);
            }
        }
    }

    private static IllegalStateException closed() {
        return new IllegalStateException("the event store is closed");
    }

    /**
     * Stops taking appends, commits what is queued, stops the thread, then lets the last
     * acknowledgements out.
     */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            running = false;
        }
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (thread.isAlive()) {
            LOG.warn("The event store writer did not finish within 30 s; closing anyway");
        }
        completer.shutdown();
        completer.awaitTermination(10, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return thread.isAlive();
    }
}
