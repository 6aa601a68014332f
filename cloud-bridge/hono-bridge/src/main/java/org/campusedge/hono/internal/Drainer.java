package org.campusedge.hono.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.campusedge.api.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox to the cloud on its own thread: the critical lane first, then telemetry, each in
 * queue order, one message at a time (the next goes once the previous was accepted, so order holds
 * even across failures), at no more than {@code maxPerSecond}. A message leaves the outbox only when
 * Hono accepted it. A failure (released, rejected, timeout, no connection) keeps it and backs off,
 * doubling from {@code minBackoff} up to {@code maxBackoff} with jitter, so a refusing cloud is not
 * hammered in a hot loop; an accepted message resets the back-off. A newly queued critical message
 * cuts a back-off on telemetry short. A message that has failed {@value #PARK_AFTER} times, the last
 * time refused by the cloud as the sender's fault (or that cannot even be sent at all), is parked: kept on disk, counted, out of
 * the lane's way, so that one bad message cannot block the school's alarms.
 */
final class Drainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Drainer.class);
    private static final int BATCH = 50;
    private static final long SEND_TIMEOUT_S = 30;
    static final int PARK_AFTER = 5;

    private final Outbox outbox;
    private final CloudSender sender;
    private final long minIntervalNanos;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running = true;
    private volatile boolean woken;
    private volatile boolean criticalQueued;

    final AtomicLong accepted = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong parked = new AtomicLong();
    volatile Instant lastAccepted;
    volatile String lastError;

    /** Told of each critical message Hono accepted (an alarm transition: its ledger's "accepted by Hono" hop). */
    private volatile java.util.function.BiConsumer<Outbox.Message, Instant> onCriticalAccepted = (m, at) -> { };

    void onCriticalAccepted(java.util.function.BiConsumer<Outbox.Message, Instant> listener) {
        this.onCriticalAccepted = listener;
    }

    Drainer(Outbox outbox, CloudSender sender, int maxPerSecond, Duration minBackoff, Duration maxBackoff) {
        this.outbox = outbox;
        this.sender = sender;
        this.minIntervalNanos = maxPerSecond <= 0 ? 0 : 1_000_000_000L / maxPerSecond;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, "cloud-drain");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Something was queued or the link came up: look now rather than at the next tick. */
    void wakeUp() {
        signal(false);
    }

    /** A critical message was queued: look now, even when backing off from refused telemetry. */
    void wakeUpCritical() {
        signal(true);
    }

    private void signal(boolean critical) {
        lock.lock();
        try {
            woken = true;
            criticalQueued |= critical;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration backoff = minBackoff;
        long nextSend = System.nanoTime();
        while (running) {
            try {
                if (!sender.connected()) {
                    sleep(Duration.ofMillis(500));
                    continue;
                }
                List<Outbox.Message> batch = outbox.peek(Outbox.Lane.CRITICAL, BATCH);
                if (batch.isEmpty()) {
                    batch = outbox.peek(Outbox.Lane.TELEMETRY, BATCH);
                }
                if (batch.isEmpty()) {
                    sleep(Duration.ofSeconds(1));
                    continue;
                }
                boolean failed = false;
                Outbox.Lane failedLane = null;
                if (batch.get(0).lane() == Outbox.Lane.CRITICAL) {
                    criticalQueued = false;
                }
                for (Outbox.Message m : batch) {
                    long wait = nextSend - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    nextSend = Math.max(nextSend, System.nanoTime()) + minIntervalNanos;
                    if (!running) {
                        return;
                    }
                    Throwable failure = null;
                    try {
                        sender.send(m).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        failure = e.getCause() != null ? e.getCause() : e;
                    } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
                        failure = e;
                    }
                    if (failure == null) {
                        outbox.delivered(m.seq());
                        accepted.incrementAndGet();
                        lastAccepted = Instant.now();
                        backoff = minBackoff;
                        if (m.lane() == Outbox.Lane.CRITICAL) {
                            try {
                                onCriticalAccepted.accept(m, lastAccepted);
                            } catch (RuntimeException e) {
                                LOG.warn("Recording that {} was accepted failed: {}", m.eventId(), e.toString());
                            }
                        }
                    } else {
                        refused.incrementAndGet();
                        lastError = Instant.now() + " " + m.lane() + " " + m.eventId() + ": " + failure;
                        // a message that cannot even be sent (a bad address) is refused for good at once
                        boolean unsendable = failure instanceof IllegalArgumentException;
                        if (unsendable || (sender.permanent(failure) && m.attempts() + 1 >= PARK_AFTER)) {
                            outbox.park(m.seq(), failure.toString());
                            parked.incrementAndGet();
                            LOG.warn("Cloud refuses {} ({}) for good after {} attempt(s): {}; parked", m.eventId(), m.lane(),
                                    m.attempts() + 1, failure.toString());
                        } else {
                            outbox.failed(m.seq());
                            LOG.info("Cloud did not take {} ({} attempt {}): {}; retrying in {} ms", m.eventId(), m.lane(),
                                    m.attempts() + 1, failure.toString(), backoff.toMillis());
                        }
                        failed = true;
                        failedLane = m.lane();
                        break;
                    }
                    if (m.lane() == Outbox.Lane.TELEMETRY && woken) {
                        woken = false;
                        break; // something was queued meanwhile: it may be critical, which goes first
                    }
                }
                if (failed) {
                    long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, backoff.toMillis() / 4));
                    backOff(backoff.toMillis() + jitter, failedLane);
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                lastError = Instant.now() + " " + e;
                LOG.warn("Cloud drain: {}", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * Waits out a back-off. New telemetry does not cut it short (a refusing cloud is not hammered);
     * a new critical message does when what failed was telemetry.
     */
    private void backOff(long millis, Outbox.Lane failedLane) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            long left;
            while (running && (left = deadline - System.nanoTime()) > 0) {
                if (failedLane == Outbox.Lane.TELEMETRY && criticalQueued) {
                    return;
                }
                wake.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps up to {@code d}, or until woken. */
    private void sleep(Duration d) throws InterruptedException {
        lock.lock();
        try {
            if (!woken && running) {
                wake.await(d.toMillis(), TimeUnit.MILLISECONDS);
            }
            woken = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
