package org.campusedge.sandbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;
import org.eclipse.hono.client.command.CommandResponse;
import org.eclipse.hono.client.ServerErrorException;
import org.eclipse.hono.client.command.kafka.KafkaBasedCommand;
import org.eclipse.hono.client.command.kafka.KafkaBasedCommandContext;
import org.eclipse.hono.client.command.kafka.KafkaBasedCommandResponseSender;
import org.eclipse.hono.client.kafka.CommonKafkaClientConfigProperties;
import org.eclipse.hono.client.kafka.HonoTopic;
import org.eclipse.hono.client.kafka.consumer.HonoKafkaConsumer;
import org.eclipse.hono.client.kafka.consumer.MessagingKafkaConsumerConfigProperties;
import org.eclipse.hono.client.kafka.producer.CachingKafkaProducerFactory;
import org.eclipse.hono.client.kafka.producer.KafkaProducerFactory;
import org.eclipse.hono.client.kafka.producer.MessagingKafkaProducerConfigProperties;
import org.eclipse.hono.client.telemetry.kafka.KafkaBasedEventSender;
import org.eclipse.hono.client.telemetry.kafka.KafkaBasedTelemetrySender;
import org.eclipse.hono.util.MessagingType;
import org.eclipse.hono.util.QoS;
import org.eclipse.hono.util.RegistrationAssertion;
import org.eclipse.hono.util.TenantObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.opentracing.noop.NoopTracerFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;

/**
 * Hono's Kafka-based messaging, as Hono's protocol adapters and command router use it: what devices send is
 * produced with Hono's own Kafka senders ({@link KafkaBasedTelemetrySender}, {@link KafkaBasedEventSender},
 * {@link KafkaBasedCommandResponseSender}) to {@code hono.telemetry.TENANT}, {@code hono.event.TENANT} and
 * {@code hono.command_response.TENANT}, keyed by device id, with Hono's headers; commands are consumed from
 * {@code hono.command.TENANT} (every tenant of the registry), parsed with Hono's {@link KafkaBasedCommand} and
 * routed to the devices' command links. A command that cannot be delivered gets the error response Hono's command
 * context sends (503 when no device link took it, 400 when it is malformed), if it asked for a response.
 * Runs on the sandbox's single vert.x context; {@link #start} is called on it.
 */
final class KafkaNorth implements Northbound {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaNorth.class);
    /** The consumer group of the sandbox's command router (one per sandbox, like Hono's command router service). */
    static final String COMMAND_GROUP = "hono-sandbox-command-router";

    private final Vertx vertx;
    private final Registry registry;
    private final SandboxStats stats;
    private final CommandRouter commands;
    private final KafkaProducerFactory<String, Buffer> producers;
    private final KafkaBasedTelemetrySender telemetry;
    private final KafkaBasedEventSender events;
    private final KafkaBasedCommandResponseSender responses;
    private final HonoKafkaConsumer<Buffer> commandConsumer;

    KafkaNorth(final Vertx vertx, final String bootstrap, final Registry registry, final SandboxStats stats,
            final CommandRouter commands) {
        this.vertx = vertx;
        this.registry = registry;
        this.stats = stats;
        this.commands = commands;
        final CommonKafkaClientConfigProperties common = new CommonKafkaClientConfigProperties();
        common.setCommonClientConfig(Map.of("bootstrap.servers", bootstrap, "client.id", "hono-sandbox"));
        final MessagingKafkaProducerConfigProperties producerConfig = new MessagingKafkaProducerConfigProperties();
        producerConfig.setCommonClientConfig(common);
        // events are at-least-once: the device's message is accepted once every in-sync replica has it
        producerConfig.setProducerConfig(Map.of("acks", "all", "linger.ms", "2"));
        this.producers = CachingKafkaProducerFactory.nonSharedFactory(vertx);
        this.telemetry = new KafkaBasedTelemetrySender(vertx, producers, producerConfig, true, NoopTracerFactory.create());
        this.events = new KafkaBasedEventSender(vertx, producers, producerConfig, true, NoopTracerFactory.create());
        this.responses = new KafkaBasedCommandResponseSender(vertx, producers, producerConfig, NoopTracerFactory.create());
        final MessagingKafkaConsumerConfigProperties consumerConfig = new MessagingKafkaConsumerConfigProperties();
        consumerConfig.setCommonClientConfig(common);
        // a sandbox that died leaves the group after 10 s (Kafka's default is 45 s)
        consumerConfig.setConsumerConfig(Map.of("group.id", COMMAND_GROUP, "auto.offset.reset", "latest",
                "session.timeout.ms", "10000"));
        final Set<String> topics = registry.tenants().keySet().stream()
                .map(t -> new HonoTopic(HonoTopic.Type.COMMAND, t).toString())
                .collect(Collectors.toSet());
        this.commandConsumer = new HonoKafkaConsumer<>(vertx, topics, this::onCommand,
                consumerConfig.getConsumerConfig("command"));
    }

    /** Starts the senders and the command consumer; completes once the consumer has its partitions. */
    Future<Void> start() {
        final Promise<Void> consumerReady = Promise.promise();
        commandConsumer.addOnKafkaConsumerReadyHandler(consumerReady);
        final List<Future<Void>> started = new ArrayList<>();
        started.add(telemetry.start());
        started.add(events.start());
        started.add(responses.start());
        started.add(commandConsumer.start().compose(v -> consumerReady.future()));
        return Future.all(started).mapEmpty();
    }

    @Override
    public Future<Outcome> forward(final String address, final Message message, final boolean waitForOutcome) {
        final Address a = AddressParser.parse(address);
        final Map<String, Object> props = properties(message);
        final String deviceId = (String) props.remove(NorthboundMessages.DEVICE_ID);
        final Object qos = props.remove(NorthboundMessages.QOS);
        final TenantObject tenant = TenantObject.from(a.tenantId(), true);
        final RegistrationAssertion device = new RegistrationAssertion(deviceId);
        final Buffer payload = payload(message);
        final Future<Void> sent;
        if (Address.TELEMETRY.equals(a.endpoint())) {
            sent = telemetry.sendTelemetry(tenant, device, Integer.valueOf(0).equals(qos) ? QoS.AT_MOST_ONCE : QoS.AT_LEAST_ONCE,
                    message.getContentType(), payload, props, null);
        } else if (Address.EVENT.equals(a.endpoint())) {
            sent = events.sendEvent(tenant, device, message.getContentType(), payload, props, null);
        } else {
            final Object status = props.get(NorthboundMessages.STATUS);
            sent = responses.sendCommandResponse(tenant, device, new CommandResponse(a.tenantId(), deviceId, payload,
                    message.getContentType(), ((Number) status).intValue(), (String) message.getCorrelationId(),
                    a.pathWithoutBase(), MessagingType.kafka), null);
        }
        stats.forwarded();
        final String eventId = Uploads.eventId(message);
        if (eventId != null) {
            stats.forwardedEvent(eventId);
        }
        final Future<Outcome> outcome = sent.map(v -> Outcome.accepted())
                .otherwise(t -> Outcome.released("Kafka: " + t.getMessage()));
        return waitForOutcome ? outcome : Future.succeededFuture(Outcome.accepted());
    }

    @Override
    public void notifyTtd(final String tenantId, final String deviceId, final int ttd) {
        final Map<String, Object> props = new HashMap<>();
        props.put(NorthboundMessages.ORIG_ADAPTER, NorthboundMessages.ADAPTER);
        props.put(NorthboundMessages.TTD, ttd);
        events.sendEvent(TenantObject.from(tenantId, true), new RegistrationAssertion(deviceId),
                NorthboundMessages.EMPTY_NOTIFICATION, null, props, null)
                .onSuccess(v -> stats.notificationSent());
    }

    /** Kafka is not the sandbox's to cut: when the sandbox goes down, only the device side stops. */
    @Override
    public void goDown() {
    }

    @Override
    public Future<Void> closeAll() {
        // the command consumer leaves its group now, so the next sandbox need not wait for its session to expire
        return Future.join(commandConsumer.stop(), telemetry.stop(), events.stop(), responses.stop()).mapEmpty();
    }

    /** One record of {@code hono.command.TENANT}: parsed as Hono's command router does, routed to a device link. */
    private void onCommand(final KafkaConsumerRecord<String, Buffer> record) {
        final KafkaBasedCommand command;
        try {
            command = KafkaBasedCommand.from(record);
        } catch (final RuntimeException e) {
            stats.commandMalformed();
            LOG.debug("malformed command record on {} at offset {}: {}", record.topic(), record.offset(), e.getMessage());
            return;
        }
        if (!command.isValid()) {
            stats.commandMalformed();
            respondWithError(command, 400, command.getInvalidCommandReason());
            return;
        }
        final Message out = Message.Factory.create();
        out.setAddress(Address.COMMAND + "/" + command.getTenant() + "/" + command.getDeviceId());
        out.setSubject(command.getName());
        out.setContentType(command.getContentType());
        if (command.getPayload() != null) {
            out.setBody(new Data(new Binary(command.getPayload().getBytes())));
        }
        if (!command.isOneWay()) {
            out.setCorrelationId(command.getCorrelationId());
            // the device answers to this reply id; its response goes to hono.command_response.TENANT
            out.setReplyTo(Address.COMMAND_RESPONSE + "/" + command.getTenant() + "/" + command.getDeviceId() + "/kafka");
        }
        commands.route(command.getTenant(), out).onSuccess(outcome -> {
            if (!outcome.isAccepted()) {
                respondWithError(command, outcome.isRejected() ? 400 : 503, outcome.reason());
            }
        });
    }

    /**
     * The delivery failure response Hono's command router sends (its {@link KafkaBasedCommandContext}: content type
     * {@code application/vnd.eclipse-hono-delivery-failure-notification+json}, body {@code {"error": ...}}), when
     * the command asked for a response.
     */
    private void respondWithError(final KafkaBasedCommand command, final int status, final String reason) {
        final KafkaBasedCommandContext context = new KafkaBasedCommandContext(command, responses,
                NoopTracerFactory.create().buildSpan("deliver command").start());
        if (status == 400) {
            context.reject(reason);
        } else {
            context.release(new ServerErrorException(status, reason));
        }
    }

    private static Map<String, Object> properties(final Message message) {
        final Map<String, Object> props = new HashMap<>();
        final ApplicationProperties ap = message.getApplicationProperties();
        if (ap != null && ap.getValue() != null) {
            ap.getValue().forEach((k, v) -> props.put(String.valueOf(k), v));
        }
        props.remove(NorthboundMessages.TENANT_ID);
        return props;
    }

    private static Buffer payload(final Message message) {
        if (message.getBody() instanceof Data d && d.getValue() != null) {
            final Binary b = d.getValue();
            return Buffer.buffer(java.util.Arrays.copyOfRange(b.getArray(), b.getArrayOffset(), b.getArrayOffset() + b.getLength()));
        }
        return null;
    }
}
