package org.campusedge.hono.internal;

import java.util.concurrent.CompletableFuture;
import org.campusedge.api.Outbox;

/** Sends one queued message to the cloud; the future completes when the cloud accepted it. */
interface CloudSender {

    boolean connected();

    /** Completes normally on {@code accepted}; exceptionally on released, rejected, timeout, no credit or no connection. */
    CompletableFuture<Void> send(Outbox.Message message);

    /**
     * True when the cloud refused the message as the sender's fault (malformed, not authorised for that
     * device): sending it again will not help. False for everything that may pass later (released, no
     * credit, resource limits, timeouts, no connection).
     */
    default boolean permanent(Throwable failure) {
        return false;
    }
}
