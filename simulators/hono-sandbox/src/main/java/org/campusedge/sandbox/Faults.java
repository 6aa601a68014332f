package org.campusedge.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * Switches that make the sandbox misbehave on purpose, for testing a client's error handling.
 * Safe to call from any thread.
 */
public final class Faults {

    /** How device-side messages (telemetry, events, command responses) are settled. */
    public enum Mode {
        /** Normal processing: forwarded, then settled with the real outcome. */
        ACCEPT,
        /** Not forwarded; settled {@code released} (as when Hono has no downstream capacity). */
        RELEASE,
        /** Not forwarded; settled {@code rejected} with {@code amqp:resource-limit-exceeded}. */
        REJECT
    }

    /** What {@link #down()} and {@link #up()} act on. */
    interface Switch {
        void down();

        void up();
    }

    private final Switch listeners;
    private volatile Mode mode = Mode.ACCEPT;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean down;

    Faults(final Switch listeners) {
        this.listeners = listeners;
    }

    /**
     * Closes every connection on both listeners and stops listening: new connects fail.
     * Blocks until done.
     */
    public void down() {
        synchronized (this) {
            if (!down) {
                listeners.down();
                down = true;
            }
        }
    }

    /**
     * Listens again, on the same ports as before. Blocks until listening.
     *
     * @throws IllegalStateException if a port cannot be bound again
     */
    public void up() {
        synchronized (this) {
            if (down) {
                listeners.up();
                down = false;
            }
        }
    }

    /**
     * @param m how to settle device-side messages from now on
     */
    public void mode(final Mode m) {
        this.mode = Objects.requireNonNull(m, "mode");
    }

    /**
     * @param d how long to hold back each device-side disposition (zero = none)
     */
    public void delay(final Duration d) {
        if (Objects.requireNonNull(d, "delay").isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        this.delay = d;
    }

    /** Back to normal: mode ACCEPT, no delay, listening. */
    public void reset() {
        mode = Mode.ACCEPT;
        delay = Duration.ZERO;
        up();
    }

    /** @return the current mode */
    public Mode mode() {
        return mode;
    }

    /** @return the current disposition delay */
    public Duration delay() {
        return delay;
    }

    /** @return whether the listeners are down */
    public boolean isDown() {
        return down;
    }
}
