package org.campusedge.sandbox;

import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

/**
 * The outcome a message gets: accepted, released (with a reason for the statistics) or rejected
 * with an AMQP error condition.
 *
 * @param state  the AMQP delivery state to settle with
 * @param reason a short reason, for statistics and logs
 */
record Outcome(DeliveryState state, String reason) {

    static final Symbol BAD_REQUEST = Symbol.valueOf("hono:bad-request");
    static final Symbol UNAUTHORIZED = Symbol.valueOf("amqp:unauthorized-access");
    static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
    static final Symbol RESOURCE_LIMIT = Symbol.valueOf("amqp:resource-limit-exceeded");

    static Outcome accepted() {
        return new Outcome(Accepted.getInstance(), "accepted");
    }

    static Outcome released(final String reason) {
        return new Outcome(Released.getInstance(), reason);
    }

    static Outcome rejected(final Symbol condition, final String description) {
        final Rejected rejected = new Rejected();
        rejected.setError(new ErrorCondition(condition, description));
        return new Outcome(rejected, condition.toString());
    }

    /**
     * Maps a far side's delivery state (null = none in time) the way Hono's clients do:
     * rejected stays rejected (hono:bad-request if it had no error), everything else is released.
     */
    static Outcome fromRemote(final DeliveryState remote) {
        if (remote instanceof Accepted) {
            return accepted();
        }
        if (remote instanceof Rejected r) {
            final ErrorCondition error = r.getError();
            return error == null || error.getCondition() == null
                    ? rejected(BAD_REQUEST, "rejected by consumer")
                    : rejected(error.getCondition(), error.getDescription());
        }
        if (remote instanceof Modified) {
            return released("modified by consumer");
        }
        if (remote instanceof Released) {
            return released("released by consumer");
        }
        return released("no disposition in time");
    }

    boolean isAccepted() {
        return state instanceof Accepted;
    }

    boolean isRejected() {
        return state instanceof Rejected;
    }
}
