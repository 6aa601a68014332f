package org.campusedge.api;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The gateway's one event stream. Producers publish; the bus makes the events durable in the
 * {@link EventStore} first and only then hands them to every subscriber. Each subscriber has its own
 * bounded buffer and thread: a slow subscriber sheds its oldest events (counted in
 * {@link #subscribers()}) and never slows producers or other subscribers.
 */
public interface EventBus {

    /**
     * Publishes events. The stage completes when they are durable, which is when a connector may
     * acknowledge to the device; delivery to subscribers happens after that, asynchronously.
     */
    CompletionStage<Void> publish(List<CampusEvent> events);

    /**
     * Subscribes a named consumer with a buffer of {@code capacity} events. The listener is called on
     * the subscription's own thread, one event at a time, in publish order.
     */
    Subscription subscribe(String name, int capacity, Consumer<CampusEvent> listener);

    /** Per-subscriber counters: delivered, shed, buffered. */
    List<SubscriberStats> subscribers();

    /** A live subscription; closing it stops delivery and frees its thread. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Counters of one subscriber. */
    record SubscriberStats(String name, int capacity, long delivered, long shed, long failed) {
    }
}
