package org.campusedge.sandbox;

import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonLink;
import io.vertx.proton.ProtonQoS;
import io.vertx.proton.ProtonSender;

import org.apache.qpid.proton.message.Message;

import java.time.Duration;

/** Small helpers shared by both listeners. */
final class Links {

    private Links() {
    }

    /** Refuses (or closes) a link with an error condition; the local terminus stays null. */
    static void refuse(final ProtonLink<?> link, final Symbol condition, final String description) {
        link.setCondition(new ErrorCondition(condition, description));
        link.close();
    }

    /** Closes the local end of a link when the peer detaches or closes it. */
    static void closeOnRemoteDetach(final ProtonLink<?> link, final Runnable onGone) {
        link.closeHandler(ar -> {
            link.close();
            onGone.run();
        });
        link.detachHandler(ar -> {
            link.close();
            onGone.run();
        });
    }

    /** Accepts every session the peer begins (vertx-proton refuses them by default). */
    static void acceptSessions(final ProtonConnection con) {
        con.sessionOpenHandler(session -> {
            session.closeHandler(ar -> session.close());
            session.open();
        });
    }

    /** Closes and disconnects a connection, ignoring errors of an already dead one. */
    static void drop(final ProtonConnection con) {
        try {
            con.close();
        } catch (final RuntimeException ignored) {
            // already gone
        }
        try {
            con.disconnect();
        } catch (final RuntimeException ignored) {
            // already gone
        }
    }

    /**
     * Sends a message over a sender and waits (bounded) for the far side's disposition.
     *
     * @return the outcome as Hono's clients map it; released if none arrives within {@code timeout}
     */
    static Future<Outcome> sendAndWait(final Vertx vertx, final ProtonSender sender, final Message msg,
            final Duration timeout) {
        if (sender.getQoS() == ProtonQoS.AT_MOST_ONCE) {
            sender.send(msg);
            return Future.succeededFuture(Outcome.accepted());
        }
        final Promise<Outcome> result = Promise.promise();
        final long timer = vertx.setTimer(timeout.toMillis(),
                id -> result.tryComplete(Outcome.released("no disposition in time")));
        sender.send(msg, delivery -> {
            if (delivery.getRemoteState() != null || delivery.remotelySettled()) {
                vertx.cancelTimer(timer);
                result.tryComplete(Outcome.fromRemote(delivery.getRemoteState()));
            }
        });
        return result.future();
    }
}
