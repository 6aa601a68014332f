package org.campusedge.api;

import java.time.Instant;

/**
 * The gateway's link to the city's cloud (Eclipse Hono), for the console: whether it is connected,
 * what waits in the outbox, what the city last accepted and what it asked.
 */
public interface CloudLink {

    /**
     * @param endpoint          where the link goes ({@code amqp://host:port}, as gateway@tenant)
     * @param connected         the AMQP connection to Hono is up
     * @param since             when it last connected or disconnected, or null before the first attempt
     * @param accepted          messages Hono accepted since the gateway started
     * @param refused           sends that failed (released, rejected, timed out, no credit) and will be retried
     * @param lastAccepted      when Hono last accepted a message, or null
     * @param commands          commands received from the city since the gateway started
     * @param lastCommand       the last command: name, status and when, or null
     * @param lastError         the last failure, one line, or null
     * @param outbox            depth per lane and what the budget shed
     */
    record Status(String endpoint, boolean connected, Instant since, long accepted, long refused, Instant lastAccepted,
                  long commands, String lastCommand, String lastError, Outbox.Stats outbox) {
    }

    Status status();
}
