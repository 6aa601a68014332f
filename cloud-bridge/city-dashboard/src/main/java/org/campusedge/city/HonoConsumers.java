package org.campusedge.city;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import org.eclipse.hono.application.client.amqp.AmqpApplicationClient;
import org.eclipse.hono.application.client.amqp.AmqpMessageContext;
import org.eclipse.hono.application.client.ApplicationClient;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.MessageConsumer;
import org.eclipse.hono.application.client.MessageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one telemetry and one event consumer of a tenant open on an {@link ApplicationClient}: opens them once
 * the client is ready, and opens a consumer again whenever it is closed (by the peer, or because the connection
 * was lost) — at once when the connection comes back ({@link #reopen()}), otherwise by retrying every
 * {@code retryMillis}. Every method runs on the client's vert.x context.
 */
final class HonoConsumers {

    private static final Logger LOG = LoggerFactory.getLogger(HonoConsumers.class);

    /** What a consumer hands each message to; it returns normally once the message is safe (then it is acknowledged). */
    interface Sink {
        void accept(DownstreamMessage<? extends MessageContext> message);
    }

    private final Context context;
    private final ApplicationClient<? extends MessageContext> client;
    private final String tenant;
    private final Sink sink;
    private final long retryMillis;
    private final Executor writer;
    private final Slot telemetry = new Slot("telemetry");
    private final Slot event = new Slot("event");
    private volatile boolean ready;
    private volatile boolean closed;

    HonoConsumers(Context context, ApplicationClient<? extends MessageContext> client, String tenant, Sink sink,
                  long retryMillis, Executor writer) {
        this.writer = writer;
        this.context = context;
        this.client = client;
        this.tenant = tenant;
        this.sink = sink;
        this.retryMillis = retryMillis;
    }

    /** Opens both consumers once the client is ready (the client itself is started by the caller). */
    void start() {
        context.runOnContext(v -> client.addOnClientReadyHandler(ar -> {
            ready = true;
            reopen();
        }));
    }

    /** Opens whichever consumer is not open (e.g. after a reconnect); does nothing for those that are. */
    void reopen() {
        context.runOnContext(v -> {
            if (ready && !closed) {
                open(telemetry);
                open(event);
            }
        });
    }

    /** True while both consumers are open. */
    boolean open() {
        return telemetry.consumer != null && event.consumer != null;
    }

    /** Closes both consumers; they are not opened again. */
    Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            closed = true;
            Future.join(closeSlot(telemetry), closeSlot(event)).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    private Future<Void> closeSlot(Slot slot) {
        MessageConsumer c = slot.consumer;
        slot.consumer = null;
        return c == null ? Future.succeededFuture() : c.close().recover(t -> Future.succeededFuture());
    }

    private void open(Slot slot) {
        if (slot.consumer != null || slot.opening || closed) {
            return;
        }
        slot.opening = true;
        Handler<Throwable> onClose = cause -> {
            slot.consumer = null;
            if (!closed) {
                LOG.info("{} consumer of tenant {} closed ({}), opening it again", slot.name, tenant,
                        cause == null ? "by the peer" : cause.getMessage());
                context.owner().setTimer(retryMillis, t -> open(slot));
            }
        };
        create(slot, onClose).onComplete(ar -> {
            slot.opening = false;
            if (ar.succeeded()) {
                if (closed) {
                    ar.result().close();
                    return;
                }
                slot.consumer = ar.result();
                LOG.info("{} consumer of tenant {} open", slot.name, tenant);
            } else if (!closed) {
                LOG.debug("cannot open {} consumer yet: {}", slot.name, ar.cause().getMessage());
                context.owner().setTimer(retryMillis, t -> open(slot));
            }
        });
    }

    private Future<MessageConsumer> create(Slot slot, Handler<Throwable> onClose) {
        if (client instanceof AmqpApplicationClient amqp) {
            // the AMQP client settles a message when the handler's future completes: the database write runs on the
            // writer thread, off the connection's event loop, and the message is accepted once it is durable
            java.util.function.Function<DownstreamMessage<AmqpMessageContext>, Future<Void>> handler = this::writeOffLoop;
            return slot == telemetry ? amqp.createTelemetryConsumer(tenant, handler, onClose)
                    : amqp.createEventConsumer(tenant, handler, onClose);
        }
        // other clients (Kafka): the handler's return is the acknowledgement, so it writes before returning
        return slot == telemetry
                ? client.createTelemetryConsumer(tenant, sink::accept, onClose)
                : client.createEventConsumer(tenant, sink::accept, onClose);
    }

    /** Writes on the writer thread (in arrival order) and completes on the event loop the message came from. */
    private Future<Void> writeOffLoop(DownstreamMessage<AmqpMessageContext> m) {
        Context origin = Vertx.currentContext();
        Promise<Void> done = Promise.promise();
        writer.execute(() -> {
            Throwable failure = null;
            try {
                sink.accept(m);
            } catch (RuntimeException e) {
                failure = e;
                try {
                    Thread.sleep(1000); // the database is failing: Hono redelivers what is released, so not in a tight loop
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            Throwable f = failure;
            Handler<Void> settle = v -> {
                if (f == null) {
                    done.complete();
                } else {
                    done.fail(f);
                }
            };
            if (origin != null) {
                origin.runOnContext(settle);
            } else {
                settle.handle(null);
            }
        });
        return done.future();
    }

    /** One consumer's state; touched only on the context. */
    private static final class Slot {
        final String name;
        volatile MessageConsumer consumer;
        boolean opening;

        Slot(String name) {
            this.name = name;
        }
    }
}
