package org.campusedge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.vertx.core.Vertx;

/** Starts a sandbox per test on random ports; the clients share one vert.x; everything is closed after. */
abstract class SandboxTestBase {

    static final String TENANT = "t";
    static Vertx clients;

    HonoSandbox sandbox;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    static Registry registry() {
        return Registry.builder()
                .tenant(TENANT)
                .gateway("gw-a", "secret", List.of("dev-1", "cam-*"))
                .device("sensor-9", "pw")
                .tenant("t2")
                .gateway("gw-b", "secret-b", List.of("dev-1"))
                .tenant("off", false)
                .gateway("gw-off", "secret", List.of())
                .north("city", "city-pw")
                .build();
    }

    @BeforeAll
    static void startClients() {
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stopClients() throws Exception {
        clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startSandbox() {
        sandbox = HonoSandbox.start(SandboxConfig.builder().registry(registry())
                .forwardTimeout(java.time.Duration.ofSeconds(2)).build());
        closeables.push(sandbox);
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (final Exception e) {
                // best effort: the sandbox may already have dropped the connection
            }
        }
    }

    <T extends AutoCloseable> T track(final T closeable) {
        closeables.push(closeable);
        return closeable;
    }

    RawDevice gateway() throws Exception {
        return track(RawDevice.connect(clients, sandbox.devicePort(), "gw-a@" + TENANT, "secret"));
    }

    NorthApp app() throws Exception {
        return track(NorthApp.connect(clients, sandbox.northPort(), "city", "city-pw"));
    }

    /** Waits (bounded) until a condition holds, e.g. a counter that is updated after a disposition. */
    static void eventually(final java.util.function.BooleanSupplier condition, final String what)
            throws InterruptedException {
        try {
            org.awaitility.Awaitility.await(what).pollInSameThread().pollDelay(java.time.Duration.ZERO)
                    .pollInterval(java.time.Duration.ofMillis(10)).atMost(java.time.Duration.ofSeconds(5))
                    .until(condition::getAsBoolean);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not within 5 s: " + what);
        }
    }

    static Message message(final String to, final String contentType, final String body) {
        final Message m = Message.Factory.create();
        m.setAddress(to);
        m.setContentType(contentType);
        if (body != null) {
            m.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
        }
        m.setCreationTime(System.currentTimeMillis());
        return m;
    }

    static Map<String, Object> props(final Message m) {
        final ApplicationProperties p = m.getApplicationProperties();
        return p == null ? Map.of() : p.getValue();
    }

    /** Opens a command link that answers every command with status 200 and echoes what it got. */
    static java.util.concurrent.BlockingQueue<Message> answering(final RawDevice device, final String source) throws Exception {
        final java.util.concurrent.BlockingQueue<Message> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        final var link = device.openCommandReceiver(source, (delivery, command) -> {
            seen.add(command);
            if (command.getReplyTo() != null) {
                final Message response = message(command.getReplyTo(), "application/json",
                        "{\"ok\":true,\"subject\":\"" + command.getSubject() + "\"}");
                response.setCorrelationId(command.getCorrelationId());
                response.setApplicationProperties(new ApplicationProperties(Map.of("status", 200)));
                try {
                    device.send(response, false);
                } catch (final Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        org.junit.jupiter.api.Assertions.assertTrue(link.opened(), "command link refused: " + link.error());
        return seen;
    }
}
