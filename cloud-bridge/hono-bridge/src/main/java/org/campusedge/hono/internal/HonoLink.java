package org.campusedge.hono.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.qpid.proton.message.Message;
import org.campusedge.api.Outbox;
import org.eclipse.hono.client.amqp.config.ClientConfigProperties;
import org.eclipse.hono.client.amqp.connection.HonoConnection;
import org.eclipse.hono.client.device.amqp.AmqpAdapterClient;
import org.eclipse.hono.util.QoS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP connection to Hono's protocol adapter, as the school's Hono gateway
 * ({@code gw-<school>@<tenant>}), through Hono's own device client. The only class that knows vert.x
 * and the Hono client. The client reconnects on its own with back-off and re-opens the command link;
 * it does not buffer — the outbox does.
 */
final class HonoLink implements CloudSender, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HonoLink.class);

    /**
     * @param trustStorePath PEM or key store of the CAs to trust when {@code tls}; null for the JVM's
     */
    record Settings(String host, int port, String tenant, String gatewayId, String password, boolean tls,
                    String trustStorePath, Duration sendTimeout) {

        String endpoint() {
            return (tls ? "amqps://" : "amqp://") + host + ":" + port + " as " + gatewayId + "@" + tenant;
        }
    }

    private final Settings settings;
    private final Consumer<Message> commandHandler;
    private final Runnable onConnected;
    private Vertx vertx;
    private AmqpAdapterClient client;
    private volatile boolean connected;
    private volatile boolean commandsOpen;
    private volatile Instant since;
    private volatile String lastError;

    HonoLink(Settings settings, Consumer<Message> commandHandler, Runnable onConnected) {
        this.settings = settings;
        this.commandHandler = commandHandler;
        this.onConnected = onConnected;
    }

    /** Starts connecting (in the background, forever, with back-off); returns at once. */
    void start() {
        if (System.getProperty("vertx.disableFileCPResolving") == null) {
            System.setProperty("vertx.disableFileCPResolving", "true"); // no .vertx cache folder in the gateway's home
        }
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(HonoLink.class.getClassLoader()); // vert.x finds its SPI through the bundle's loader
        try {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setInternalBlockingPoolSize(2));
        } finally {
            t.setContextClassLoader(before);
        }
        ClientConfigProperties p = new ClientConfigProperties();
        p.setName("campus-edge-" + settings.gatewayId());
        p.setHost(settings.host());
        p.setPort(settings.port());
        p.setUsername(settings.gatewayId() + "@" + settings.tenant());
        p.setPassword(settings.password());
        p.setTlsEnabled(settings.tls());
        if (settings.tls() && settings.trustStorePath() != null && !settings.trustStorePath().isBlank()) {
            p.setTrustStorePath(settings.trustStorePath());
        }
        p.setReconnectAttempts(-1);
        p.setReconnectMinDelay(200);
        p.setReconnectMaxDelay(5_000);
        p.setConnectTimeout(5_000);
        p.setSendMessageTimeout(settings.sendTimeout().toMillis());
        HonoConnection connection = HonoConnection.newConnection(vertx, p);
        client = AmqpAdapterClient.create(connection);
        client.addDisconnectListener(c -> {
            connected = false;
            since = Instant.now();
            LOG.warn("Cloud link to {} lost; reconnecting", settings.endpoint());
        });
        client.addReconnectListener(c -> {
            connected = true;
            since = Instant.now();
            LOG.info("Cloud link to {} is back", settings.endpoint());
            if (!commandsOpen) {
                openCommands(); // Hono's client re-opens the command link on reconnect only once it was opened
            }
            onConnected.run();
        });
        client.connect()
                .onSuccess(c -> {
                    connected = true;
                    since = Instant.now();
                    LOG.info("Cloud link up: {}", settings.endpoint());
                    openCommands();
                    onConnected.run();
                })
                .onFailure(e -> {
                    lastError = Instant.now() + " " + e;
                    LOG.warn("Cloud link to {} failed: {}", settings.endpoint(), e.toString());
                });
    }

    /** Opens the command link; tries again every 2 s while the connection is up and the link is not. */
    private void openCommands() {
        client.createCommandConsumer(commandHandler)
                .onSuccess(consumer -> {
                    commandsOpen = true;
                    LOG.info("Receiving the city's commands from {}", settings.endpoint());
                })
                .onFailure(e -> {
                    lastError = Instant.now() + " command link: " + e;
                    LOG.warn("The command link to {} could not be opened: {}; trying again", settings.endpoint(), e.toString());
                    vertx.setTimer(2000, id -> {
                        if (connected && !commandsOpen) {
                            openCommands();
                        }
                    });
                });
    }

    /** The connection is up and the city's commands can reach the gateway. */
    boolean ready() {
        return connected && commandsOpen;
    }

    @Override
    public boolean permanent(Throwable failure) {
        return failure instanceof org.eclipse.hono.client.ClientErrorException;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    Instant since() {
        return since;
    }

    String lastError() {
        return lastError;
    }

    String endpoint() {
        return settings.endpoint();
    }

    @Override
    public CompletableFuture<Void> send(Outbox.Message m) {
        HonoAddress a = HonoAddress.parse(m.address());
        Buffer body = Buffer.buffer(m.payload());
        Future<?> f = a.event()
                ? client.sendEvent(body, m.contentType(), null, a.deviceId(), null)
                : client.sendTelemetry(QoS.AT_LEAST_ONCE, body, m.contentType(), null, a.deviceId(), null);
        return complete(f);
    }

    /** Answers a command of the city: to its reply-to address, with its correlation id and a status. */
    CompletableFuture<Void> respond(String replyTo, String correlationId, int status, byte[] body) {
        return complete(client.sendCommandResponse(replyTo, correlationId, status, Buffer.buffer(body), "application/json", null));
    }

    private static CompletableFuture<Void> complete(Future<?> f) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        f.onComplete(r -> {
            if (r.succeeded()) {
                out.complete(null);
            } else {
                out.completeExceptionally(r.cause());
            }
        });
        return out;
    }

    @Override
    public void close() {
        connected = false;
        if (client != null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.disconnect(r -> done.complete(null));
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("Cloud link disconnect: {}", e.toString());
            }
        }
        if (vertx != null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            vertx.close(r -> done.complete(null));
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("vert.x close: {}", e.toString());
            }
        }
    }
}
