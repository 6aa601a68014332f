package org.campusedge.sandbox;

import static org.campusedge.sandbox.SandboxTestBase.answering;
import static org.campusedge.sandbox.SandboxTestBase.eventually;
import static org.campusedge.sandbox.SandboxTestBase.message;
import static org.campusedge.sandbox.SandboxTestBase.registry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.message.Message;
import org.campusedge.kafka.BrokerProcess;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.kafka.KafkaMessageContext;
import org.eclipse.hono.application.client.kafka.impl.KafkaApplicationClientImpl;
import org.eclipse.hono.client.ServiceInvocationException;
import org.eclipse.hono.client.kafka.CommonKafkaClientConfigProperties;
import org.eclipse.hono.client.kafka.consumer.MessagingKafkaConsumerConfigProperties;
import org.eclipse.hono.client.kafka.producer.CachingKafkaProducerFactory;
import org.eclipse.hono.client.kafka.producer.MessagingKafkaProducerConfigProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaHeader;

/**
 * The sandbox in Kafka mode against a real Kafka broker (its own process) and Hono's real Kafka application
 * client: what a gateway sends lands on Hono's topics with Hono's headers, commands go through Hono's command
 * topics both ways, a malformed command record is counted and skipped, and a broker that is gone leaves the
 * gateway's event unaccepted (so the gateway keeps it).
 */
class KafkaModeTest {

    private static final String TENANT = SandboxTestBase.TENANT;

    @TempDir
    static Path kafkaDir;
    static BrokerProcess broker;
    static Vertx clients;

    HonoSandbox sandbox;
    KafkaApplicationClientImpl app;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerProcess.start(kafkaDir.resolve("broker"), 4);
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (clients != null) {
            clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        sandbox = HonoSandbox.start(SandboxConfig.builder().registry(registry()).kafka(broker.bootstrap())
                .forwardTimeout(Duration.ofSeconds(2)).build());
        closeables.push(sandbox);
        app = applicationClient(broker.bootstrap());
        await(app.start());
        closeables.push(() -> await(app.stop()));
    }

    @AfterEach
    void closeAll() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (final Exception e) {
                // best effort
            }
        }
    }

    @Test
    void telemetryAndEventsLandOnHonosTopicsWithHonosHeaders() throws Exception {
        final BlockingQueue<DownstreamMessage<KafkaMessageContext>> telemetry = new LinkedBlockingQueue<>();
        final BlockingQueue<DownstreamMessage<KafkaMessageContext>> events = new LinkedBlockingQueue<>();
        final var c1 = await(app.createTelemetryConsumer(TENANT, telemetry::add, t -> { }));
        final var c2 = await(app.createEventConsumer(TENANT, events::add, t -> { }));
        closeables.push(() -> await(c1.close()));
        closeables.push(() -> await(c2.close()));
        final RawDevice gw = gateway();

        assertInstanceOf(Accepted.class, gw.sendAndWait(message("telemetry/t/dev-1", "application/json", "{\"v\":1}")));
        final Message event = message("event", "application/cloudevents+json", "{\"id\":\"e-1\"}");
        assertInstanceOf(Accepted.class, gw.sendAndWait(event), "an event is accepted once Kafka has it");

        final DownstreamMessage<KafkaMessageContext> t = poll(telemetry);
        assertEquals("dev-1", t.getDeviceId());
        assertEquals(TENANT, t.getTenantId());
        assertEquals("application/json", t.getContentType());
        assertEquals("{\"v\":1}", t.getPayload().toString(StandardCharsets.UTF_8));
        assertEquals("hono.telemetry.t", t.getMessageContext().getRecord().topic());
        assertEquals("dev-1", t.getMessageContext().getRecord().key(), "keyed by device: one device's records stay in order");
        final Map<String, String> headers = headers(t);
        assertEquals("hono-amqp", headers.get("orig_adapter"));
        assertEquals("telemetry/t/dev-1", headers.get("orig_address"));
        assertNotNull(t.getCreationTime(), "creation-time header");

        final DownstreamMessage<KafkaMessageContext> e = poll(events);
        assertEquals("gw-a", e.getDeviceId());
        assertEquals("{\"id\":\"e-1\"}", e.getPayload().toString(StandardCharsets.UTF_8));
        assertEquals("application/cloudevents+json", e.getContentType());
        assertEquals(1, e.getQos().ordinal(), "events are QoS 1");
        eventually(() -> sandbox.stats().forwardedByEventId().containsKey("e-1"), "forwarded event counted");
    }

    @Test
    void commandsAndResponsesGoThroughHonosCommandTopics() throws Exception {
        final RawDevice gw = gateway();
        final BlockingQueue<Message> seen = answering(gw, "command");

        final DownstreamMessage<KafkaMessageContext> response = await(app.sendCommand(TENANT, "gw-a", "status",
                Buffer.buffer("{}"), "application/json", (String) null, Duration.ofSeconds(10), null));
        assertEquals(200, response.getStatus());
        assertEquals("{\"ok\":true,\"subject\":\"status\"}", response.getPayload().toString(StandardCharsets.UTF_8));
        assertEquals("hono.command_response.t", response.getMessageContext().getRecord().topic());
        final Message command = seen.poll(5, TimeUnit.SECONDS);
        assertNotNull(command);
        assertEquals("command/t/gw-a", command.getAddress());
        assertEquals("status", command.getSubject());
        assertEquals(1, sandbox.stats().commandsRouted());
    }

    @Test
    void aCommandNobodyCanTakeGetsHonos503() throws Exception {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> await(app.sendCommand(TENANT, "gw-a",
                "status", Buffer.buffer("{}"), "application/json", (String) null, Duration.ofSeconds(10), null)));
        assertEquals(503, ServiceInvocationException.extractStatusCode(e.getCause()), e.toString());
        assertEquals(1, sandbox.stats().commandsReleased());
    }

    @Test
    void aMalformedCommandRecordIsCountedAndSkippedAndTheNextCommandStillPlays() throws Exception {
        final RawDevice gw = gateway();
        final BlockingQueue<Message> seen = answering(gw, "command");
        // wait until the sandbox's command consumer is attached, by a command that plays
        assertEquals(200, await(app.sendCommand(TENANT, "gw-a", "ping", Buffer.buffer("{}"), "application/json", (String) null,
                Duration.ofSeconds(10), null)).getStatus());
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrap()),
                new StringSerializer(), new StringSerializer())) {
            raw.send(new ProducerRecord<>("hono.command.t", "gw-a", "no headers at all")).get(10, TimeUnit.SECONDS);
            final ProducerRecord<String, String> wrongKey = new ProducerRecord<>("hono.command.t", "gw-a", "x");
            wrongKey.headers().add("device_id", "someone-else".getBytes(StandardCharsets.UTF_8));
            raw.send(wrongKey).get(10, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>("hono.command.t", null, "no key")).get(10, TimeUnit.SECONDS);
        }
        eventually(() -> sandbox.stats().commandsMalformed() >= 3, "three malformed command records counted");
        assertEquals(200, await(app.sendCommand(TENANT, "gw-a", "status", Buffer.buffer("{}"), "application/json", (String) null,
                Duration.ofSeconds(10), null)).getStatus(), "the consumer goes on after garbage");
        assertEquals(2, seen.size(), "only the two real commands reached the gateway");
    }

    @Test
    void whenTheBrokerDiesAnEventIsNotAcceptedSoTheGatewayKeepsIt() throws Exception {
        try (BrokerProcess own = BrokerProcess.start(kafkaDir.resolve("dies"), 1)) {
            final HonoSandbox onOwn = HonoSandbox.start(SandboxConfig.builder().registry(registry())
                    .kafka(own.bootstrap()).forwardTimeout(Duration.ofSeconds(2)).build());
            closeables.push(onOwn);
            final RawDevice gw = track(RawDevice.connect(clients, onOwn.devicePort(), "gw-a@" + TENANT, "secret"));
            assertInstanceOf(Accepted.class, gw.sendAndWait(message("event", "application/json", "{\"n\":1}")));
            own.kill();
            assertInstanceOf(Released.class, gw.send(message("event", "application/json", "{\"n\":2}"), false)
                    .get(20, TimeUnit.SECONDS), "released: Hono's adapter does not accept what Kafka did not take");
        }
    }

    private RawDevice gateway() throws Exception {
        return track(RawDevice.connect(clients, sandbox.devicePort(), "gw-a@" + TENANT, "secret"));
    }

    private <T extends AutoCloseable> T track(final T c) {
        closeables.push(c);
        return c;
    }

    static KafkaApplicationClientImpl applicationClient(final String bootstrap) {
        final CommonKafkaClientConfigProperties common = new CommonKafkaClientConfigProperties();
        common.setCommonClientConfig(Map.of("bootstrap.servers", bootstrap));
        final MessagingKafkaConsumerConfigProperties consumer = new MessagingKafkaConsumerConfigProperties();
        consumer.setCommonClientConfig(common);
        consumer.setConsumerConfig(Map.of("group.id", "test-" + UUID.randomUUID(), "auto.offset.reset", "latest"));
        final MessagingKafkaProducerConfigProperties producer = new MessagingKafkaProducerConfigProperties();
        producer.setCommonClientConfig(common);
        return new KafkaApplicationClientImpl(clients, consumer, CachingKafkaProducerFactory.nonSharedFactory(clients), producer);
    }

    private static Map<String, String> headers(final DownstreamMessage<KafkaMessageContext> m) {
        final Map<String, String> out = new java.util.HashMap<>();
        for (final KafkaHeader h : m.getMessageContext().getRecord().headers()) {
            out.put(h.key(), h.value().toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static <T> T poll(final BlockingQueue<T> q) throws InterruptedException {
        final T t = q.poll(15, TimeUnit.SECONDS);
        assertNotNull(t, "nothing within 15 s");
        return t;
    }

    private static <T> T await(final Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
