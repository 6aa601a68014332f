package org.campusedge.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Starting and stopping drills. One drill at a time per school; its start, end and interruption are
 * audit records ({@code audit.drill-started}, {@code audit.drill-ended}, {@code audit.drill-interrupted})
 * on the alarm path, so they are durable before anyone is told.
 */
public interface Drills {

    /** The drill running now, if any. */
    Optional<Drill> current();

    /**
     * Starts a drill that plays {@code kind} from {@code deviceId} once, for {@code length} at most.
     * The stage completes with the drill once its start is durable, and fails with
     * {@link IllegalStateException} when a drill runs already, {@link IllegalArgumentException}
     * when the device is unknown, the length is not within 1 minute .. {@link Drill#LONGEST}, or no
     * rule in force raises an alarm on that event (the drill would show nothing).
     */
    CompletionStage<Drill> start(String deviceId, String kind, Duration length, String name, String startedBy);

    /**
     * Ends the running drill (its alarms are cleared, its report stored as {@code audit.drill-ended});
     * completes with the drill ended, or empty when none ran.
     */
    CompletionStage<Optional<Drill>> stop(String by);
}
