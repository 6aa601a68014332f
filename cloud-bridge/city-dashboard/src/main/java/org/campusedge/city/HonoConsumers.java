package org.campusedge.city;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.hono.application.client.amqp.AmqpApplicationClient;
import org.eclipse.hono.application.client.amqp.AmqpMessageContext;
import org.eclipse.hono.application.client.ApplicationClient;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.MessageConsumer;
import org.eclipse.hono.application.client.MessageContext;
import org.eclipse.hono.application.client.kafka.impl.KafkaDownstreamMessage;
import org.eclipse.hono.client.kafka.HonoTopic;
import org.eclipse.hono.client.kafka.consumer.AsyncHandlingAutoCommitKafkaConsumer;
import org.eclipse.hono.client.kafka.consumer.MessagingKafkaConsumerConfigProperties;
import io.vertx.core.buffer.Buffer;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one telemetry and one event consumer of a tenant open on an {@link ApplicationClient}: opens them once
 * the client is ready, and opens a consumer again whenever it is closed (by the peer, or because the connection
 * was lost) — at once when the connection comes back ({@link #reopen()}), otherwise by retrying every
 * {@code retryMillis}. Every method runs on the client's vert.x context.
 * <p>
 * Either way a message is acknowledged only once its rows are committed: over AMQP the message is accepted then
 * (released if the database fails, and Hono delivers it again); over Kafka the consumers are Hono's
 * {@link AsyncHandlingAutoCommitKafkaConsumer}, which commits a partition's offset only past records whose handling
 * is complete, and a batch the database refused is retried here until it is stored (Kafka would not deliver it
 * again). Hono's Kafka application client's own consumers are not used for this: their offsets are committed
 * whether or not the handler has stored the record yet.
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
    private final Batcher batcher;
    private final Slot telemetry = new Slot("telemetry");
    private final Slot event = new Slot("event");
    private volatile boolean ready;
    private volatile boolean closed;

    private final MessagingKafkaConsumerConfigProperties kafka;

    HonoConsumers(Context context, ApplicationClient<? extends MessageContext> client, String tenant, Sink sink,
                  long retryMillis, Executor writer, Batcher batcher) {
        this(context, client, tenant, sink, retryMillis, writer, batcher, null);
    }

    /** @param kafka the Kafka consumers' settings when the northbound is Kafka, else null */
    HonoConsumers(Context context, ApplicationClient<? extends MessageContext> client, String tenant, Sink sink,
                  long retryMillis, Executor writer, Batcher batcher, MessagingKafkaConsumerConfigProperties kafka) {
        this.kafka = kafka;
        this.writer = writer;
        this.batcher = batcher;
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
        if (kafka != null) {
            String topic = new HonoTopic(slot == telemetry ? HonoTopic.Type.TELEMETRY : HonoTopic.Type.EVENT, tenant).toString();
            AsyncHandlingAutoCommitKafkaConsumer<Buffer> consumer = new AsyncHandlingAutoCommitKafkaConsumer<>(
                    context.owner(), Set.of(topic), record -> writeOffLoop(new KafkaDownstreamMessage(record)),
                    kafka.getConsumerConfig(slot.name));
            // a broker whose name does not resolve yet (a start order) is tried again, for ever
            consumer.setConsumerCreationRetriesTimeout(org.eclipse.hono.client.kafka.KafkaClientFactory.UNLIMITED_RETRIES_DURATION);
            // every record is the city's to store, whatever time-to-live a tenant gives its messages
            consumer.setRespectTtl(false);
            Promise<Void> ready = Promise.promise();
            consumer.addOnKafkaConsumerReadyHandler(ready);
            MessageConsumer handle = consumer::stop;
            return consumer.start().compose(v -> ready.future()).map(v -> handle);
        }
        if (client instanceof AmqpApplicationClient amqp) {
            // the AMQP client settles a message when the handler's future completes: the database write runs on the
            // writer thread, off the connection's event loop, and the message is accepted once it is durable
            java.util.function.Function<DownstreamMessage<AmqpMessageContext>, Future<Void>> handler = m -> writeOffLoop(m);
            return slot == telemetry ? amqp.createTelemetryConsumer(tenant, handler, onClose)
                    : amqp.createEventConsumer(tenant, handler, onClose);
        }
        // other clients (Kafka): the handler's return is the acknowledgement, so it writes before returning
        return slot == telemetry
                ? client.createTelemetryConsumer(tenant, sink::accept, onClose)
                : client.createEventConsumer(tenant, sink::accept, onClose);
    }

    /** Runs the writes of these messages as one transaction (the database's group commit). */
    interface Batcher {
        void batch(List<DownstreamMessage<? extends MessageContext>> messages, Runnable writes) throws Exception;
    }

    private record Pending(DownstreamMessage<? extends MessageContext> message, Context origin, Promise<Void> done) {
    }

    private static final int MAX_BATCH = 500;
    private final java.util.concurrent.LinkedBlockingQueue<Pending> pending = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Queues the message for the writer thread and returns the future the AMQP client settles it by: the writer
     * stores what has queued up in one transaction, in arrival order, and completes each future on the event loop
     * the message came from once the commit is done (accepted), or failed (released, Hono delivers it again).
     */
    private Future<Void> writeOffLoop(DownstreamMessage<? extends MessageContext> m) {
        Pending p = new Pending(m, Vertx.currentContext(), Promise.promise());
        pending.add(p);
        if (draining.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
        return p.done().future();
    }

    private void drain() {
        try {
            List<Pending> batch = new ArrayList<>();
            while (pending.drainTo(batch, MAX_BATCH) > 0) {
                List<Pending> todo = batch;
                while (!todo.isEmpty()) {
                    Throwable[] failed = store(todo);
                    List<Pending> again = new ArrayList<>();
                    for (int i = 0; i < todo.size(); i++) {
                        if (failed[i] != null && kafka != null) {
                            if (!closed) {
                                again.add(todo.get(i)); // Kafka will not deliver it again: keep it, in order, until stored
                            } // closing: left incomplete, so its offset is not committed and the group reads it again
                        } else {
                            settle(todo.get(i), failed[i]);
                        }
                    }
                    boolean anyFailed = java.util.Arrays.stream(failed).anyMatch(java.util.Objects::nonNull);
                    if (anyFailed) {
                        try {
                            Thread.sleep(1000); // the database is failing: what is retried or released comes back, but not in a tight loop
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    todo = again;
                }
                batch.clear();
            }
        } finally {
            draining.set(false);
            if (!pending.isEmpty() && draining.compareAndSet(false, true)) {
                writer.execute(this::drain);
            }
        }
    }

    /** Stores the messages as one transaction; returns, per message, why it was not stored (null: stored). */
    private Throwable[] store(List<Pending> batch) {
        Throwable[] failed = new Throwable[batch.size()];
        try {
            batcher.batch(batch.stream().<DownstreamMessage<? extends MessageContext>>map(Pending::message).toList(), () -> {
                java.util.Arrays.fill(failed, null); // the writes may run twice (see CityDatabase.batch): the last run tells
                for (int i = 0; i < batch.size(); i++) {
                    try {
                        sink.accept(batch.get(i).message());
                    } catch (RuntimeException e) {
                        failed[i] = e;
                    }
                }
            });
        } catch (Exception e) {
            java.util.Arrays.fill(failed, e); // the commit failed: none of them is stored
        }
        return failed;
    }

    private static void settle(Pending p, Throwable failure) {
        Handler<Void> settle = v -> {
            if (failure == null) {
                p.done().complete();
            } else {
                p.done().fail(failure);
            }
        };
        if (p.origin() != null) {
            p.origin().runOnContext(settle);
        } else {
            settle.handle(null);
        }
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
