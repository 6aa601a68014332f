package org.campusedge.sandbox;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.MessageConsumer;
import org.eclipse.hono.application.client.amqp.AmqpMessageContext;
import org.eclipse.hono.application.client.amqp.ProtonBasedApplicationClient;
import org.eclipse.hono.client.amqp.config.ClientConfigProperties;
import org.eclipse.hono.client.amqp.connection.HonoConnection;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/** The REAL Hono application client (2.6.0) pointed at the sandbox's northbound port. */
final class NorthApp implements AutoCloseable {

    final ProtonBasedApplicationClient client;

    private NorthApp(final ProtonBasedApplicationClient client) {
        this.client = client;
    }

    static ClientConfigProperties config(final int port, final String user, final String password) {
        final ClientConfigProperties p = new ClientConfigProperties();
        p.setHost("127.0.0.1");
        p.setPort(port);
        p.setName("sandbox-test-app");
        if (user != null) {
            p.setUsername(user);
            p.setPassword(password);
        }
        p.setReconnectAttempts(0);
        p.setConnectTimeout(2000);
        return p;
    }

    /** Connects; throws if it cannot. */
    static NorthApp connect(final Vertx vertx, final int port, final String user, final String password)
            throws Exception {
        final ProtonBasedApplicationClient client = new ProtonBasedApplicationClient(
                HonoConnection.newConnection(vertx, config(port, user, password)));
        final NorthApp app = new NorthApp(client);
        await(client.connect());
        return app;
    }

    /** Opens a telemetry consumer that queues every message (auto-accepted). */
    BlockingQueue<DownstreamMessage<AmqpMessageContext>> telemetry(final String tenant) throws Exception {
        final BlockingQueue<DownstreamMessage<AmqpMessageContext>> q = new LinkedBlockingQueue<>();
        final Handler<DownstreamMessage<AmqpMessageContext>> h = q::add;
        await(client.createTelemetryConsumer(tenant, h, null));
        return q;
    }

    /** Opens an event consumer that queues every message (auto-accepted). */
    BlockingQueue<DownstreamMessage<AmqpMessageContext>> events(final String tenant) throws Exception {
        final BlockingQueue<DownstreamMessage<AmqpMessageContext>> q = new LinkedBlockingQueue<>();
        final Handler<DownstreamMessage<AmqpMessageContext>> h = q::add;
        await(client.createEventConsumer(tenant, h, null));
        return q;
    }

    /** Opens an event consumer whose outcome the test decides per message. */
    MessageConsumer events(final String tenant,
            final Function<DownstreamMessage<AmqpMessageContext>, Future<Void>> handler) throws Exception {
        return await(client.createEventConsumer(tenant, handler, null));
    }

    static <T> T await(final Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(RawDevice.WAIT_MS, TimeUnit.MILLISECONDS);
    }

    static DownstreamMessage<AmqpMessageContext> poll(final BlockingQueue<DownstreamMessage<AmqpMessageContext>> q,
            final Duration wait) throws InterruptedException {
        return q.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        final var done = new java.util.concurrent.CompletableFuture<Void>();
        client.disconnect(ar -> done.complete(null));
        done.get(RawDevice.WAIT_MS, TimeUnit.MILLISECONDS);
    }
}
