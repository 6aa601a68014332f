package org.campusedge.city;

import io.vertx.core.Vertx;
import org.eclipse.hono.application.client.ApplicationClient;
import org.eclipse.hono.application.client.MessageContext;
import org.eclipse.hono.application.client.amqp.ProtonBasedApplicationClient;
import org.eclipse.hono.application.client.kafka.impl.KafkaApplicationClientImpl;
import org.eclipse.hono.client.kafka.CommonKafkaClientConfigProperties;
import org.eclipse.hono.client.kafka.consumer.MessagingKafkaConsumerConfigProperties;
import org.eclipse.hono.client.kafka.producer.CachingKafkaProducerFactory;
import org.eclipse.hono.client.kafka.producer.MessagingKafkaProducerConfigProperties;
import org.eclipse.hono.client.amqp.config.ClientConfigProperties;
import org.eclipse.hono.client.amqp.connection.HonoConnection;

/**
 * The one place that knows which of Hono's northbound clients the dashboard uses: the AMQP one
 * ({@link ProtonBasedApplicationClient}) or, when {@link CityConfig#kafkaBootstrap()} is set, the Kafka one
 * ({@link KafkaApplicationClientImpl}). Everything else codes against {@link ApplicationClient}; only the consumers
 * ({@link HonoConsumers}) treat Kafka on their own, for when offsets are committed.
 */
final class HonoClientFactory {

    private HonoClientFactory() {
    }

    /**
     * An AMQP application client for the configured northbound endpoint. The connection reconnects on its own,
     * forever, with back-off; {@code onReconnect} runs (on the connection's context) each time it is back, so the
     * consumers can be re-created at once.
     */
    static ApplicationClient<? extends MessageContext> create(Vertx vertx, CityConfig config, Runnable onReconnect) {
        if (config.kafkaBootstrap() != null) {
            MessagingKafkaProducerConfigProperties producer = new MessagingKafkaProducerConfigProperties();
            producer.setCommonClientConfig(common(config));
            // its only consumer is the command responses' (a group of its own, from the newest record: Hono's design)
            MessagingKafkaConsumerConfigProperties responses = new MessagingKafkaConsumerConfigProperties();
            responses.setCommonClientConfig(common(config));
            return new KafkaApplicationClientImpl(vertx, responses, CachingKafkaProducerFactory.nonSharedFactory(vertx), producer);
        }
        ClientConfigProperties props = new ClientConfigProperties();
        props.setName("campus-edge-city-dashboard");
        props.setHost(config.honoHost());
        props.setPort(config.honoPort());
        if (config.honoUser() != null && !config.honoUser().isEmpty()) {
            props.setUsername(config.honoUser());
            props.setPassword(config.honoPassword() == null ? "" : config.honoPassword());
        }
        // TLS with the host name checked against the certificate; a certificate the trust store does not vouch for
        // ends the attempt before the password is sent
        props.setTlsEnabled(config.honoTls());
        props.setHostnameVerificationRequired(true);
        if (config.honoTls() && config.honoTrustStore() != null) {
            props.setTrustStorePath(config.honoTrustStore().toString());
        }
        props.setReconnectAttempts(-1);
        props.setReconnectMaxDelay(5_000);
        props.setLinkEstablishmentTimeout(5_000);
        props.setFlowLatency(1_000);
        props.setConnectTimeout(5_000);
        HonoConnection connection = HonoConnection.newConnection(vertx, props);
        connection.addReconnectListener(con -> onReconnect.run());
        return new ProtonBasedApplicationClient(connection);
    }

    /**
     * The consumers' Kafka settings: the bureau's shared group, so the instances split the partitions; a new group
     * starts at the oldest record the topics keep, so nothing sent before the first start is missed (duplicates are
     * dropped by event id).
     */
    static MessagingKafkaConsumerConfigProperties kafkaConsumerConfig(CityConfig config) {
        MessagingKafkaConsumerConfigProperties consumer = new MessagingKafkaConsumerConfigProperties();
        consumer.setCommonClientConfig(common(config));
        consumer.setConsumerConfig(java.util.Map.of(
                "group.id", config.kafkaGroup(),
                "auto.offset.reset", "earliest",
                // an instance that died hands its partitions on after 10 s (Kafka's default: 45 s)
                "session.timeout.ms", "10000",
                "heartbeat.interval.ms", "2000",
                // offsets of stored records are committed every second: at most that much is read twice after a crash
                "auto.commit.interval.ms", "1000"));
        return consumer;
    }

    private static CommonKafkaClientConfigProperties common(CityConfig config) {
        CommonKafkaClientConfigProperties common = new CommonKafkaClientConfigProperties();
        java.util.Map<String, String> settings = new java.util.HashMap<>(config.kafkaClient()); // security, TLS
        settings.put("bootstrap.servers", config.kafkaBootstrap());
        settings.put("client.id", "campus-edge-city-dashboard");
        common.setCommonClientConfig(settings);
        return common;
    }
}
