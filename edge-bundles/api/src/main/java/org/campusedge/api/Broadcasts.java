package org.campusedge.api;

import java.util.concurrent.CompletionStage;

/**
 * Sends commands to the school's broadcast controllers through their Camel command routes, so a
 * rule, a schedule, the console and the city all use one path. Every command and what became of it
 * is stored as an event ({@code broadcast.requested}, or {@code broadcast.fault} when the
 * controller could not be reached), so a missed play is on record, not silently dropped.
 */
public interface Broadcasts {

    /** Completes when the controller answered or was given up on (a few seconds); never exceptionally for a controller fault. */
    CompletionStage<BroadcastResult> send(BroadcastRequest request);
}
