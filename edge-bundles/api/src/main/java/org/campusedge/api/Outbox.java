package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/**
 * Store-and-forward for the cloud: messages waiting to go to the city (Hono), durable in SQLite,
 * in two lanes — CRITICAL (critical alarms and their acknowledgement/clearing) drained before
 * TELEMETRY (summaries) — each in the order it was queued. A message leaves only when the forwarder
 * says it was accepted, so delivery is at least once; the event id goes with it so the city can
 * drop duplicates. The outbox has a disk budget: when it is full, the oldest telemetry is shed
 * (counted), critical messages never.
 */
public interface Outbox {

    /** The two lanes, drained in this order. */
    enum Lane { CRITICAL, TELEMETRY }

    /**
     * One queued message.
     *
     * @param seq      its place in the outbox (increasing in queue order)
     * @param address  Hono address: {@code event//DEVICE}, {@code telemetry} (the gateway itself), ...
     * @param attempts how many times sending it failed so far
     */
    record Message(long seq, Lane lane, String eventId, String address, String contentType, byte[] payload,
                   Instant queuedAt, int attempts) {
    }

    /**
     * Depth and size of the outbox, what the budget made it shed, and how many messages were parked
     * (refused by the cloud for good: kept on disk for a person to look at, out of the lane's way).
     */
    record Stats(long critical, long telemetry, long bytes, long budgetBytes, long shedTelemetry, Instant oldestCritical,
                 Instant oldestTelemetry, long parked) {
    }

    /**
     * Queues a message durably; queuing the same event id twice in a lane keeps one. Returns once it
     * is on disk.
     */
    void enqueue(Lane lane, String eventId, String address, String contentType, byte[] payload);

    /** The oldest messages of a lane, up to {@code max}, in queue order. */
    List<Message> peek(Lane lane, int max);

    /** The message was accepted by the cloud: it leaves the outbox. */
    void delivered(long seq);

    /** Sending the message failed (released, no credit, connection lost): it stays, its attempts count up. */
    void failed(long seq);

    /**
     * The cloud refuses the message for good (it is malformed, or addressed to a device the cloud will
     * not take from this gateway): it leaves its lane so that the messages behind it can go, and is
     * kept, with the reason, among the parked messages. Nothing is deleted.
     */
    void park(long seq, String reason);

    Stats stats();
}
