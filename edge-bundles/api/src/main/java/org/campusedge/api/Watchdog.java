package org.campusedge.api;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Keeps the gateway from becoming a zombie. A part whose death or stall means the gateway no longer
 * does its job (the store writer, an ingest server, the rules, the outbox drainer) is watched here;
 * when it dies or stalls, the gateway process stops with a reason and its supervisor (systemd)
 * starts it again. Nothing acknowledged is lost on that path: acknowledgements follow commits.
 */
public interface Watchdog {

    /** Exit status of a gateway stopped by its watchdog (EX_SOFTWARE). */
    int EXIT_STATUS = 70;

    /**
     * Watches a part that shows progress by calling {@link Heartbeat#beat()}. The part is stalled,
     * and the gateway stops, when {@code busy} says it has work waiting and it has not beaten for
     * {@code maxSilence}; an idle part may stay silent for ever.
     */
    Heartbeat watch(String part, Duration maxSilence, BooleanSupplier busy);

    /**
     * Says that a part died (its thread ended with {@code cause}): the gateway stops so that its
     * supervisor restarts it. In the gateway this does not return to a useful state; in tests and
     * tools (see {@link #loggingOnly()}) it only logs.
     */
    void fatal(String part, Throwable cause);

    /**
     * A watched part as the watchdog sees it now: whether work is waiting for it and for how long it
     * has then made no progress ({@code silent}; zero while it is idle). At {@code maxSilence} the
     * gateway stops.
     */
    record Part(String name, boolean busy, Duration silent, Duration maxSilence) {
    }

    /** The parts watched now, for a health check; none when this watchdog keeps no such account. */
    default java.util.List<Part> parts() {
        return java.util.List.of();
    }

    /** The watch on one part. */
    interface Heartbeat extends AutoCloseable {
        /** The part made progress. Cheap enough to call for every message. */
        void beat();

        /** Stops watching (the part is stopping normally). */
        @Override
        void close();
    }

    /** A watchdog that only logs, for parts run outside the gateway (unit tests, benchmarks, tools). */
    static Watchdog loggingOnly() {
        System.Logger log = System.getLogger(Watchdog.class.getName());
        return new Watchdog() {
            @Override
            public Heartbeat watch(String part, Duration maxSilence, BooleanSupplier busy) {
                return new Heartbeat() {
                    @Override
                    public void beat() {
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void fatal(String part, Throwable cause) {
                log.log(System.Logger.Level.ERROR, part + " died (no supervisor here to restart the process)", cause);
            }
        };
    }
}
