package org.campusedge.rules.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.campusedge.api.CampusEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the alarm book's transitions to the store, in the order they were made, and never drops
 * one: a publish that fails (the store's alarm lane is full, the disk is full, a commit failed) is
 * retried, with a growing pause up to {@link #MAX_PAUSE_MS}, until it is durable; what was made
 * after it waits behind it, so the store never holds an acknowledgement before the raise it
 * acknowledges. Each transition's future completes when it is durable, which is when a person may
 * be told that their acknowledgement stands.
 *
 * <p>What it cannot do: keep a transition across a restart of the gateway while the store is
 * failing (there is nowhere durable to put it). {@link #stats()} shows how many wait and since
 * when, so the console and the watchdog can tell.
 */
final class TransitionJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransitionJournal.class);
    static final long FIRST_PAUSE_MS = 250;
    static final long MAX_PAUSE_MS = 5_000;
    /** Most transitions in one publish: one commit. */
    private static final int MAX_BATCH = 500;

    /** A transition waiting to be durable. */
    private record Pending(CampusEvent event, CompletableFuture<Void> durable, Instant since) {
    }

    /** What the journal is doing: waiting transitions, since when, publishes that failed, and why the last one did. */
    record Stats(int waiting, Instant oldestSince, long failedPublishes, String lastFailure) {
    }

    private final Function<List<CampusEvent>, CompletionStage<Void>> publish;
    private final Clock clock;
    private final ScheduledExecutorService retries;
    private final Deque<Pending> waiting = new ArrayDeque<>();
    /** The batch being published, at the head of {@link #waiting}; empty when none is. */
    private List<Pending> inFlight = List.of();
    private long pauseMs = FIRST_PAUSE_MS;
    private long failedPublishes;
    private String lastFailure;
    private boolean closed;

    TransitionJournal(Function<List<CampusEvent>, CompletionStage<Void>> publish, Clock clock) {
        this.publish = publish;
        this.clock = clock;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alarm-journal");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a transition behind those made before it; the future completes when it is durable. */
    CompletableFuture<Void> submit(CampusEvent transition) {
        Pending p = new Pending(transition, new CompletableFuture<>(), clock.instant());
        synchronized (this) {
            if (closed) {
                p.durable().completeExceptionally(new IllegalStateException("the alarm journal is closed"));
                return p.durable();
            }
            waiting.add(p);
            if (!inFlight.isEmpty()) {
                return p.durable(); // goes in the next batch, once the one in flight is durable
            }
        }
        sendNext();
        return p.durable();
    }

    private void sendNext() {
        List<Pending> batch;
        synchronized (this) {
            if (closed || !inFlight.isEmpty() || waiting.isEmpty()) {
                return;
            }
            batch = new ArrayList<>();
            for (Pending p : waiting) {
                if (batch.size() == MAX_BATCH) {
                    break;
                }
                batch.add(p);
            }
            inFlight = batch;
        }
        CompletionStage<Void> stage;
        try {
            stage = publish.apply(batch.stream().map(Pending::event).toList());
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((ok, failure) -> settled(batch, failure));
    }

    private void settled(List<Pending> batch, Throwable failure) {
        if (failure == null) {
            synchronized (this) {
                for (int i = 0; i < batch.size(); i++) {
                    waiting.poll();
                }
                inFlight = List.of();
                pauseMs = FIRST_PAUSE_MS;
            }
            batch.forEach(p -> p.durable().complete(null));
            sendNext();
            return;
        }
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        long pause;
        boolean stopped;
        synchronized (this) {
            failedPublishes++;
            boolean first = lastFailure == null || pauseMs == FIRST_PAUSE_MS;
            lastFailure = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            pause = pauseMs;
            pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
            inFlight = List.of();
            if (first) {
                LOG.error("{} alarm transition(s) could not be stored ({}); retrying until they are", waiting.size(), lastFailure);
            }
            stopped = closed;
        }
        if (stopped) { // answered outside the lock: what waits on a future may take the alarm book's lock
            IllegalStateException closedEx = new IllegalStateException("the gateway stopped before the transition was stored");
            batch.forEach(p -> p.durable().completeExceptionally(closedEx));
            return;
        }
        try {
            retries.schedule(this::sendNext, pause, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile: close() answers those waiting
        }
    }

    synchronized Stats stats() {
        Pending head = waiting.peek();
        return new Stats(waiting.size(), head == null ? null : head.since(), failedPublishes, lastFailure);
    }

    /** Stops retrying; transitions still waiting fail (and are logged: they are lost with this run of the gateway). */
    @Override
    public void close() {
        List<Pending> lost;
        synchronized (this) {
            closed = true;
            lost = new ArrayList<>(waiting);
            lost.removeAll(inFlight);
            waiting.clear();
        }
        retries.shutdownNow();
        if (!lost.isEmpty()) {
            LOG.error("{} alarm transition(s) were never stored: the store kept failing ({})", lost.size(), lastFailure);
        }
        IllegalStateException closedEx = new IllegalStateException("the gateway stopped before the transition was stored");
        lost.forEach(p -> p.durable().completeExceptionally(closedEx));
    }
}
