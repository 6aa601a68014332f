package org.campusedge.sandbox;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.message.Message;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonClientOptions;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonDelivery;
import io.vertx.proton.ProtonQoS;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;

/**
 * A raw vertx-proton device client for the tests, speaking to the device side the way Hono's
 * AmqpAdapterClient does (anonymous sender, receiver on a command source). Every call blocks
 * with a bounded wait.
 */
final class RawDevice implements AutoCloseable {

    static final long WAIT_MS = 5000;

    private final Vertx vertx;
    private final Context context;
    private ProtonConnection connection;
    private ProtonSender unsettled;
    private ProtonSender presettled;
    private final CompletableFuture<Void> disconnected = new CompletableFuture<>();

    private RawDevice(final Vertx vertx) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
    }

    /** Connects and opens the connection; fails if SASL or the open fails. */
    static RawDevice connect(final Vertx vertx, final int port, final String user, final String password)
            throws Exception {
        final RawDevice d = new RawDevice(vertx);
        d.connection = d.call(f -> ProtonClient.create(vertx).connect(
                new ProtonClientOptions().addEnabledSaslMechanism("PLAIN").setConnectTimeout(2000),
                "127.0.0.1", port, user, password, ar -> {
                    if (ar.failed()) {
                        f.completeExceptionally(ar.cause());
                        return;
                    }
                    final ProtonConnection con = ar.result();
                    con.disconnectHandler(c -> d.disconnected.complete(null));
                    con.closeHandler(c -> d.disconnected.complete(null));
                    con.openHandler(o -> {
                        if (o.succeeded()) {
                            f.complete(con);
                        } else {
                            f.completeExceptionally(o.cause());
                        }
                    });
                    con.open();
                }));
        return d;
    }

    ProtonConnection connection() {
        return connection;
    }

    /** @return completes when the sandbox closes or drops the connection */
    CompletableFuture<Void> disconnected() {
        return disconnected;
    }

    /**
     * Opens a sender link with the given target (null = anonymous, as Hono's client does).
     *
     * @return the sender once the peer attached with a terminus, or the peer's error if it refused
     */
    LinkResult<ProtonSender> openSender(final String target, final ProtonQoS qos) throws Exception {
        return call(f -> {
            final ProtonSender s = connection.createSender(target);
            s.setQoS(qos);
            s.openHandler(ar -> {
                if (ar.succeeded() && s.getRemoteTarget() != null) {
                    f.complete(new LinkResult<>(s, null));
                }
            });
            s.closeHandler(ar -> f.complete(new LinkResult<>(null, s.getRemoteCondition())));
            s.open();
        });
    }

    /**
     * Opens a receiver on a command source; the handler sees every command (auto-accepted after it returns).
     */
    LinkResult<ProtonReceiver> openCommandReceiver(final String source, final BiConsumer<ProtonDelivery, Message> handler)
            throws Exception {
        return call(f -> {
            final ProtonReceiver r = connection.createReceiver(source);
            r.setQoS(ProtonQoS.AT_LEAST_ONCE);
            r.setPrefetch(10);
            r.handler(handler::accept);
            r.openHandler(ar -> {
                if (ar.succeeded() && r.getRemoteSource() != null && ((Source) r.getRemoteSource()).getAddress() != null) {
                    f.complete(new LinkResult<>(r, null));
                }
            });
            r.closeHandler(ar -> f.complete(new LinkResult<>(null, r.getRemoteCondition())));
            r.open();
        });
    }

    /**
     * Sends over the anonymous sender.
     *
     * @param message    the message, {@code to} set
     * @param settled    send presettled (QoS 0)
     * @return the future disposition (never completes for presettled messages)
     */
    CompletableFuture<DeliveryState> send(final Message message, final boolean settled) throws Exception {
        final CompletableFuture<DeliveryState> outcome = new CompletableFuture<>();
        run(() -> {
            try {
                if (settled) {
                    if (presettled == null) {
                        presettled = openSenderOnContext(ProtonQoS.AT_MOST_ONCE);
                    }
                    presettled.send(message);
                } else {
                    if (unsettled == null) {
                        unsettled = openSenderOnContext(ProtonQoS.AT_LEAST_ONCE);
                    }
                    unsettled.send(message, d -> {
                        if (d.remotelySettled()) {
                            outcome.complete(d.getRemoteState());
                        }
                    });
                }
            } catch (final RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    /** Sends unsettled and waits for the disposition. */
    DeliveryState sendAndWait(final Message message) throws Exception {
        return send(message, false).get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    private ProtonSender openSenderOnContext(final ProtonQoS qos) {
        // messages may be sent before the attach is answered: vertx-proton queues them until credit arrives
        final ProtonSender s = connection.createSender(null);
        s.setQoS(qos);
        s.open();
        return s;
    }

    void run(final Runnable action) {
        context.runOnContext(v -> action.run());
    }

    <T> T call(final Consumer<CompletableFuture<T>> action) throws Exception {
        final CompletableFuture<T> f = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                action.accept(f);
            } catch (final RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        if (connection == null) {
            return;
        }
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        context.runOnContext(v -> {
            connection.closeHandler(ar -> {
                connection.disconnect();
                closed.complete(null);
            });
            connection.close();
            vertx.setTimer(1000, id -> {
                connection.disconnect();
                closed.complete(null);
            });
        });
        closed.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** A link or the error condition the peer refused it with. */
    record LinkResult<L>(L link, ErrorCondition error) {
        boolean opened() {
            return link != null;
        }
    }

    static Target target(final String address) {
        final Target t = new Target();
        t.setAddress(address);
        return t;
    }
}
