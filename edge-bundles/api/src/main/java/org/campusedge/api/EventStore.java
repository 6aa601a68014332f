package org.campusedge.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The gateway's durable event log (SQLite). Appends are group-committed: the returned stage
 * completes once the events are on disk, which is when a connector may acknowledge to its device.
 */
public interface EventStore {

    /**
     * Queues events for the next group commit. The stage completes normally when they are durable,
     * exceptionally when they could not be written (the store is closed or the disk failed).
     */
    CompletionStage<Void> append(List<CampusEvent> events);

    /** Events matching the query, oldest first. */
    List<CampusEvent> query(EventQuery query);

    /** How many stored events match the query. */
    long count(EventQuery query);

    /** Counters for the console and the benchmark. */
    StoreStats stats();

    /** How long each class of event is kept, and why, a line each (for the admin page); empty when nothing is deleted. */
    default List<String> retention() {
        return List.of();
    }

    /** A card's events ({@code card.*}) under any of {@code pseudonyms}, oldest first: a subject-access export. */
    default List<CampusEvent> cardEvents(java.util.Collection<String> pseudonyms) {
        throw new UnsupportedOperationException("this store cannot find a card's events");
    }

    /**
     * Deletes a card's events ({@code card.*}) under any of {@code pseudonyms}: an erasure. Completes
     * with how many were deleted, once that is durable. Backups taken before keep them until they age out.
     */
    default CompletionStage<Integer> eraseCardEvents(java.util.Collection<String> pseudonyms) {
        throw new UnsupportedOperationException("this store cannot erase a card's events");
    }

    /** Checks the whole trail of alarm transitions and audit records; empty when this store keeps none. */
    default java.util.Optional<TrailStatus> verifyTrail() {
        return java.util.Optional.empty();
    }

    /** The trail's head as last committed (links 0: not checked), cheap; empty when this store keeps none. */
    default java.util.Optional<TrailStatus> trailHead() {
        return java.util.Optional.empty();
    }
}
