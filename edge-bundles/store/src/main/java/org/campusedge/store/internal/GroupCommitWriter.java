package org.campusedge.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.api.BackpressureException;
import org.campusedge.api.CampusEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer: one thread that takes every append queued since its last commit, writes
 * them in one transaction, commits, and only then completes their futures. Under load many appends
 * share one commit (and one fsync); when idle an append is committed alone, at once.
 *
 * <p>The queue is bounded in events: an append that would overflow it fails at once with
 * {@link BackpressureException} so a connector can tell its device to retry instead of the
 * gateway running out of memory.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Work for the writer thread: an append, or a maintenance task run between commits. */
    private sealed interface Job permits Append, Task {
    }

    private record Append(EventTable.Row[] rows, CompletableFuture<Void> done) implements Job {
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
    private final int maxQueuedEvents;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedEvents = new AtomicInteger();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-acks");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running = true;

    GroupCommitWriter(Connection connection, int maxBatchEvents, int maxQueuedEvents) throws SQLException {
        this.connection = connection;
        this.maxBatchEvents = maxBatchEvents;
        this.maxQueuedEvents = maxQueuedEvents;
        connection.setAutoCommit(false);
        this.thread = new Thread(this::loop, "store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Void> append(List<CampusEvent> events) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("the event store is closed"));
            return done;
        }
        if (events.isEmpty()) {
            done.complete(null);
            return done;
        }
        int n = events.size();
        if (queuedEvents.addAndGet(n) > maxQueuedEvents) {
            queuedEvents.addAndGet(-n);
            failed.addAndGet(n);
            done.completeExceptionally(new BackpressureException("the event store has " + maxQueuedEvents
                    + " events waiting to be written; retry later"));
            return done;
        }
        EventTable.Row[] rows = new EventTable.Row[n];
        for (int i = 0; i < n; i++) {
            rows[i] = EventTable.Row.of(events.get(i));
        }
        queue.add(new Append(rows, done));
        return done;
    }

    /** Runs a task on the writer thread between two commits, in its own transaction. */
    CompletableFuture<Object> submit(SqlTask task) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("the event store is closed"));
        } else {
            queue.add(new Task(task, done));
        }
        return done;
    }

    long written() {
        return written.get();
    }

    long commits() {
        return commits.get();
    }

    long failed() {
        return failed.get();
    }

    int queued() {
        return queuedEvents.get();
    }

    private void loop() {
        List<Append> batch = new ArrayList<>();
        try (PreparedStatement insert = connection.prepareStatement(EventTable.INSERT)) {
            DeviceRefs devices = new DeviceRefs(connection);
            while (running || !queue.isEmpty()) {
                Job first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (first instanceof Task t) {
                    runTask(t);
                    continue;
                }
                batch.add((Append) first);
                int events = ((Append) first).rows().length;
                // take whatever else is waiting, up to the batch limit, without waiting for more
                Job next;
                while (events < maxBatchEvents && (next = queue.peek()) instanceof Append a) {
                    queue.poll();
                    batch.add(a);
                    events += a.rows().length;
                }
                commit(insert, devices, batch, events);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.error("The event store writer stopped: {}", e.getMessage(), e);
        } finally {
            running = false;
            failRemaining();
        }
    }

    private void commit(PreparedStatement insert, DeviceRefs devices, List<Append> batch, int events) {
        try {
            for (Append a : batch) {
                for (EventTable.Row r : a.rows()) {
                    EventTable.bind(insert, r, devices.refOf(r.event()));
                }
            }
            insert.executeBatch();
            connection.commit();
            devices.committed();
            written.addAndGet(events);
            commits.incrementAndGet();
            queuedEvents.addAndGet(-events);
            List<Append> committed = List.copyOf(batch);
            // what waits for the commit (bus fan-out, device answers) runs on the completer thread, so
            // the writer can start the next transaction at once
            completer.execute(() -> committed.forEach(a -> a.done().complete(null)));
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(insert);
            devices.rolledBack();
            queuedEvents.addAndGet(-events);
            failed.addAndGet(events);
            LOG.warn("A group commit of {} events failed: {}", events, e.getMessage());
            List<Append> failedBatch = List.copyOf(batch);
            completer.execute(() -> failedBatch.forEach(a -> a.done().completeExceptionally(e)));
        }
    }

    private void runTask(Task t) {
        try {
            Object result = t.task().run(connection);
            connection.commit();
            t.done().complete(result);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(null);
            t.done().completeExceptionally(e);
        }
    }

    private void rollbackQuietly(PreparedStatement insert) {
        try {
            if (insert != null) {
                insert.clearBatch();
            }
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed", e);
        }
    }

    private void failRemaining() {
        Job j;
        while ((j = queue.poll()) != null) {
            IllegalStateException closed = new IllegalStateException("the event store is closed");
            if (j instanceof Append a) {
                failed.addAndGet(a.rows().length);
                a.done().completeExceptionally(closed);
            } else if (j instanceof Task t) {
                t.done().completeExceptionally(closed);
            }
        }
    }

    /** Commits what is queued, then stops the thread. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        completer.shutdown();
        completer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
